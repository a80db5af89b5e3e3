//! 同步: enrolment with the county (again, after a revocation), what waits to be sent and
//! for what, what the county refused and why (with 重新发送), the last success and the last
//! error in plain words, when the next attempt is, each entry's state, 立即同步, and the
//! county's alerts.

use chrono::{DateTime, Local, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::sync::{OutboxItem, OutboxKind, OutboxState, SyncStatus};
use redvest_shared::team::EnrolQr;
use redvest_shared::IpcError;

use crate::components::subpage::Subpage;
use crate::components::field_error::{ErrorLine, FieldError};
use crate::components::qr::{ScanFor, Scanner};
use crate::i18n::{local, human_bytes, outbox_kind, outbox_state, refusal_text, sync_problem, use_lang, use_text};
use crate::ipc;


fn clock(t: DateTime<Utc>) -> String {
    crate::i18n::hms(t.with_timezone(&Local).time())
}

/// Where the device stands with the county, as far as the enrol form cares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Enrolment {
    /// Never enrolled: the form.
    New,
    /// The county revoked this device: the banner and the form again, with its last address.
    Revoked { server: String },
    /// Enrolled and in good standing: no form.
    Active,
}

/// What 重新发送 answers: how many entries went back to 待上传.
type Resend = Action<(), Result<u32, IpcError>>;

/// The sync page.
#[component]
pub fn SyncPage() -> impl IntoView {
    let t = use_text();
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
    // The enrol form follows this memo, not the status refreshed every second, so it (and
    // what was typed into it) stays put until the enrolment itself changes.
    let enrolment = Memo::new(move |previous: Option<&Option<Enrolment>>| {
        status
            .with(|s| {
                s.as_ref().and_then(|r| r.as_ref().ok()).map(|s| match &s.enrolled {
                    None => Enrolment::New,
                    Some(e) if e.revoked => Enrolment::Revoked { server: e.server.clone() },
                    Some(_) => Enrolment::Active,
                })
            })
            .or_else(|| previous.cloned().flatten())
    });
    let refresh = move || tick.update(|n| *n += 1);
    let resend: Resend = Action::new_local(move |_: &()| async move {
        let result = ipc::sync_resend_refused().await;
        tick.update(|n| *n += 1);
        result
    });
    view! {
        <Subpage title=|t| t.sync>
            {move || match enrolment.get() {
                Some(Enrolment::New) => Some(view! { <Enrol server="http://127.0.0.1:8787".to_string() again=false on_done=refresh/> }.into_any()),
                Some(Enrolment::Revoked { server }) => Some(view! {
                    <p class="error" role="alert" id="revoked-banner">{move || t().revoked_banner}</p>
                    <Enrol server=server again=true on_done=refresh/>
                }.into_any()),
                Some(Enrolment::Active) | None => None,
            }}
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.enrolled.is_some() => view! { <Status status=s resend=resend/> }.into_any(),
                        Ok(_) => ().into_any(),
                        Err(e) => view! { <ErrorLine error=e/> }.into_any(),
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
        </Subpage>
    }
}

/// Connecting the device to the county with the clerk's one-time code; `again` after the
/// county revoked it (the same phone continues its chain, nothing is sent twice).
#[component]
fn Enrol(server: String, again: bool, on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = use_text();
    let server = RwSignal::new(server);
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
            // The enrolment code is digits: the number pad; the address and the name, letters.
            <input name=name inputmode=(name == "sync.code").then_some("numeric")
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <FieldError error=error field=name/>
        </label>
    };
    // The county's team page shows the address and the code as one QR code.
    let scanning = RwSignal::new(false);
    let scanned = Callback::new(move |qr: EnrolQr| {
        scanning.set(false);
        server.set(qr.server);
        code.set(qr.code);
    });
    view! {
        <section class="card" id="enrol" class:again=again>
            <h2>{move || if again { t().enrol_again_heading } else { t().enrol_heading }}</h2>
            <button class="secondary" id="enrol-scan" on:click=move |_| scanning.update(|s| *s = !*s)>{move || t().enrol_scan}</button>
            {move || scanning.get().then(|| view! { <Scanner purpose=ScanFor::Enrolment(scanned)/> })}
            {field("sync.server", |t| t.enrol_server, server)}
            {field("sync.code", |t| t.enrol_code, code)}
            {field("sync.device_name", |t| t.enrol_device, device)}
            <FieldError error=error field="*"/>
            <button class="primary" id="enrol-button" disabled=move || busy.get() on:click=submit>{move || t().enrol_button}</button>
        </section>
    }
}

/// The words for an entry's state: 待上传(等待…) while the county holds it back.
fn state_text(lang: crate::i18n::Lang, item: &OutboxItem) -> String {
    match (item.state, item.code) {
        (OutboxState::Pending, Some(code)) => lang.waiting_state(code),
        (state, _) => outbox_state(lang.text(), state).to_string(),
    }
}

