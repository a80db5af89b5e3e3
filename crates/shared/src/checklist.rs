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

impl CheckDomain {
    /// Its stable key, as serde and the forms write it.
    pub fn key(self) -> &'static str {
        match self {
            CheckDomain::PublicOrder => "public_order",
            CheckDomain::WorkSafety => "work_safety",
            CheckDomain::FireSafety => "fire_safety",
        }
    }

    /// Its name in Chinese, as the phones and the county show it.
    pub fn zh(self) -> &'static str {
        match self {
            CheckDomain::PublicOrder => "社会治安",
            CheckDomain::WorkSafety => "安全生产",
            CheckDomain::FireSafety => "消防安全",
        }
    }
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
    /// Common wordings of a problem found here, in Chinese (offered as taps).
    #[serde(default)]
    pub phrases_zh: Vec<String>,
    /// The same in English.
    #[serde(default)]
    pub phrases_en: Vec<String>,
}

/// Catalog version 1 as the device's store seeds it (`migrations/02-patrol-log`): code, domain
/// and text, in catalog order, for those who show a record without a device's store (the
/// county). A device test keeps the two the same.
pub const CATALOG_V1: [(&str, CheckDomain, &str); 24] = [
    ("PO-01", CheckDomain::PublicOrder, "公共场所有无聚众赌博、涉黄现象"),
    ("PO-02", CheckDomain::PublicOrder, "宾馆旅店是否落实实名登记、未成年人入住\"五必须\""),
    ("PO-03", CheckDomain::PublicOrder, "出租房是否备案"),
    ("PO-04", CheckDomain::PublicOrder, "流动人口是否登记"),
    ("PO-05", CheckDomain::PublicOrder, "校园是否封闭管理、保安是否在岗值守"),
    ("PO-06", CheckDomain::PublicOrder, "重点群体是否排查管控到位"),
    ("PO-07", CheckDomain::PublicOrder, "农村道路有无三轮车、两轮车超载"),
    ("PO-08", CheckDomain::PublicOrder, "有无可疑人员、车辆、物品"),
    ("PO-09", CheckDomain::PublicOrder, "有无盗窃变压器、电缆、农用车、牲畜"),
    ("WS-01", CheckDomain::WorkSafety, "疏散通道、安全出口是否被占用、堵塞、封闭"),
    ("WS-02", CheckDomain::WorkSafety, "特种作业人员是否持证上岗"),
    ("WS-03", CheckDomain::WorkSafety, "有无住宿与生产经营\"三合一\""),
    ("WS-04", CheckDomain::WorkSafety, "有无违规停放、充电电动自行车"),
    ("WS-05", CheckDomain::WorkSafety, "消火栓是否被遮挡、完好有效"),
    ("WS-06", CheckDomain::WorkSafety, "灭火器是否每月检查并记录"),
    ("WS-07", CheckDomain::WorkSafety, "餐饮、夜市、摊点是否安全"),
    ("WS-08", CheckDomain::WorkSafety, "危化品、建筑施工、特种设备、交通运输是否安全"),
    ("FS-01", CheckDomain::FireSafety, "出租房、合用场所消防安全"),
    ("FS-02", CheckDomain::FireSafety, "挂牌重大火灾隐患单位(区域)"),
    ("FS-03", CheckDomain::FireSafety, "问题村(社区)"),
    ("FS-04", CheckDomain::FireSafety, "老旧住宅小区"),
    ("FS-05", CheckDomain::FireSafety, "独居老人等特殊群体居住场所"),
    ("FS-06", CheckDomain::FireSafety, "老年人居住周转用房"),
    ("FS-07", CheckDomain::FireSafety, "\"九小场所\"消防安全"),
];

/// The text of an item of catalog version 1, by its code.
pub fn item_text(code: &str) -> Option<&'static str> {
    CATALOG_V1.iter().find(|(c, _, _)| *c == code).map(|(_, _, text)| *text)
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

/// An answered item as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnsweredItem {
    /// The item's code.
    pub code: String,
    /// Its text in Chinese (the code itself when no catalog on the device knows it).
    pub text_zh: String,
    /// Its text in English (likewise).
    pub text_en: String,
    /// The answer.
    pub outcome: CheckOutcome,
}

/// A record's answers in one domain, in catalog order; `domain` is `None` for codes no
/// catalog on the device knows (shown under 其他, last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnsweredGroup {
    /// The domain.
    pub domain: Option<CheckDomain>,
    /// Its answered items.
    pub items: Vec<AnsweredItem>,
}

/// The domains in the order the catalog lists them.
pub const DOMAINS: [CheckDomain; 3] = [CheckDomain::PublicOrder, CheckDomain::WorkSafety, CheckDomain::FireSafety];

/// Groups `answers` by domain in catalog order. `catalog` is every item known, as (catalog
/// version, item), in catalog order; an answer is named by the item of its own version.
pub fn group_answers(answers: &[CheckResult], catalog: &[(u32, ChecklistItem)]) -> Vec<AnsweredGroup> {
    let mut groups: Vec<AnsweredGroup> = DOMAINS.iter().map(|d| AnsweredGroup { domain: Some(*d), items: Vec::new() }).chain([AnsweredGroup { domain: None, items: Vec::new() }]).collect();
    let known = |a: &CheckResult| catalog.iter().any(|(v, i)| *v == a.catalog_version && i.code == a.code);
    for (version, item) in catalog {
        if let Some(answer) = answers.iter().find(|a| a.catalog_version == *version && a.code == item.code) {
            let group = DOMAINS.iter().position(|d| *d == item.domain).unwrap_or(DOMAINS.len());
            groups[group].items.push(AnsweredItem { code: item.code.clone(), text_zh: item.text_zh.clone(), text_en: item.text_en.clone(), outcome: answer.outcome });
        }
    }
    for a in answers.iter().filter(|a| !known(a)) {
        groups[DOMAINS.len()].items.push(AnsweredItem { code: a.code.clone(), text_zh: a.code.clone(), text_en: a.code.clone(), outcome: a.outcome });
    }
    groups.retain(|g| !g.items.is_empty());
    groups
}
