//! The four custom fields: their values' limit, and the labels the agency gives them (the
//! agency's data, stored in `agency_settings`, not words of the interface).

/// Longest value of a custom field, in characters.
pub const CUSTOM_FIELD_MAX_CHARS: usize = 200;
/// Longest custom field label, in characters.
pub const LABEL_MAX_CHARS: usize = 40;

/// The labels of the four custom fields until the agency renames them.
pub fn default_labels() -> [String; 4] {
    std::array::from_fn(|i| format!("Custom field {}", i + 1))
}

/// A custom field label: 1 to [`LABEL_MAX_CHARS`] characters, trimmed, on one line.
pub fn parse_label(input: &str) -> Result<String, String> {
    let label = input.trim();
    if label.is_empty() {
        return Err("Enter a label.".into());
    }
    if label.chars().count() > LABEL_MAX_CHARS {
        return Err(format!("A label can have at most {LABEL_MAX_CHARS} characters."));
    }
    if label.chars().any(char::is_control) {
        return Err("A label cannot contain line breaks or tabs.".into());
    }
    Ok(label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(default_labels()[3], "Custom field 4");
        assert_eq!(parse_label("  Region "), Ok("Region".into()));
        assert!(parse_label(" ").is_err());
        assert!(parse_label(&"x".repeat(40)).is_ok());
        assert!(parse_label(&"x".repeat(41)).is_err());
        assert!(parse_label("a\nb").is_err());
    }
}