/// The county's English detail, folded away: for whoever supports the phone, never the only
/// text.
fn support_detail(reason: Option<String>) -> impl IntoView {
    let t = use_text();
    reason.map(|r| view! {
        <details class="support">
            <summary>{move || t().support_detail}</summary>
            <code>{r}</code>
        </details>
    })
}

#[component]
fn Status(status: SyncStatus, resend: Resend) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let resending = resend.pending();
    let team = status.enrolled.as_ref().map(|e| e.team_name.clone()).unwrap_or_default();
    let revoked = status.enrolled.as_ref().is_some_and(|e| e.revoked);
    let nothing_pending = status.pending.is_empty();
    let refused_count = status.refused.len();
    let last_success = status.last_success.map(local);
    let waiting_count = status.waiting.len();
    let last_success_text = move || match (refused_count + waiting_count, last_success.as_deref()) {
        (0, when) => format!("{}: {}", t().last_success, when.unwrap_or(t().never)),
        (_, when) => lang().last_sync_refused(when, refused_count, waiting_count),
    };
    view! {
        <section class="card" id="sync-status">
            <p class="muted">{move || t().team_label} ": " <span id="sync-team">{team}</span></p>
            {(!revoked).then(|| view! {
                <button class="primary" id="sync-now" on:click=move |_| { spawn_local(async { let _ = ipc::sync_now().await; }); }>
                    {move || t().sync_now}
                </button>
            })}
            {status.progress.map(|p| view! {
                <progress id="sync-progress" max=p.total_bytes.max(1).to_string() value=p.done_bytes.to_string()></progress>
                <p class="muted">{human_bytes(p.done_bytes)} " / " {human_bytes(p.total_bytes)}</p>
            })}
            <p id="last-success" class:refused={refused_count > 0}>{last_success_text}</p>
            {status.next_attempt.map(|at| view! {
                <p class="muted" id="next-attempt">{move || t().next_attempt} " " {clock(at)}</p>
            })}
            {status.last_error.map(|e| view! {
                <p class="error" role="alert" id="last-error" data-problem=format!("{:?}", e.problem)>
                    {move || t().last_error} " (" {local(e.at)} "): " {move || sync_problem(t(), e.problem)}
                </p>
            })}
        </section>
        {(!status.refused.is_empty()).then(|| view! {
            <section class="card error" role="alert" id="refused-banner">
                <p><strong id="refused-count-text">{move || lang().refused_count(refused_count)}</strong></p>
                <ul class="plain">
                    {status.refused.into_iter().map(|i| view! {
                        <li class="refused-row" data-kind=format!("{:?}", i.kind) data-state=format!("{:?}", i.state)
                            data-code=i.code.map(|c| format!("{c:?}")).unwrap_or_default()>
                            <strong>{move || outbox_kind(t(), i.kind)}</strong> " · "
                            <span class="refusal">{move || refusal_text(t(), i.code)}</span>
                            <span class="muted">" " {local(i.updated_at)}</span>
                            {support_detail(i.reason.clone())}
                        </li>
                    }).collect_view()}
                </ul>
                <button class="primary" id="resend-refused" disabled=move || resending.get() on:click=move |_| { resend.dispatch(()); }>
                    {move || t().resend}
                </button>
            </section>
        })}
        {move || resend.value().get().map(|r| match r {
            Ok(n) => view! { <p class="muted" id="resend-result" role="status">{lang().resent(n)}</p> }.into_any(),
            Err(e) => view! { <ErrorLine error=e id="resend-result"/> }.into_any(),
        })}
        {(!status.waiting.is_empty()).then(|| view! {
            <section class="card" id="waiting">
                <h2>{move || t().waiting_heading}</h2>
                <ul class="plain">
                    {status.waiting.into_iter().map(|i| {
                        let row = i.clone();
                        view! {
                            <li class="waiting-row" data-kind=format!("{:?}", i.kind)
                                data-code=i.code.map(|c| format!("{c:?}")).unwrap_or_default()>
                                <strong>{move || outbox_kind(t(), i.kind)}</strong> " · "
                                <span class="badge">{move || state_text(lang(), &row)}</span>
                                <span class="muted">" " {local(i.updated_at)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
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
                    let refused = matches!(i.state, OutboxState::Failed | OutboxState::Conflict);
                    let row = i.clone();
                    view! {
                        <li class="outbox-row" class:error=refused data-state=format!("{:?}", i.state) data-kind=format!("{:?}", i.kind)
                            data-code=i.code.map(|c| format!("{c:?}")).unwrap_or_default()>
                            {move || outbox_kind(t(), i.kind)} " · "
                            <span class="badge">{move || state_text(lang(), &row)}</span>
                            {refused.then(|| view! { <span class="reason">" " {move || refusal_text(t(), i.code)}</span> })}
                            <span class="muted">" " {local(i.updated_at)}</span>
                            {refused.then(|| support_detail(i.reason.clone()))}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
