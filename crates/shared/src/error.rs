//! The error shape every shell command returns to the UI.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable reason. The UI picks the text it shows (Chinese first) by
/// this code; `IpcError::message` is the English detail for logs and bug reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The device database was written by a newer app version; it was left untouched.
    SchemaTooNew,
    /// The device database could not be opened or written (disk full, permissions, corruption).
    Storage,
    /// The app's data directory could not be found or created.
    DataDir,
    /// A code this build of the UI does not know (a newer shell); shown with its message.
    #[serde(other)]
    Unknown,
}

/// What a failed shell command returns over IPC: `{"code": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcError {
    /// Why it failed, for the UI to choose its words.
    pub code: ErrorCode,
    /// Technical detail in English, never shown as the only text.
    pub message: String,
}

impl IpcError {
    /// An error with the given code and detail.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_is_code_and_message() {
        let e = IpcError::new(ErrorCode::SchemaTooNew, "db at v9, app knows v1");
        let json = serde_json::to_string(&e).expect("serialise");
        assert_eq!(json, r#"{"code":"schema_too_new","message":"db at v9, app knows v1"}"#);
    }

    #[test]
    fn unknown_code_from_newer_shell_still_parses() {
        let e: IpcError =
            serde_json::from_str(r#"{"code":"battery_on_fire","message":"x"}"#).expect("parse");
        assert_eq!(e.code, ErrorCode::Unknown);
    }
}
