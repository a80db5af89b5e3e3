//! The typed client for the shell's commands: the only code that touches `invoke`/`JsValue`.

use redvest_shared::patrol::StartPatrol;
use redvest_shared::today::Today;
use redvest_shared::{ErrorCode, IpcError, PatrolSummary};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

async fn call<T: DeserializeOwned>(cmd: &str, args: JsValue) -> Result<T, IpcError> {
    match tauri_invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|e| IpcError::new(ErrorCode::Unknown, format!("{cmd}: unexpected reply: {e}"))),
        // The shell rejects with `{code, message}`; anything else (no Tauri, a JS exception)
        // is kept as text for the bug report.
        Err(err) => Err(serde_wasm_bindgen::from_value(err.clone())
            .unwrap_or_else(|_| IpcError::new(ErrorCode::Unknown, format!("{cmd}: {err:?}")))),
    }
}

fn args<T: Serialize>(value: &T) -> Result<JsValue, IpcError> {
    serde_wasm_bindgen::to_value(value)
        .map_err(|e| IpcError::new(ErrorCode::Unknown, format!("arguments: {e}")))
}

/// All patrols on the device, newest first.
pub async fn list_patrols() -> Result<Vec<PatrolSummary>, IpcError> {
    call("list_patrols", JsValue::UNDEFINED).await
}

/// Starts a patrol now; returns it once it is saved on the device.
pub async fn start_patrol(start: StartPatrol) -> Result<PatrolSummary, IpcError> {
    #[derive(Serialize)]
    struct Args {
        start: StartPatrol,
    }
    call("start_patrol", args(&Args { start })?).await
}

/// Today's duties, open hazards, the unfinished patrol and the unsynced count.
pub async fn today() -> Result<Today, IpcError> {
    call("today", JsValue::UNDEFINED).await
}
