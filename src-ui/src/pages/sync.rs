//! 同步: what is waiting to go to the county.

use leptos::prelude::*;

use crate::app::{use_navigate, Page};
use crate::i18n::{error_text, human_bytes, use_text};
use crate::ipc;

/// The sync page.
#[component]
pub fn SyncPage() -> impl IntoView {
    let t = use_text();
    let navigate = use_navigate();
    let backlog = LocalResource::new(ipc::photo_backlog);
    view! {
        <main class="page">
            <header class="page-header">
                <h1>{move || t().sync}</h1>
                <button class="secondary" id="back" on:click=move |_| navigate(Page::Home)>{move || t().back}</button>
            </header>
            <section class="card">
                <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                    {move || Suspend::new(async move {
                        match backlog.await {
                            Ok(b) => view! {
                                <p id="photo-backlog">
                                    {move || t().photos_waiting} ": "
                                    <strong id="photo-backlog-bytes">{human_bytes(b.bytes)}</strong>
                                    " (" <span id="photo-backlog-count">{b.count}</span> " " {move || t().photo_count_unit} ")"
                                </p>
                            }.into_any(),
                            Err(e) => view! { <p class="error" role="alert">{error_text(t(), &e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </main>
    }
}
