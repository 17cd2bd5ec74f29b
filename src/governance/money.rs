//! Money as an exact, non-negative amount.
//!
//! Costs arrive as `f64` from agents, forms and files; they are validated once at the
//! boundary ([`Money::from_f64`]) and from then on held as whole micro-units in a
//! `u64`. Comparisons against a budget are therefore exact: no NaN, no negative
//! amounts, no rounding drift that lets a run of small approvals creep past a limit.
//!
//! Nothing is rounded toward free: an amount with more decimal places than a
//! micro-unit holds is refused ([`MoneyError::TooPrecise`]) rather than rounded,
//! and a fraction of an amount (an escalation threshold) is rounded down, so it
//! never sits above the fraction it names.

use serde::{Serialize, Serializer};
use std::fmt;
use thiserror::Error;

/// Micro-units per currency unit.
const MICROS_PER_UNIT: u64 = 1_000_000;

/// The decimal places an amount may have: one micro-unit is 0.000001.
pub const MAX_DECIMALS: usize = 6;

/// The largest amount anything may cost or any budget may be: a billion units.
/// Larger figures are input mistakes, not budgets.
pub const MAX_AMOUNT: f64 = 1_000_000_000.0;

/// An exact, non-negative amount of money, in micro-units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(u64);

/// Why a number is not an amount of money.
#[derive(Clone, Copy, Debug, Error, PartialEq)]
pub enum MoneyError {
    #[error("{0} is not a finite number")]
    NotFinite(f64),
    #[error("{0} is negative")]
    Negative(f64),
    #[error("{0} is larger than the maximum of {MAX_AMOUNT}")]
    TooLarge(f64),
    #[error("{0} has more than {MAX_DECIMALS} decimal places")]
    TooPrecise(f64),
}

impl MoneyError {
    /// What is wrong, without the number: for messages that show it already.
    pub fn problem(&self) -> &'static str {
        match self {
            MoneyError::NotFinite(_) => "not a finite number",
            MoneyError::Negative(_) => "negative",
            MoneyError::TooLarge(_) => "larger than 1000000000",
            MoneyError::TooPrecise(_) => {
                "more than 6 decimal places (the smallest amount is 0.000001)"
            }
        }
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// Validates an amount given in currency units (for example `12.5`).
    ///
    /// The amount must be a whole number of micro-units as written: `0.1` is
    /// 100000 micro-units, `0.0000004` is refused, never rounded to zero.
    pub fn from_f64(amount: f64) -> Result<Money, MoneyError> {
        if !amount.is_finite() {
            return Err(MoneyError::NotFinite(amount));
        }
        if amount < 0.0 {
            return Err(MoneyError::Negative(amount));
        }
        if amount > MAX_AMOUNT {
            return Err(MoneyError::TooLarge(amount));
        }
        // `micros` is exact below 2^53 (the maximum is 10^15 micro-units).
        // The amount has at most six decimals exactly when the nearest double
        // to `micros / 10^6` is the amount itself: then the decimal with six
        // places is what was written (its shortest spelling), and otherwise
        // no decimal with six places reads back as this number.
        let micros = (amount * MICROS_PER_UNIT as f64).round();
        if micros / MICROS_PER_UNIT as f64 != amount {
            return Err(MoneyError::TooPrecise(amount));
        }
        Ok(Money(micros as u64))
    }

    pub const fn from_micros(micros: u64) -> Money {
        Money(micros)
    }

    /// Whole currency units, for literals in tests and defaults.
    pub const fn from_units(units: u64) -> Money {
        Money(units * MICROS_PER_UNIT)
    }

    pub const fn micros(self) -> u64 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_UNIT as f64
    }

    pub const fn saturating_add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }

    pub const fn saturating_sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
    }

    /// `self × percent / 100`, rounded down to a micro-unit, computed exactly
    /// for any `percent` (a double is `mantissa × 2^exponent`, so the
    /// fraction is a ratio of integers): the result is never above the
    /// fraction named, whatever its decimals. Percents outside 0 to 100, or
    /// not finite, are clamped into it (validation refuses them first).
    pub fn percent_floor(self, percent: f64) -> Money {
        if !percent.is_finite() || percent <= 0.0 {
            return Money::ZERO;
        }
        let bits = percent.min(100.0).to_bits();
        let biased = (bits >> 52) & 0x7ff;
        let fraction = bits & ((1u64 << 52) - 1);
        // Normal numbers carry an implicit leading bit; subnormal ones do not
        // and share the smallest exponent.
        let (mantissa, shift) = if biased == 0 {
            (fraction, 1074)
        } else {
            (fraction + (1u64 << 52), 1075 - biased as u32)
        };
        // At most 100 % is below 2^7, so the exponent is negative: percent =
        // mantissa / 2^shift, and the product below fits (2^64 × 2^53).
        let numerator = self.0 as u128 * mantissa as u128;
        let scaled = match 1u128.checked_shl(shift).and_then(|p| p.checked_mul(100)) {
            Some(divisor) => numerator / divisor,
            // A divisor past 2^128 is far above any numerator.
            None => 0,
        };
        Money(u64::try_from(scaled).unwrap_or(u64::MAX))
    }
}

