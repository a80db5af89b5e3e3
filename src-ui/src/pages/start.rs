//! Starting an ad hoc patrol: one big button per post or zone.

use leptos::prelude::*;
use redvest_shared::duty::Assignment;
use redvest_shared::patrol::StartPatrol;

use crate::components::subpage::Subpage;
use crate::nav::{use_navigate, Page};
use crate::components::field_error::{ErrorLine, FieldError};
use crate::i18n::{use_lang, use_text};
use crate::ipc;

/// Pick what to patrol; the patrol starts at once.
#[component]
pub fn StartPage() -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let navigate = use_navigate();
    let route = RwSignal::new(String::new());
    let start = Action::new_local(move |assignment: &Assignment| {
        let start = StartPatrol { duty_id: None, assignment: Some(*assignment), route: route.get_untracked(), planned_start: None };
        async move {
            let result = ipc::start_patrol(start).await;
            if let Ok(p) = &result {
                navigate(Page::Patrol(p.id));
            }
            result
        }
    });
    let starting = start.pending();
    let (start_error, set_start_error) = signal(None);
    Effect::new(move |_| set_start_error.set(start.value().get().and_then(Result::err)));
    let error = move || start_error.get().filter(|e: &redvest_shared::IpcError| e.field.is_none());
    view! {
        <Subpage title=|t| t.choose_assignment>
            {move || error().map(|e| view! { <ErrorLine error=e/> })}
            {move || starting.get().then(|| view! { <p class="muted">{t().starting}</p> })}
            <label class="field">
                <span>{move || t().route}</span>
                <input id="route" prop:value=move || route.get() on:input=move |ev| route.set(event_target_value(&ev))/>
            </label>
            <FieldError error=start_error field="patrol.route"/>
            <div class="choices">
                {Assignment::ALL
                    .into_iter()
                    .map(|a| {
                        view! {
                            <button
                                class="choice"
                                data-assignment=a.key()
                                disabled=move || starting.get()
                                on:click=move |_| {
                                    start.dispatch(a);
                                }
                            >
                                {move || lang().assignment(a)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </Subpage>
    }
}
