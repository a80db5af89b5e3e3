//! A list of patrols, newest first.

use leptos::prelude::*;
use redvest_shared::PatrolSummary;

use crate::nav::{use_navigate, Page};
use crate::i18n::{use_lang, use_text};

/// Patrols as rows: local date and time each started.
#[component]
pub fn PatrolList(patrols: Vec<PatrolSummary>) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let navigate = use_navigate();
    if patrols.is_empty() {
        return view! { <p class="muted" id="no-patrols">{move || t().no_patrols}</p> }.into_any();
    }
    view! {
        <ul class="patrol-list" id="patrol-list">
            <For each=move || patrols.clone() key=|p| p.id let:patrol>
                <li class="patrol-row" data-id=patrol.id.to_string() on:click=move |_| navigate(Page::Patrol(patrol.id))>
                    <span class="row-main">
                        <span class="patrol-time">
                            {crate::i18n::local(patrol.started_at)}
                        </span>
                        <span class="muted">{move || lang().assignment(patrol.assignment)}</span>
                    </span>
                    <span class="badge">{move || lang().patrol_state(patrol.state)}</span>
                </li>
            </For>
        </ul>
    }
    .into_any()
}
