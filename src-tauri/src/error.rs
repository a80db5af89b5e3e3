//! The shell's one error type. It reaches the UI as `{code, message}` ([`IpcError`]).

use redvest_core::StoreError;
use redvest_shared::{ErrorCode, IpcError};
use serde::{Serialize, Serializer};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store was never opened; this is why.
    #[error("device store unavailable: {0}")]
    Unavailable(IpcError),
}

impl Error {
    /// The stable shape the UI receives.
    pub fn to_ipc(&self) -> IpcError {
        match self {
            Error::Store(e @ StoreError::SchemaTooNew { .. }) => IpcError::new(ErrorCode::SchemaTooNew, e.to_string()),
            Error::Store(e) => IpcError::new(ErrorCode::Storage, e.to_string()),
            Error::Unavailable(e) => e.clone(),
        }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_ipc().serialize(serializer)
    }
}
