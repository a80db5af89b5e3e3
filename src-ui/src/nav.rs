//! Where the app is: the pages and moving between them. Every page imports this, not `app.rs`.

use leptos::prelude::*;
use uuid::Uuid;

/// The pages of the app. A signal, not URL routes: the app has no address bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// 今日巡查.
    Home,
    /// Choosing a post or zone for an ad hoc patrol.
    Start,
    /// One patrol: recording, read-only, or review.
    Patrol(Uuid),
    /// A patrol signed on another phone, for the leader here (队长待审).
    Review(Uuid),
    /// One hazard and its history.
    Hazard(Uuid),
    /// Roster, PINs, duties, keys, language.
    Settings,
    /// What waits to go to the county.
    Sync,
    /// 一键报警; back to the patrol it was opened from, else home.
    Rapid(Option<Uuid>),
}

/// Moves to another page.
pub fn use_navigate() -> impl Fn(Page) + Copy {
    let set_page = use_context::<WriteSignal<Page>>();
    move |page| {
        if let Some(set_page) = set_page {
            set_page.set(page);
        }
    }
}
