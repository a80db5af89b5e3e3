//! Pull: what the county published for the team (the roster, monthly plans, the checklist
//! version, alerts, hazard decisions), page by page; each page is applied with its cursor in
//! one transaction, so a cut run never applies a page twice or skips one.

use chrono::{DateTime, Utc};
use redvest_shared::wire::{PullPage, Published};
use rusqlite::params;

use super::run::Run;
use super::{send, transport, SyncFailure, SyncReport};
use crate::field::enum_text;
use crate::{Result, Store};

const CURSOR: &str = "sync.cursor";

/// What applying a pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Items applied.
    pub items: u32,
    /// Held outbox entries let go again by a roster change.
    pub released: u32,
    /// Patrols of this phone a leader countersigned elsewhere: sealed now, queued whole.
    pub sealed: u32,
}

impl Store {
    /// Applies a pulled page and stores its cursor, in one transaction. A roster that changed
    /// anything lets held entries go again (a leader confirmed, a proposal merged).
    pub fn apply_pulled(&self, page: &PullPage) -> Result<Applied> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = Utc::now();
        let mut roster_changed = false;
        let mut sealed = 0;
        for item in &page.items {
            match &item.body {
                Published::Roster { members, merged } => {
                    roster_changed |= crate::roster::apply_roster(&tx, members, merged, now)?;
                }
                Published::Plan { duties, .. } => {
                    for d in duties {
                        let recurrence = redvest_shared::duty::Recurrence::Dates { dates: d.dates.clone() };
                        tx.execute(
                            "INSERT INTO duty (id, assignment, place, time, recurrence) VALUES (?1, ?2, ?3, ?4, ?5)
                             ON CONFLICT (id) DO UPDATE SET assignment = excluded.assignment, place = excluded.place,
                                 time = excluded.time, recurrence = excluded.recurrence, removed_at = NULL",
                            params![d.id, d.assignment.key(), d.place, d.time.format("%H:%M:%S").to_string(), serde_json::to_string(&recurrence)?],
                        )?;
                    }
                }
                Published::Checklist { version } => {
                    tx.execute(
                        "INSERT INTO setting (key, value) VALUES ('sync.checklist_version', ?1)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [version.to_string()],
                    )?;
                }
                Published::Alert(a) => {
                    tx.execute(
                        "INSERT INTO alert (id, text, area, valid_from, valid_to) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                        params![a.id, a.text, a.area, a.valid_from, a.valid_to],
                    )?;
                }
                // A record or decision this phone cannot use is logged and passed over: one bad
                // item must never stop the pull for good.
                Published::Review(r) => {
                    passed_over(item.seq, crate::review::receive(&tx, &r.submission, crate::review::Source::County, now))?;
                }
                Published::Decision(d) => sealed += u32::from(passed_over(item.seq, crate::review::apply_decision(&tx, d, now))?.unwrap_or(false)),
                Published::HazardDecision(d) => {
                    // Appended to the history (never replacing a local entry); once, by its id.
                    tx.execute(
                        "INSERT INTO hazard_event (id, hazard_id, at, by_name, state, reason, responsible, deadline, keeps_state)
                         SELECT ?1, ?2, ?3, ?4,
                                CASE WHEN ?9 THEN coalesce((SELECT state FROM hazard_event WHERE hazard_id = ?2 AND keeps_state = 0 AND (at, id) < (?3, ?1)
                                                            ORDER BY at DESC, id DESC LIMIT 1), ?5) ELSE ?5 END,
                                ?6, ?7, ?8, ?9
                         WHERE EXISTS (SELECT 1 FROM hazard WHERE id = ?2)
                         ON CONFLICT (id) DO NOTHING",
                        params![
                            d.id,
                            d.hazard_id,
                            d.at,
                            d.by.as_deref().unwrap_or("县综治中心"),
                            enum_text(&d.state)?,
                            d.reason,
                            d.responsible,
                            d.deadline,
                            // 督办 presses; it keeps the state (shown as it was at its time).
                            d.action == Some(redvest_shared::hazard::CountyAction::Supervise)
                        ],
                    )?;
                }
            }
        }
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR, page.next.to_string()],
        )?;
        let released = if roster_changed { crate::outbox::release_held(&tx)? } else { 0 };
        tx.commit()?;
        Ok(Applied { items: u32::try_from(page.items.len()).unwrap_or(u32::MAX), released: u32::try_from(released).unwrap_or(u32::MAX), sealed })
    }

    /// Alerts in force at `now`.
    pub fn alerts(&self, now: DateTime<Utc>) -> Result<Vec<redvest_shared::wire::Alert>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, text, area, valid_from, valid_to FROM alert WHERE valid_to > ?1 ORDER BY valid_from DESC")?;
        let rows = stmt
            .query_map([now], |r| Ok(redvest_shared::wire::Alert { id: r.get(0)?, text: r.get(1)?, area: r.get(2)?, valid_from: r.get(3)?, valid_to: r.get(4)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The pull cursor.
    pub fn pull_cursor(&self) -> Result<i64> {
        Ok(self.setting::<i64>(CURSOR)?.unwrap_or(0))
    }

    pub(super) fn reset_pull_cursor(&self) -> Result<()> {
        self.conn().execute("DELETE FROM setting WHERE key = ?1", [CURSOR])?;
        Ok(())
    }
}

/// `Ok(None)` for an item refused for its content (logged), the error for storage failures.
fn passed_over<T>(seq: i64, result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e @ (crate::Error::Sqlite(_) | crate::Error::File { .. })) => Err(e),
        Err(e) => {
            tracing::warn!(seq, error = %e, "pulled item passed over");
            Ok(None)
        }
    }
}

impl Run<'_> {
    /// Pages of what the county published; the cursor is stored with each applied page.
    /// Returns how many entries became due: held ones a roster change let go, and patrols
    /// sealed by a leader's decision.
    pub(super) fn pull(&self, report: &mut SyncReport) -> Result<u32, SyncFailure> {
        let mut released = 0;
        loop {
            let after = self.store.pull_cursor()?;
            let page: PullPage = send(self.client.get(self.url("/pull")).bearer_auth(&self.enrolment.token).query(&[("after", after), ("limit", 100)]))?
                .json()
                .map_err(transport)?;
            report.answers += 1;
            let applied = self.store.apply_pulled(&page)?;
            report.pulled += applied.items;
            released += applied.released + applied.sealed;
            if !page.more || page.items.is_empty() {
                return Ok(released);
            }
        }
    }
}
