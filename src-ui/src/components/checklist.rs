//! 巡查重点: the checklist for the patrol's post or zone, grouped by domain.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::checklist::{CheckOutcome, ChecklistItem};
use redvest_shared::duty::Assignment;
use redvest_shared::IpcError;
use uuid::Uuid;

use crate::components::field_error::FieldError;
use crate::components::load_error::load_failed;
use crate::i18n::{use_lang, use_text, Lang};
use crate::ipc;

/// The text of an item in the current language.
pub fn item_text(lang: Lang, item: &ChecklistItem) -> String {
    match lang {
        Lang::Zh => item.text_zh.clone(),
        Lang::En => item.text_en.clone(),
    }
}

/// Each item answered 正常 / 发现问题 / 不适用, saved on every tap. `outcomes` is shared with
/// the finish section's summary; an item answered 发现问题 offers 登记为隐患, which opens the
/// hazard form filled from it.
#[component]
pub fn ChecklistEditor(
    patrol_id: Uuid,
    assignment: Assignment,
    outcomes: RwSignal<HashMap<String, CheckOutcome>>,
    /// Called with an item answered 发现问题 when the volunteer asks to record it as a hazard.
    on_report: Callback<ChecklistItem>,
    /// Set to the number of items once the checklist has loaded (the step bar's 5/12).
    #[prop(optional)]
    total: Option<RwSignal<Option<usize>>>,
) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let (error, set_error) = signal(None::<IpcError>);
    let items = LocalResource::new(move || ipc::checklist(assignment));
    if let Some(total) = total {
        Effect::new(move |_| {
            if let Some(Ok(items)) = items.get() {
                total.set(Some(items.len()));
            }
        });
    }
    let answer = move |code: String, outcome: CheckOutcome| {
        outcomes.update(|m| {
            m.insert(code.clone(), outcome);
        });
        spawn_local(async move { set_error.set(ipc::set_check(patrol_id, code, outcome).await.err()) });
    };
    view! {
        <section class="card" id="checklist">
            <h2>{move || t().checklist_heading}</h2>
            <FieldError error=error field="*"/>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                // A checklist that failed to load says so: it must not look like nothing to check.
                <ErrorBoundary fallback=load_failed>
                {move || Suspend::new(async move {
                    let items = items.await?;
                    Ok::<_, IpcError>(redvest_shared::checklist::DOMAINS
                        .into_iter()
                        .map(|domain| {
                            let rows = items
                                .iter()
                                .filter(|i| i.domain == domain)
                                .cloned()
                                .map(|item| {
                                    let code = item.code.clone();
                                    let buttons = [CheckOutcome::Normal, CheckOutcome::Problem, CheckOutcome::NotApplicable]
                                        .into_iter()
                                        .map(|o| {
                                            let code = code.clone();
                                            let code2 = code.clone();
                                            let label = move || match o {
                                                CheckOutcome::Normal => t().normal,
                                                CheckOutcome::Problem => t().problem,
                                                CheckOutcome::NotApplicable => t().not_applicable,
                                            };
                                            view! {
                                                <button
                                                    type="button"
                                                    class="toggle"
                                                    data-outcome=format!("{o:?}")
                                                    class:selected=move || outcomes.with(|m| m.get(&code2) == Some(&o))
                                                    on:click=move |_| answer(code.clone(), o)
                                                >
                                                    {label}
                                                </button>
                                            }
                                        })
                                        .collect_view();
                                    let found = {
                                        let code = code.clone();
                                        move || outcomes.with(|m| m.get(&code) == Some(&CheckOutcome::Problem))
                                    };
                                    let this = item.clone();
                                    view! {
                                        <li class="check-row" data-code=code>
                                            <span>{move || item_text(lang(), &item)}</span>
                                            <div class="toggles">{buttons}</div>
                                            <Show when=found>
                                                <button type="button" class="secondary report-problem" on:click={
                                                    let this = this.clone();
                                                    move |_| on_report.run(this.clone())
                                                }>{move || t().report_as_hazard}</button>
                                            </Show>
                                        </li>
                                    }
                                })
                                .collect_view();
                            view! {
                                <h3>{move || lang().domain(domain)}</h3>
                                <ul class="plain">{rows}</ul>
                            }
                        })
                        .collect_view())
                })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
