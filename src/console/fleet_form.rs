//! The fleet settings form: size, seed and persona mix as typed.

use crate::sim::{FleetSettings, PersonaMix};

/// Reads the form's text into settings and validates them; the error names
/// the field.
pub fn parse_fleet_form(
    size: &str,
    seed: &str,
    weights: &[String; 5],
) -> Result<FleetSettings, String> {
    let size: u32 = size
        .trim()
        .parse()
        .map_err(|_| format!("fleet size: \"{}\" is not a whole number", size.trim()))?;
    let seed: u64 = seed
        .trim()
        .parse()
        .map_err(|_| format!("seed: \"{}\" is not a whole number", seed.trim()))?;
    let mut mix = PersonaMix { weights: [0; 5] };
    for (slot, text) in mix.weights.iter_mut().zip(weights) {
        *slot = text
            .trim()
            .parse()
            .map_err(|_| format!("persona mix: \"{}\" is not a whole number", text.trim()))?;
    }
    let settings = FleetSettings { seed, size, mix };
    settings.validate().map_err(|e| e.to_string())?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(values: [&str; 5]) -> [String; 5] {
        values.map(String::from)
    }

    #[test]
    fn reads_valid_settings_and_names_the_bad_field() {
        let ok = parse_fleet_form(" 200 ", "7", &weights(["1", "0", "0", "0", "2"])).unwrap();
        assert_eq!(
            (ok.size, ok.seed, ok.mix.weights),
            (200, 7, [1, 0, 0, 0, 2])
        );
        assert_eq!(
            parse_fleet_form("-3", "7", &weights(["1"; 5])).unwrap_err(),
            "fleet size: \"-3\" is not a whole number"
        );
        assert_eq!(
            parse_fleet_form("5000", "7", &weights(["1"; 5])).unwrap_err(),
            "fleet size: 5000 must be between 1 and 1000"
        );
        assert_eq!(
            parse_fleet_form("5", "x", &weights(["1"; 5])).unwrap_err(),
            "seed: \"x\" is not a whole number"
        );
        assert!(parse_fleet_form("5", "1", &weights(["0"; 5])).is_err());
    }
}
