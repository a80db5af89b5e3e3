//! The hand-over by QR between two phones with no signal, as the UI sees it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A hand-over to show: QR codes the screen shows in a loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrShow {
    /// Each frame, as a PNG data URL (`data:image/png;base64,…`).
    pub frames: Vec<String>,
    /// The fewest frames a scanner needs (it may catch any of them, in any order).
    pub fragments: u32,
}

/// What a completed scan brought to this phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Received {
    /// A signed patrol for the leader here: open its review.
    Review(Uuid),
    /// The leader's countersignature: this phone's patrol is sealed.
    Sealed(Uuid),
}

/// Where a scan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanState {
    /// Distinct frames taken in.
    pub frames: u32,
    /// What the scan brought, once whole.
    pub received: Option<Received>,
}
