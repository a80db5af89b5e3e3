//! Drafts of forms being typed: saved on every change, so a killed app loses at most the
//! field being edited.

use chrono::Utc;
use rusqlite::{params, OptionalExtension};

use crate::field::text;
use crate::{Result, Store};

impl Store {
    /// Saves (replaces) the draft under `key`, e.g. `hazard:<patrol id>`.
    pub fn save_draft(&self, key: &str, body: &str) -> Result<()> {
        let key = text("draft.key", key, 100, true)?;
        self.conn().execute(
            "INSERT INTO draft (key, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            params![key, body, Utc::now()],
        )?;
        Ok(())
    }

    /// The draft under `key`, if any.
    pub fn load_draft(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn().query_row("SELECT body FROM draft WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// Forgets the draft under `key` (after the form is submitted or cancelled).
    pub fn clear_draft(&self, key: &str) -> Result<()> {
        self.conn().execute("DELETE FROM draft WHERE key = ?1", [key])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn draft_survives_reopen_and_clears() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db.sqlite3");
        Store::open(&path).expect("open").save_draft("hazard:1", r#"{"description":"消火栓"}"#).expect("save");
        let store = Store::open(&path).expect("reopen");
        assert_eq!(store.load_draft("hazard:1").expect("load").as_deref(), Some(r#"{"description":"消火栓"}"#));
        store.clear_draft("hazard:1").expect("clear");
        assert_eq!(store.load_draft("hazard:1").expect("load"), None);
    }
}
