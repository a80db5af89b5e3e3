//! Checks on input fields, each error naming the field and what to do.

use redvest_shared::ErrorCode;

use crate::{Error, Result};

/// `value` trimmed; an error if it is longer than `max` characters, or empty when `required`.
pub fn text(field: &'static str, value: &str, max: usize, required: bool) -> Result<String> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(Error::invalid(field, ErrorCode::Required, "required: fill it in"));
    }
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid(
            field,
            ErrorCode::TooLong,
            format!("{len} characters; shorten it to at most {max}"),
        ));
    }
    Ok(value.to_owned())
}

/// Stores enums as their serde name (`"school_gate"`), so the database reads like the wire.
pub fn enum_text<T: serde::Serialize>(value: &T) -> Result<String> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

/// Reads back what [`enum_text`] stored.
pub fn enum_from<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(serde_json::from_value(serde_json::Value::String(text.to_owned()))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_and_length_errors_name_the_field() {
        match text("patrol.route", "   ", 10, true) {
            Err(Error::Invalid { field, code, .. }) => {
                assert_eq!((field, code), ("patrol.route", ErrorCode::Required))
            }
            other => panic!("expected Required, got {other:?}"),
        }
        match text("patrol.route", "一二三四五六", 5, false) {
            Err(Error::Invalid { field, code, message }) => {
                assert_eq!((field, code), ("patrol.route", ErrorCode::TooLong));
                assert!(message.contains("at most 5"));
            }
            other => panic!("expected TooLong, got {other:?}"),
        }
        assert_eq!(text("x", "  街面  ", 5, true).expect("ok"), "街面");
    }
}
