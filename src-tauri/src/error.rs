//! The shell's one error type. It reaches the UI as `{code, message, field}` ([`IpcError`]).

use redvest_core::Error as CoreError;
use redvest_shared::{ErrorCode, IpcError};
use serde::{Serialize, Serializer};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The core refused or failed.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The store was never opened, or the county could not be reached; this is why.
    #[error("device store unavailable: {0}")]
    Unavailable(IpcError),
}

impl Error {
    /// The stable shape the UI receives.
    pub fn to_ipc(&self) -> IpcError {
        let e = match self {
            Error::Unavailable(e) => return e.clone(),
            Error::Core(e) => e,
        };
        let message = e.to_string();
        match e {
            CoreError::Invalid { field, code, .. } => IpcError::new(*code, message).with_field(*field),
            CoreError::SchemaTooNew { .. } => IpcError::new(ErrorCode::SchemaTooNew, message),
            CoreError::WrongPin => IpcError::new(ErrorCode::WrongPin, message).with_field("signer.pin"),
            CoreError::PinWait(_) => IpcError::new(ErrorCode::PinWait, message).with_field("signer.pin"),
            CoreError::PinLocked(_) => IpcError::new(ErrorCode::PinLocked, message).with_field("signer.pin"),
            CoreError::NoKey(_) => IpcError::new(ErrorCode::NoKey, message),
            CoreError::NotAllowed(_) => IpcError::new(ErrorCode::NotAllowed, message),
            CoreError::SettingsLocked => IpcError::new(ErrorCode::SettingsLocked, message),
            CoreError::WrongState(_) => IpcError::new(ErrorCode::WrongState, message),
            CoreError::NotFound(_) => IpcError::new(ErrorCode::NotFound, message),
            CoreError::Photo { problem, .. } => IpcError::new(problem.code(), message).with_field("photo"),
            CoreError::Sqlite(_) | CoreError::Migrations(_) | CoreError::Corrupt(_) | CoreError::File { .. } => {
                tracing::error!(error = %e, "storage failure");
                IpcError::new(ErrorCode::Storage, message)
            }
        }
    }
}

impl From<redvest_core::sync::SyncFailure> for Error {
    fn from(e: redvest_core::sync::SyncFailure) -> Self {
        match e.ipc_error() {
            Some(ipc) => Error::Unavailable(ipc),
            None => match e {
                redvest_core::sync::SyncFailure::Store(e) => Error::Core(e),
                other => Error::Unavailable(IpcError::new(ErrorCode::Unknown, other.to_string())),
            },
        }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_ipc().serialize(serializer)
    }
}
