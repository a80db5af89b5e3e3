//! 今日巡查: the home page.

use leptos::prelude::*;

use crate::components::lang_toggle::LangToggle;
use crate::components::patrol_list::PatrolList;
use crate::i18n::{error_text, use_text};
use crate::ipc;

/// Start a patrol, and see the patrols on this device.
#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_text();
    let start = Action::new_local(|_: &()| ipc::start_patrol());
    // Refetch whenever a start completes.
    let patrols = LocalResource::new(move || {
        start.version().get();
        ipc::list_patrols()
    });
    let start_error = move || start.value().get().and_then(Result::err);

    view! {
        <main class="page">
            <header class="page-header">
                <h1>{move || t().today}</h1>
                <LangToggle/>
            </header>
            <button
                class="primary"
                id="start-patrol"
                disabled=move || start.pending().get()
                on:click=move |_| {
                    start.dispatch(());
                }
            >
                {move || if start.pending().get() { t().starting } else { t().start_patrol }}
            </button>
            {move || start_error().map(|e| view! { <p class="error" role="alert">{error_text(t(), &e)}</p> })}
            <h2>{move || t().patrols_heading}</h2>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match patrols.await {
                        Ok(list) => view! { <PatrolList patrols=list/> }.into_any(),
                        Err(e) => view! {
                            <p class="error" role="alert" id="load-error">{error_text(t(), &e)}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}
