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
    /// A required field is empty. `field` names it.
    Required,
    /// A text field is longer than allowed. `field` names it.
    TooLong,
    /// A number or date is outside what makes sense. `field` names it.
    OutOfRange,
    /// An end time is before its start.
    EndBeforeStart,
    /// Attendance lists nobody present.
    NoPresentMember,
    /// A PIN is not 4–8 digits.
    PinFormat,
    /// The PIN does not unlock this person's key.
    WrongPin,
    /// Too many wrong PINs: the next try must wait (the message says how long).
    PinWait,
    /// Ten wrong PINs: the key is locked until a leader lifts the lock with their PIN.
    PinLocked,
    /// This person has no signing key on the device yet.
    NoKey,
    /// This person may not do this (e.g. countersign without the leader role).
    NotAllowed,
    /// The team's settings are locked: a leader's password unlocks them.
    SettingsLocked,
    /// The record is not in a state that allows this (e.g. editing a signed patrol).
    WrongState,
    /// The thing referred to does not exist.
    NotFound,
    /// A signed record or the hash chain does not verify.
    Tampered,
    /// A photo file is empty.
    PhotoEmpty,
    /// A photo file is over the size limit (30 MB).
    PhotoTooLarge,
    /// A file is not an image this app can read (JPEG, PNG, WebP).
    NotAnImage,
    /// A HEIC/AVIF photo: set the camera to JPEG ("most compatible") or convert it.
    PhotoFormat,
    /// A photo file ends early (cut off while copying or downloading).
    PhotoTruncated,
    /// A photo's dimensions are too large to open safely (over 64 megapixels).
    PhotoTooManyPixels,
    /// The county refused the enrolment code (unknown, used or expired).
    EnrolRefused,
    /// The county could not be reached or did not answer as expected.
    CountyUnreachable,
    /// The county's address is not `https://` (only this phone's own loopback may be plain
    /// `http://`): records would cross the network readable by anyone on the way.
    InsecureAddress,
    /// The same person would sign one patrol as volunteer and as leader.
    SameSigner,
    /// A record is signed by a key the county's roster does not list for its signer.
    UnknownSigner,
    /// A scanned QR code is damaged or altered, or not a Redvest record.
    QrInvalid,
    /// A code this build of the UI does not know (a newer shell); shown with its message.
    #[serde(other)]
    Unknown,
}

/// What a failed shell command returns over IPC: `{"code": "...", "message": "...", "field": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcError {
    /// Why it failed, for the UI to choose its words.
    pub code: ErrorCode,
    /// Technical detail in English, never shown as the only text.
    pub message: String,
    /// The input field at fault (e.g. `hazard.deadline`), for the UI to show the error beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IpcError {
    /// An error with the given code and detail.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), field: None }
    }

    /// The same error, naming the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
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
