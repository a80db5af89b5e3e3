//! What the shell keeps between commands: the device store, or why it could not be opened.

use std::path::PathBuf;
use std::sync::Arc;

use redvest_core::{Error as CoreError, Store};
use redvest_shared::{ErrorCode, IpcError};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::Error;

/// Overrides the data directory (tests and demos use a fresh folder per run).
pub const DATA_DIR_ENV: &str = "REDVEST_DATA_DIR";
const DB_FILE: &str = "redvest.sqlite3";

/// The managed state. When the store cannot be opened the app still starts, and every
/// command answers with the reason, so the UI can say it instead of a blank window.
pub struct AppState {
    store: Result<Arc<Store>, IpcError>,
    data_dir: Option<PathBuf>,
}

impl AppState {
    /// Opens the store in `$REDVEST_DATA_DIR`, or in the platform's app data directory.
    pub fn open<R: Runtime>(app: &AppHandle<R>) -> Self {
        let data_dir = data_dir(app);
        let store = data_dir.clone().and_then(|dir| {
            Store::open(dir.join(DB_FILE)).map(Arc::new).map_err(|e| {
                tracing::error!(error = %e, "device store could not be opened");
                Error::from(e).to_ipc()
            })
        });
        Self { store, data_dir: data_dir.ok() }
    }

    /// The store, or the error that kept it closed.
    pub fn store(&self) -> Result<&Arc<Store>, Error> {
        self.store.as_ref().map_err(|e| Error::Unavailable(e.clone()))
    }

    /// Writes `bytes` to `<data dir>/exports/<name>` and returns the path.
    pub fn write_export(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
        let dir = self
            .data_dir
            .as_ref()
            .ok_or_else(|| Error::Unavailable(IpcError::new(ErrorCode::DataDir, "no data directory")))?
            .join("exports");
        let path = dir.join(name);
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|e| Error::Core(CoreError::Corrupt(format!("writing {}: {e}", path.display()))))?;
        Ok(path)
    }
}

fn data_dir<R: Runtime>(app: &AppHandle<R>) -> Result<PathBuf, IpcError> {
    let dir = match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => app
            .path()
            .app_data_dir()
            .map_err(|e| IpcError::new(ErrorCode::DataDir, format!("no app data directory: {e}")))?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        IpcError::new(ErrorCode::DataDir, format!("cannot create {}: {e}", dir.display()))
    })?;
    Ok(dir)
}
