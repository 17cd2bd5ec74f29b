//! Money as an exact, non-negative amount.
//!
//! Costs arrive as `f64` from agents, forms and files; they are validated once at the
//! boundary ([`Money::from_f64`]) and from then on held as whole micro-units in a
//! `u64`. Comparisons against a budget are therefore exact: no NaN, no negative
//! amounts, no rounding drift that lets a run of small approvals creep past a limit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use thiserror::Error;

/// Micro-units per currency unit.
const MICROS_PER_UNIT: u64 = 1_000_000;

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
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// Validates an amount given in currency units (for example `12.5`).
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
        Ok(Money((amount * MICROS_PER_UNIT as f64).round() as u64))
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

    /// `self * basis_points / 10_000`, rounded down: a threshold is never above
    /// the fraction it names.
    pub fn scaled_by_basis_points(self, basis_points: u32) -> Money {
        Money((self.0 as u128 * basis_points as u128 / 10_000) as u64)
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

/// Serialised as a plain number in currency units, the form people read and write.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        let amount = f64::deserialize(deserializer)?;
        Money::from_f64(amount).map_err(serde::de::Error::custom)
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
    fn threshold_rounds_down() {
        let limit = Money::from_micros(999);
        assert_eq!(limit.scaled_by_basis_points(9_000), Money::from_micros(899));
        assert_eq!(
            Money::from_units(100).scaled_by_basis_points(9_000),
            Money::from_units(90)
        );
    }
}
