//! 同步: enrolment with the county, what waits to be sent, the last success and the last
//! error in plain words, each entry's state, 立即同步, and the county's alerts.

use chrono::{DateTime, Local, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::sync::{OutboxKind, OutboxState, SyncStatus};
use redvest_shared::IpcError;

use crate::app::{use_navigate, Page};
use crate::components::field_error::FieldError;
use crate::i18n::{error_text, human_bytes, outbox_kind, outbox_state, sync_problem, use_text};
use crate::ipc;

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%m-%d %H:%M").to_string()
}

/// The sync page.
#[component]
pub fn SyncPage() -> impl IntoView {
    let t = use_text();
    let navigate = use_navigate();
    let tick = RwSignal::new(0u32);
    // Refreshed every second while the page is open: progress moves, states change.
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|n| *n += 1), std::time::Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
    let status = LocalResource::new(move || {
        tick.get();
        ipc::sync_status()
    });
    let backlog = LocalResource::new(move || {
        tick.get();
        ipc::photo_backlog()
    });
    view! {
        <main class="page">
            <header class="page-header">
                <h1>{move || t().sync}</h1>
                <button class="secondary" id="back" on:click=move |_| navigate(Page::Home)>{move || t().back}</button>
            </header>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.enrolled.is_none() => view! { <Enrol on_done=move || tick.update(|n| *n += 1)/> }.into_any(),
                        Ok(s) => view! { <Status status=s/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{error_text(t(), &e)}</p> }.into_any(),
                    }
                })}
            </Transition>
            <section class="card">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        backlog.await.ok().map(|b| view! {
                            <p id="photo-backlog">
                                {move || t().photos_waiting} ": "
                                <strong id="photo-backlog-bytes">{human_bytes(b.bytes)}</strong>
                                " (" <span id="photo-backlog-count">{b.count}</span> " " {move || t().photo_count_unit} ")"
                            </p>
                        })
                    })}
                </Transition>
            </section>
        </main>
    }
}

/// Connecting the device to the county with the clerk's one-time code.
#[component]
fn Enrol(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = use_text();
    let server = RwSignal::new("http://127.0.0.1:8787".to_string());
    let code = RwSignal::new(String::new());
    let device = RwSignal::new("巡防手机".to_string());
    let (error, set_error) = signal(None::<IpcError>);
    let busy = RwSignal::new(false);
    let submit = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = ipc::enrol(server.get_untracked(), code.get_untracked(), device.get_untracked()).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    set_error.set(None);
                    on_done();
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let field = move |name: &'static str, label: fn(&crate::i18n::Text) -> &'static str, value: RwSignal<String>| view! {
        <label class="field">
            <span>{move || label(t())}</span>
            <input name=name prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <FieldError error=error field=name/>
        </label>
    };
    view! {
        <section class="card" id="enrol">
            <h2>{move || t().enrol_heading}</h2>
            {field("sync.server", |t| t.enrol_server, server)}
            {field("sync.code", |t| t.enrol_code, code)}
            {field("sync.device_name", |t| t.enrol_device, device)}
            <FieldError error=error field="*"/>
            <button class="primary" id="enrol-button" disabled=move || busy.get() on:click=submit>{move || t().enrol_button}</button>
        </section>
    }
}

#[component]
fn Status(status: SyncStatus) -> impl IntoView {
    let t = use_text();
    let team = status.enrolled.as_ref().map(|e| e.team_name.clone()).unwrap_or_default();
    let nothing_pending = status.pending.is_empty();
    view! {
        <section class="card" id="sync-status">
            <p class="muted">{move || t().team_label} ": " <span id="sync-team">{team}</span></p>
            <button class="primary" id="sync-now" on:click=move |_| { spawn_local(async { let _ = ipc::sync_now().await; }); }>
                {move || t().sync_now}
            </button>
            {status.progress.map(|p| view! {
                <progress id="sync-progress" max=p.total_bytes.max(1).to_string() value=p.done_bytes.to_string()></progress>
                <p class="muted">{human_bytes(p.done_bytes)} " / " {human_bytes(p.total_bytes)}</p>
            })}
            <p id="last-success">{move || t().last_success} ": " {status.last_success.map_or_else(|| t().never.to_string(), local)}</p>
            {status.last_error.map(|e| view! {
                <p class="error" role="alert" id="last-error" data-problem=format!("{:?}", e.problem)>
                    {move || t().last_error} " (" {local(e.at)} "): " {move || sync_problem(t(), e.problem)}
                </p>
            })}
        </section>
        <section class="card" id="sync-pending">
            <h2>{move || t().pending_heading}</h2>
            {nothing_pending.then(|| view! { <p class="muted" id="nothing-pending">{move || t().nothing_pending}</p> })}
            <ul class="plain">
                {status.pending.into_iter().map(|p| view! {
                    <li class="pending-row" data-kind=format!("{:?}", p.kind)>
                        {move || outbox_kind(t(), p.kind)} ": " <strong>{p.count}</strong>
                        {(p.kind == OutboxKind::Photo).then(|| format!(" · {}", human_bytes(p.bytes)))}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        {(!status.alerts.is_empty()).then(|| view! {
            <section class="card" id="alerts">
                <h2>{move || t().alerts_heading}</h2>
                <ul class="plain">
                    {status.alerts.into_iter().map(|a| view! {
                        <li class="alert-row"><strong>{a.area.clone()}</strong> " " {a.text.clone()} <span class="muted">" " {local(a.valid_from)} "–" {local(a.valid_to)}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section class="card" id="sync-log">
            <h2>{move || t().recent_heading}</h2>
            <ul class="plain">
                {status.items.into_iter().map(|i| {
                    let failed = matches!(i.state, OutboxState::Failed | OutboxState::Conflict);
                    view! {
                        <li class="outbox-row" class:error=failed data-state=format!("{:?}", i.state) data-kind=format!("{:?}", i.kind)>
                            {move || outbox_kind(t(), i.kind)} " · "
                            <span class="badge">{move || outbox_state(t(), i.state)}</span>
                            {i.reason.clone().map(|r| view! { <span class="reason">" (" {r} ")"</span> })}
                            <span class="muted">" " {local(i.updated_at)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
