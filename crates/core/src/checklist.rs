//! The 巡查重点 catalog on the device.

use redvest_shared::checklist::{group_answers, AnsweredGroup, CheckResult, ChecklistItem};
use redvest_shared::duty::Assignment;

use crate::field::enum_from;
use crate::{Result, Store};

impl Store {
    /// The newest catalog version on the device.
    pub fn catalog_version(&self) -> Result<u32> {
        Ok(self.conn().query_row("SELECT COALESCE(MAX(version), 0) FROM checklist_item", [], |r| r.get(0))?)
    }

    /// The items of the newest catalog that apply to `assignment`, in catalog order.
    pub fn checklist(&self, assignment: Assignment) -> Result<Vec<ChecklistItem>> {
        let version = self.catalog_version()?;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT code, domain, zones, text_zh, text_en, phrases_zh, phrases_en FROM checklist_item WHERE version = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([version], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                (r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                (r.get::<_, String>(5)?, r.get::<_, String>(6)?),
            ))
        })?;
        let mut items = Vec::new();
        for row in rows {
            let (code, domain, zones, (text_zh, text_en), (phrases_zh, phrases_en)) = row?;
            let zones: Vec<String> = serde_json::from_str(&zones)?;
            if zones.is_empty() || zones.iter().any(|z| z == assignment.key()) {
                items.push(ChecklistItem {
                    code,
                    domain: enum_from(&domain)?,
                    text_zh,
                    text_en,
                    // Only a help for typing: a wording that does not read offers none.
                    phrases_zh: serde_json::from_str(&phrases_zh).unwrap_or_default(),
                    phrases_en: serde_json::from_str(&phrases_en).unwrap_or_default(),
                });
            }
        }
        Ok(items)
    }

    /// A record's answers by domain, in catalog order, with the items' text (every catalog
    /// version on the device, each answer by its own version).
    pub fn answered(&self, answers: &[CheckResult]) -> Result<Vec<AnsweredGroup>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT version, code, domain, text_zh, text_en FROM checklist_item ORDER BY version, position")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?)))?;
        let mut catalog = Vec::new();
        for row in rows {
            let (version, code, domain, text_zh, text_en) = row?;
            catalog.push((version, ChecklistItem { code, domain: enum_from(&domain)?, text_zh, text_en, phrases_zh: Vec::new(), phrases_en: Vec::new() }));
        }
        Ok(group_answers(answers, &catalog))
    }
}

#[cfg(test)]
mod tests {
    use redvest_shared::checklist::CheckDomain;
    use redvest_shared::duty::{Post, Zone};

    use super::*;

    #[test]
    fn catalog_is_seeded_and_filtered_by_zone() {
        let store = Store::open_in_memory().expect("open");
        assert_eq!(store.catalog_version().expect("v"), 1);
        let town = store.checklist(Assignment::Zone(Zone::TownCentre)).expect("town");
        let gate = store.checklist(Assignment::Post(Post::SchoolGate)).expect("gate");
        assert!(town.iter().any(|i| i.code == "PO-02"), "hotels are checked in the town centre");
        assert!(!gate.iter().any(|i| i.code == "PO-02"), "not at the school gate");
        assert!(gate.iter().any(|i| i.code == "PO-05"));
        for domain in [CheckDomain::PublicOrder, CheckDomain::WorkSafety, CheckDomain::FireSafety] {
            assert!(town.iter().any(|i| i.domain == domain), "{domain:?} present");
        }
        // Every item of every post and zone offers wordings of a problem, in both languages,
        // as many of each.
        let mut seen = std::collections::BTreeSet::new();
        for assignment in Assignment::ALL {
            for item in store.checklist(assignment).expect("items") {
                assert!(!item.phrases_zh.is_empty() && item.phrases_zh.len() == item.phrases_en.len(), "{}: {:?} / {:?}", item.code, item.phrases_zh, item.phrases_en);
                seen.insert(item.code);
            }
        }
        assert_eq!(seen.len(), redvest_shared::checklist::CATALOG_V1.len(), "every item is some post's or zone's");
        let exits = town.iter().find(|i| i.code == "WS-01").expect("WS-01");
        assert!(exits.phrases_zh.contains(&"通道堵塞".to_owned()));
    }

    #[test]
    fn a_records_answers_read_by_domain_in_catalog_order() {
        use redvest_shared::checklist::{CheckOutcome, CheckResult};
        let store = Store::open_in_memory().expect("open");
        let answer = |code: &str, version, outcome| CheckResult { code: code.into(), catalog_version: version, outcome };
        // Answered out of order, one code no catalog knows, one of a version not on the device.
        let answers = [
            answer("FS-02", 1, CheckOutcome::NotApplicable),
            answer("WS-01", 1, CheckOutcome::Problem),
            answer("PO-08", 1, CheckOutcome::Normal),
            answer("PO-01", 1, CheckOutcome::Normal),
            answer("XX-99", 1, CheckOutcome::Normal),
            answer("PO-01", 7, CheckOutcome::Problem),
        ];
        let groups = store.answered(&answers).expect("answered");
        let read: Vec<(Option<CheckDomain>, Vec<&str>)> = groups.iter().map(|g| (g.domain, g.items.iter().map(|i| i.text_zh.as_str()).collect())).collect();
        assert_eq!(
            read,
            vec![
                (Some(CheckDomain::PublicOrder), vec!["公共场所有无聚众赌博、涉黄现象", "有无可疑人员、车辆、物品"]),
                (Some(CheckDomain::WorkSafety), vec!["疏散通道、安全出口是否被占用、堵塞、封闭"]),
                (Some(CheckDomain::FireSafety), vec!["挂牌重大火灾隐患单位(区域)"]),
                (None, vec!["XX-99", "PO-01"]),
            ]
        );
        assert_eq!(groups[3].items[1].outcome, CheckOutcome::Problem, "version 7's PO-01 is not version 1's");
    }

    #[test]
    fn the_shared_catalog_is_the_one_the_store_seeds() {
        let store = Store::open_in_memory().expect("open");
        let conn = store.conn();
        let mut stmt = conn.prepare("SELECT code, domain, text_zh FROM checklist_item WHERE version = 1 ORDER BY position").expect("prepare");
        let seeded: Vec<(String, String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("query").map(|r| r.expect("row")).collect();
        let shared: Vec<(String, String, String)> = redvest_shared::checklist::CATALOG_V1
            .iter()
            .map(|(code, domain, text)| ((*code).to_owned(), crate::field::enum_text(domain).expect("domain"), (*text).to_owned()))
            .collect();
        assert_eq!(seeded, shared, "the county names items by the shared catalog: it must be the device's");
    }
}