impl fmt::Display for Money {
    /// Two decimals, more only when the amount has sub-cent digits, so that
    /// `0.000400` does not display as `0.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = self.0 / MICROS_PER_UNIT;
        let fraction = self.0 % MICROS_PER_UNIT;
        if fraction.is_multiple_of(10_000) {
            write!(f, "{units}.{:02}", fraction / 10_000)
        } else {
            let digits = format!("{fraction:06}");
            write!(f, "{units}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Money::saturating_add)
    }
}

/// Serialised as a plain number in currency units, the form people read and
/// write. Amounts are read only through [`Money::from_f64`], never deserialised
/// directly, so every amount that enters is validated.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_is_not_an_amount() {
        assert_eq!(
            Money::from_f64(f64::NAN).unwrap_err().to_string(),
            "NaN is not a finite number"
        );
        assert!(matches!(
            Money::from_f64(f64::INFINITY),
            Err(MoneyError::NotFinite(_))
        ));
        assert_eq!(Money::from_f64(-0.01), Err(MoneyError::Negative(-0.01)));
        assert!(matches!(Money::from_f64(2e9), Err(MoneyError::TooLarge(_))));
    }

    #[test]
    fn is_exact_where_floats_drift() {
        let tenth = Money::from_f64(0.1).unwrap();
        let sum: Money = std::iter::repeat_n(tenth, 10).sum();
        assert_eq!(sum, Money::from_units(1));
    }

    #[test]
    fn displays_cents_and_keeps_sub_cent_digits() {
        assert_eq!(Money::from_f64(95.2).unwrap().to_string(), "95.20");
        assert_eq!(Money::from_units(100).to_string(), "100.00");
        assert_eq!(Money::from_f64(0.0004).unwrap().to_string(), "0.0004");
    }

    #[test]
    fn refuses_more_decimals_than_a_micro_unit_instead_of_rounding() {
        assert_eq!(Money::from_f64(0.000001), Ok(Money::from_micros(1)));
        assert_eq!(
            Money::from_f64(0.0000004),
            Err(MoneyError::TooPrecise(0.0000004))
        );
        assert_eq!(
            Money::from_f64(1.0000005),
            Err(MoneyError::TooPrecise(1.0000005))
        );
        assert_eq!(
            Money::from_f64(12.345678),
            Ok(Money::from_micros(12_345_678))
        );
        assert!(Money::from_f64(1e-300)
            .unwrap_err()
            .to_string()
            .ends_with("01 has more than 6 decimal places"));
        assert_eq!(
            Money::from_f64(MAX_AMOUNT),
            Ok(Money::from_units(1_000_000_000))
        );
        assert_eq!(
            Money::from_f64(999_999_999.999999),
            Ok(Money::from_micros(999_999_999_999_999))
        );
        assert!(matches!(
            Money::from_f64(MAX_AMOUNT + 0.5),
            Err(MoneyError::TooLarge(_))
        ));
        assert_eq!(Money::from_f64(-0.0), Ok(Money::ZERO));
    }

    #[test]
    fn the_precision_check_agrees_with_the_decimal_spelling() {
        // Rust prints the shortest decimal that reads back as the same double,
        // never in exponent form: the amount is acceptable exactly when that
        // spelling has at most six decimals.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let amount = match state % 3 {
                0 => (state >> 20) as f64 / 1e6 % 1e9,
                1 => f64::from_bits(state >> 2) % 1e9,
                _ => ((state >> 30) % 100_000) as f64 / 1e7,
            };
            if !amount.is_finite() || amount < 0.0 {
                continue;
            }
            let text = amount.to_string();
            let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
            assert_eq!(
                Money::from_f64(amount).is_ok(),
                decimals <= MAX_DECIMALS,
                "{text}"
            );
        }
    }

    #[test]
    fn a_percent_of_an_amount_is_exact_and_rounds_down() {
        let limit = Money::from_micros(999);
        assert_eq!(limit.percent_floor(90.0), Money::from_micros(899));
        assert_eq!(
            Money::from_units(100).percent_floor(90.0),
            Money::from_units(90)
        );
        assert_eq!(
            Money::from_units(100).percent_floor(100.0),
            Money::from_units(100)
        );
        // 33.33333 % of 1.00 is 0.3333333: the threshold is 0.333333, not the
        // 0.3333 a rounding to basis points gave.
        assert_eq!(
            Money::from_units(1).percent_floor(33.33333),
            Money::from_micros(333_333)
        );
        // 90.004 % rounded to basis points was 90.00 %; rounding up would give
        // 90.01 %: neither.
        assert_eq!(
            Money::from_units(10_000).percent_floor(90.004),
            Money::from_micros(9_000_400_000)
        );
        // The double nearest 0.7 is a little below it: 0.7 % of 100.00 is then
        // 0.699999, never above the fraction named.
        assert_eq!(
            Money::from_units(100).percent_floor(0.7),
            Money::from_micros(699_999)
        );
        assert_eq!(Money::from_units(1).percent_floor(1e-300), Money::ZERO);
        // Subnormal: no implicit bit, the smallest exponent.
        assert_eq!(Money::from_units(1).percent_floor(5e-324), Money::ZERO);
        assert_eq!(
            Money::from_micros(u64::MAX).percent_floor(f64::MIN_POSITIVE),
            Money::ZERO
        );
        // The smallest percent that yields a micro-unit of a billion.
        let billion = Money::from_units(1_000_000_000);
        assert_eq!(billion.percent_floor(1e-13), Money::from_micros(1));
        assert_eq!(billion.percent_floor(0.9e-13), Money::ZERO);
        // Above 100 % is clamped.
        assert_eq!(
            Money::from_units(2).percent_floor(250.0),
            Money::from_units(2)
        );
        assert_eq!(Money::from_units(1).percent_floor(f64::NAN), Money::ZERO);
        assert_eq!(
            Money::from_units(1_000_000_000).percent_floor(100.0),
            Money::from_units(1_000_000_000)
        );
    }
}
