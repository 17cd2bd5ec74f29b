//! The console's one money format: the currency symbol the reviewer chose,
//! then the amount as the core writes it, two decimals unless a smaller
//! amount needs more (`$0.03`, `$0.026`, `$0.0033`, never `$0.00` for a
//! cost that is not zero). Tables align figures right with digits of one
//! width (`style/main.css`, class `numeric`).
//!
//! The core's reasons ("would exceed the budget: 12.50 of 10.00") keep plain
//! amounts: they are recorded in the audit trail and must not change with a
//! display setting.

use crate::governance::Money;
use serde::Serialize;

/// The currency amounts are shown in. Budgets and costs are plain amounts in
/// the configuration; this only labels them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Currency {
    #[default]
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "GBP")]
    Gbp,
    #[serde(rename = "JPY")]
    Jpy,
    /// Amounts without a symbol.
    #[serde(rename = "none")]
    Plain,
}

crate::governance::decode::deserialize_by!(Currency, Currency::decode);

impl Currency {
    pub const ALL: [Currency; 5] = [
        Currency::Usd,
        Currency::Eur,
        Currency::Gbp,
        Currency::Jpy,
        Currency::Plain,
    ];

    /// Reads the code this is written as.
    pub fn decode(value: serde_json::Value) -> crate::governance::decode::Decoded<Currency> {
        crate::governance::decode::one_of(
            value,
            &[
                ("USD", Currency::Usd),
                ("EUR", Currency::Eur),
                ("GBP", Currency::Gbp),
                ("JPY", Currency::Jpy),
                ("none", Currency::Plain),
            ],
        )
    }

    /// The currency of `code` (US dollars for a code it does not know).
    pub fn from_code(code: &str) -> Currency {
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .unwrap_or_default()
    }

    /// The code it is saved and chosen by.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Jpy => "JPY",
            Currency::Plain => "none",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Usd => "$",
            Currency::Eur => "€",
            Currency::Gbp => "£",
            Currency::Jpy => "¥",
            Currency::Plain => "",
        }
    }

    /// How the choice reads in the console's currency menu.
    pub fn label(self) -> &'static str {
        match self {
            Currency::Usd => "$ US dollar",
            Currency::Eur => "€ euro",
            Currency::Gbp => "£ pound",
            Currency::Jpy => "¥ yen",
            Currency::Plain => "No symbol",
        }
    }

    /// `amount` in the console's money format.
    pub fn format(self, amount: Money) -> String {
        format!("{}{amount}", self.symbol())
    }

    /// A recorded cost (a plain number) in the money format; a number that is
    /// not an amount (a refused request's cost, say) as it was recorded.
    pub fn cost(self, cost: f64) -> String {
        match Money::from_f64(cost) {
            Ok(amount) => self.format(amount),
            Err(_) => crate::governance::config_error::number_text(cost),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_the_symbol_and_two_decimals_unless_smaller_needs_more() {
        let usd = Currency::Usd;
        let amounts = [0.03, 0.026, 0.0033, 12.5, 0.0];
        let shown: Vec<String> = amounts.iter().map(|&a| usd.cost(a)).collect();
        assert_eq!(shown, ["$0.03", "$0.026", "$0.0033", "$12.50", "$0.00"]);
        assert_eq!(Currency::Eur.format(Money::from_units(5)), "€5.00");
        assert_eq!(Currency::Plain.format(Money::from_units(5)), "5.00");
        // A cost that was refused as no amount keeps its recorded figure.
        assert_eq!(usd.cost(-1.0), "-1");
        assert_eq!(usd.cost(f64::NAN), "NaN");
    }

    #[test]
    fn every_currency_is_saved_and_read_by_its_code() {
        for currency in Currency::ALL {
            assert_eq!(Currency::from_code(currency.code()), currency);
            let json = serde_json::to_value(currency).unwrap();
            assert_eq!(json, serde_json::json!(currency.code()));
            assert_eq!(Currency::decode(json).unwrap(), currency);
        }
        let error = Currency::decode(serde_json::json!("BTC")).unwrap_err();
        assert!(
            error.to_string().contains("unknown value \"BTC\""),
            "{error}"
        );
    }
}
