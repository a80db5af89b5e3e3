//! The 巡查重点 checklist: items grouped by domain, each answered 正常 / 发现问题 / 不适用.

use serde::{Deserialize, Serialize};

/// The three domains of seed 004's 巡查重点.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckDomain {
    /// 社会治安.
    PublicOrder,
    /// 安全生产.
    WorkSafety,
    /// 消防安全.
    FireSafety,
}

/// One item of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable code, e.g. `PO-03`.
    pub code: String,
    /// Its domain.
    pub domain: CheckDomain,
    /// The question in Chinese.
    pub text_zh: String,
    /// The question in English.
    pub text_en: String,
}

/// The answer to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// 正常.
    Normal,
    /// 发现问题.
    Problem,
    /// 不适用.
    NotApplicable,
}

/// An answered item in a patrol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The item's code.
    pub code: String,
    /// The catalog version the item came from.
    pub catalog_version: u32,
    /// The answer.
    pub outcome: CheckOutcome,
}
