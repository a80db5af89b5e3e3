//! The frame of every page below home: its heading and 返回, in one place.

use leptos::prelude::*;

use crate::i18n::{use_text, Text};
use crate::nav::{use_navigate, Page};

/// A page with `title` (none: the content brings its own) and 返回 to `back`.
#[component]
pub fn Subpage(
    #[prop(optional)] title: Option<fn(&'static Text) -> &'static str>,
    #[prop(default = Page::Home)] back: Page,
    /// The `<main>` element's id, for tests and screenshots.
    #[prop(optional)]
    id: &'static str,
    children: Children,
) -> impl IntoView {
    let t = use_text();
    let navigate = use_navigate();
    view! {
        <main class="page" id=(!id.is_empty()).then_some(id)>
            <header class="page-header">
                {title.map(|title| view! { <h1>{move || title(t())}</h1> })}
                <button class="secondary" id="back" on:click=move |_| navigate(back)>{move || t().back}</button>
            </header>
            {children()}
        </main>
    }
}
