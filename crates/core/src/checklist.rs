//! The 巡查重点 catalog on the device.

use redvest_shared::checklist::ChecklistItem;
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
            "SELECT code, domain, zones, text_zh, text_en FROM checklist_item WHERE version = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([version], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?))
        })?;
        let mut items = Vec::new();
        for row in rows {
            let (code, domain, zones, text_zh, text_en) = row?;
            let zones: Vec<String> = serde_json::from_str(&zones)?;
            if zones.is_empty() || zones.iter().any(|z| z == assignment.key()) {
                items.push(ChecklistItem { code, domain: enum_from(&domain)?, text_zh, text_en });
            }
        }
        Ok(items)
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
