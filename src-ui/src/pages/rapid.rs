//! 一键报警: pick what is happening and it is saved at once (time, who is on patrol, the last
//! position) and sent before anything else; then call 110/119/120 or the team's leader.

use leptos::leptos_dom::helpers::set_interval_with_handle;
use leptos::prelude::*;
use redvest_shared::rapid::{RapidContacts, RapidEntry, RapidKind};
use redvest_shared::sync::OutboxState;
use redvest_shared::IpcError;
use uuid::Uuid;

use crate::components::subpage::Subpage;
use crate::nav::{use_navigate, Page};
use crate::i18n::{local, use_lang, use_text, Text};
use crate::ipc;
use crate::components::field_error::ErrorLine;

/// The big button that opens the 一键报警 page; `back` is the patrol to return to.
#[component]
pub fn RapidButton(back: Option<Uuid>) -> impl IntoView {
    let t = use_text();
    let navigate = use_navigate();
    view! {
        <button class="alarm" id="rapid-open" on:click=move |_| navigate(Page::Rapid(back))>{move || t().rapid_button}</button>
    }
}

/// The 一键报警 page.
#[component]
pub fn RapidPage(back: Option<Uuid>) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let report = Action::new_local(move |kind: &RapidKind| ipc::report_rapid(*kind, back));
    let reporting = report.pending();
    // The worker sends in the background: 县平台已收到 shows up without a tap.
    let tick = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|n| *n += 1), std::time::Duration::from_secs(2)) {
        on_cleanup(move || handle.clear());
    }
    let reports = LocalResource::new(move || {
        tick.get();
        report.version().get();
        ipc::rapid_reports()
    });
    let contacts = LocalResource::new(ipc::rapid_contacts);
    let chosen = move || report.input().get().or_else(|| report.value().get().and_then(|r| r.ok()).map(|e| e.report.kind));
    view! {
        <Subpage title=|t| t.rapid_button back=back.map_or(Page::Home, Page::Patrol)>
            <p>{move || t().rapid_choose}</p>
            // The county calls nobody: said before anyone relies on it.
            <p class="rapid-warning" id="rapid-no-call"><strong>{move || t().rapid_no_call}</strong></p>
            <div class="rapid-kinds" id="rapid-kinds">
                {RapidKind::ALL.into_iter().map(|kind| view! {
                    <button
                        class="rapid-kind"
                        id=format!("rapid-kind-{}", kind_key(kind))
                        class:chosen=move || chosen() == Some(kind)
                        disabled=move || reporting.get()
                        on:click=move |_| { report.dispatch(kind); }
                    >{move || lang().rapid_kind(kind)}</button>
                }).collect_view()}
            </div>
            {move || report.value().get().map(|result| match result {
                Ok(entry) => view! { <Saved entry=entry reports=reports contacts=contacts/> }.into_any(),
                Err(e) => view! { <ErrorLine error=e id="rapid-error"/> }.into_any(),
            })}
            <section class="card" id="rapid-calls">
                <h2>{move || t().rapid_call_heading}</h2>
                // The number for what was chosen comes first.
                {move || {
                    let first = chosen().map_or("110", RapidKind::emergency_number);
                    let mut numbers = vec!["110", "119", "120"];
                    numbers.sort_by_key(|n| *n != first);
                    numbers.into_iter().map(|n| view! {
                        <a class="call" id=format!("call-{n}") href=format!("tel:{n}")>{move || call_label(t(), n)}</a>
                    }).collect_view()
                }}
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match contacts.await {
                            Ok(c) if c.leaders.is_empty() => view! { <p class="muted" id="no-leader-phone">{move || t().rapid_no_leader_phone}</p> }.into_any(),
                            Ok(c) => c.leaders.into_iter().map(|(name, phone)| view! {
                                <a class="call leader" href=format!("tel:{}", phone.replace(' ', "")) data-name=name.clone()>
                                    {move || t().call_leader} " " {name.clone()} " · " {phone.clone()}
                                </a>
                            }).collect_view().into_any(),
                            Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <h2>{move || t().rapid_history}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match reports.await {
                        Ok(list) => view! {
                            <ul class="row-list" id="rapid-list">
                                {list.into_iter().map(|e| view! {
                                    <li class="row rapid-row" data-state=format!("{:?}", e.state)>
                                        <span class="row-main">
                                            <strong>{move || lang().rapid_kind(e.report.kind)}</strong>
                                            <span class="muted">{local(e.report.at)} " · " {e.report.reporter.clone()}</span>
                                        </span>
                                        <span class="badge">{move || where_it_is(t(), e.state)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </Subpage>
    }
}

/// The report just saved: what, when, where, and whether the county has it yet.
#[component]
fn Saved(
    entry: RapidEntry,
    reports: LocalResource<Result<Vec<RapidEntry>, IpcError>>,
    contacts: LocalResource<Result<RapidContacts, IpcError>>,
) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let id = entry.id;
    let state = move || reports.get().and_then(Result::ok).and_then(|list| list.iter().find(|e| e.id == id).map(|e| e.state)).unwrap_or(entry.state);
    // Not enrolled: nothing will carry it, and the page must not pretend otherwise.
    let enrolled = move || contacts.get().and_then(Result::ok).is_none_or(|c| c.enrolled);
    let report = entry.report;
    view! {
        <section class="card rapid-saved" id="rapid-saved" role="status">
            <p><strong>{move || lang().rapid_kind(report.kind)}</strong> " · " {local(report.at)}</p>
            <p id="rapid-spot">{move || match &report.spot {
                Some(s) => lang().spot(s),
                None => t().rapid_no_spot.to_owned(),
            }}</p>
            <p id="rapid-state" class:error=move || !enrolled() || matches!(state(), OutboxState::Failed | OutboxState::Conflict)><strong>{move || match state() {
                _ if !enrolled() => t().rapid_not_enrolled,
                OutboxState::Pending | OutboxState::Sending => t().rapid_saved,
                other => where_it_is(t(), other),
            }}</strong></p>
        </section>
    }
}

/// Where a report stands, in words.
fn where_it_is(t: &'static Text, state: OutboxState) -> &'static str {
    match state {
        OutboxState::Sent => t.rapid_sent,
        OutboxState::Failed | OutboxState::Conflict => t.rapid_refused,
        OutboxState::Pending | OutboxState::Sending | OutboxState::Superseded => t.rapid_waiting,
    }
}

/// The id part for a kind's button.
fn kind_key(kind: RapidKind) -> &'static str {
    match kind {
        RapidKind::Security => "security",
        RapidKind::Fire => "fire",
        RapidKind::Injury => "injury",
        RapidKind::Suspicious => "suspicious",
        RapidKind::Other => "other",
    }
}

/// The words on a public number's button.
fn call_label(t: &'static Text, number: &str) -> &'static str {
    match number {
        "119" => t.call_119,
        "120" => t.call_120,
        _ => t.call_110,
    }
}
