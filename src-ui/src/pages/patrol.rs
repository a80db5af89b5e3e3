//! One patrol: recorded while open, read-only once signed, reviewed by the leader.

use std::collections::HashMap;

use base64::Engine;
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::observation::Observation;
use redvest_shared::patrol::{PatrolDetail, PatrolState, Presence, SignPatrol, SignerRole};
use redvest_shared::team::{Member, Role};
use redvest_shared::IpcError;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::components::subpage::Subpage;
use crate::nav::{use_navigate, Page};
use crate::components::attendance::AttendanceEditor;
use crate::components::checklist::ChecklistEditor;
use crate::components::field_error::{ErrorLine, FieldError};
use crate::components::observation_form::ObservationForm;
use crate::components::photos::PhotoStrip;
use crate::components::qr::{ScanButton, ShowQr};
use crate::components::signature_pad::{signature_png, SignaturePad};
use crate::components::track::{LocationCard, TrackLive, TrackView};
use crate::i18n::{local, use_lang, use_text, Lang};
use crate::ipc;


/// One line describing an observation.
fn describe(lang: Lang, o: &Observation) -> String {
    let zh = lang == Lang::Zh;
    match o {
        Observation::Hazard(h) => format!("{} · {} · {}", if zh { "隐患" } else { "Hazard" }, lang.severity(h.severity), h.description),
        Observation::Dispute { summary, .. } => format!("{} · {summary}", if zh { "矛盾纠纷" } else { "Dispute" }),
        Observation::Sighting { description, .. } => format!("{} · {description}", if zh { "可疑情况" } else { "Suspicious" }),
        Observation::HouseVisit { household, people_met, .. } => {
            format!("{} · {household} · {people_met}", if zh { "入户走访" } else { "House visit" })
        }
        Observation::Outreach { audience, notes, .. } => format!("{} · {audience} · {notes}", if zh { "宣传" } else { "Outreach" }),
    }
}

/// The patrol page.
#[component]
pub fn PatrolPage(id: Uuid) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let detail = LocalResource::new(move || ipc::patrol_detail(id));
    let members = LocalResource::new(ipc::list_members);
    // Every write here (a finding, a photo taken off, a signature) reads the patrol again.
    let saved = Callback::new(move |()| detail.refetch());
    // The step shown, and the checklist's length, survive the page's reloads (a finding
    // added, a photo taken).
    let step = RwSignal::new(None::<Step>);
    let check_total = RwSignal::new(None::<usize>);
    // While the step bar is up, what scrolls into view (a focused field) stops above it.
    let steps_shown = |on: bool| {
        if let Some(root) = document().document_element() {
            let _ = if on { root.set_attribute("data-steps", "") } else { root.remove_attribute("data-steps") };
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(d)) = detail.get() {
            steps_shown(d.state.is_editable());
        }
    });
    on_cleanup(move || steps_shown(false));
    // The theme knows which patrol is being recorded (the 夜巡岗 opens in the night theme),
    // until the page closes; a finished record reads in the theme chosen.
    if let Some(theme) = crate::theme::use_theme() {
        Effect::new(move |_| {
            if let Some(Ok(d)) = detail.get() {
                theme.on_patrol.set(d.state.is_editable().then_some(d.record.assignment));
            }
        });
        on_cleanup(move || theme.on_patrol.set(None));
    }
    view! {
        <Subpage>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match (detail.await, members.await) {
                        (Ok(d), Ok(m)) => {
                            let head = view! {
                                <h1>{move || lang().assignment(d.record.assignment)}</h1>
                                <p class="muted" id="patrol-route">{d.record.route.clone()}</p>
                                <p class="muted">
                                    {d.record.planned_start.map(|p| view! { {move || t().planned} " " {local(p)} " · " })}
                                    {move || t().started_at} " " {local(d.record.started_at)} " · "
                                    <span class="badge" id="patrol-state">{move || lang().patrol_state(d.state)}</span>
                                </p>
                                {d.returned_reason.clone().map(|r| view! { <p class="error" id="returned-reason">{move || t().returned_because} {r.clone()}</p> })}
                            };
                            let body = if d.state.is_editable() {
                                view! { <Editor detail=d.clone() members=m saved=saved step=step check_total=check_total/> }.into_any()
                            } else {
                                view! { <ReadOnly detail=d.clone() members=m saved=saved/> }.into_any()
                            };
                            view! { {head} {body} }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => view! { <ErrorLine error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </Subpage>
    }
}

/// The step last chosen, and on which patrol: the page opens there again after a visit
/// elsewhere (一键报警). A restart forgets it.
static LAST_STEP: std::sync::Mutex<Option<(Uuid, Step)>> = std::sync::Mutex::new(None);

fn last_step() -> std::sync::MutexGuard<'static, Option<(Uuid, Step)>> {
    LAST_STEP.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The recording page's steps, in the order a patrol takes them; one is shown at a time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Attendance,
    Checklist,
    Findings,
    Sign,
}

impl Step {
    const ALL: [Step; 4] = [Step::Attendance, Step::Checklist, Step::Findings, Step::Sign];

    /// The id of its tab (`step-…`) and its section's `data-step`.
    fn key(self) -> &'static str {
        match self {
            Step::Attendance => "attendance",
            Step::Checklist => "checklist",
            Step::Findings => "findings",
            Step::Sign => "sign",
        }
    }

    fn label(self, t: &'static crate::i18n::Text) -> &'static str {
        match self {
            Step::Attendance => t.attendance_heading,
            Step::Checklist => t.checklist_heading,
            Step::Findings => t.observations_heading,
            Step::Sign => t.step_sign,
        }
    }

    fn next(self) -> Option<Step> {
        Step::ALL.into_iter().skip_while(|s| *s != self).nth(1)
    }
}

/// Recording, as steps (人员到位 / 巡查重点 / 巡查发现 / 签字) with a bar at the bottom of the
/// screen, in the thumb's reach, saying what each holds. Every step stays mounted while
/// hidden, so what is typed in one survives a visit to another.
#[component]
fn Editor(
    detail: PatrolDetail,
    members: Vec<Member>,
    saved: Callback<()>,
    step: RwSignal<Option<Step>>,
    check_total: RwSignal<Option<usize>>,
) -> impl IntoView {
    let t = use_text();
    let id = detail.record.id;
    let checks: HashMap<_, _> = detail.record.checks.iter().map(|c| (c.code.clone(), c.outcome)).collect();
    let checks = RwSignal::new(checks);
    let attendance = RwSignal::new(detail.record.attendance.clone());
    let findings = detail.record.observations.len();
    // A checklist item answered 发现问题 that the volunteer records as a hazard.
    let report = RwSignal::new(None::<redvest_shared::checklist::ChecklistItem>);
    // Placed when the page opens: back at the step it was left on (一键报警 and back), else,
    // with someone already present, the patrol is under way, so at the checklist.
    let place = move |to: Step| {
        *last_step() = Some((id, to));
        step.set(Some(to));
    };
    let opening = step.get_untracked().is_none();
    if opening {
        let anyone_present = detail.record.attendance.iter().any(|a| a.presence != Presence::Absent);
        let left = last_step().filter(|(patrol, _)| *patrol == id).map(|(_, s)| s);
        place(left.unwrap_or(if anyone_present { Step::Checklist } else { Step::Attendance }));
    }
    let shown = move || step.get().unwrap_or(Step::Attendance);
    let go = move |to: Step| {
        place(to);
        // The new step starts at its top, not wherever the last one was scrolled to.
        window().scroll_to_with_x_and_y(0.0, 0.0);
        // Focus goes to the new step's tab, which says where the volunteer now is (a 下一步
        // just tapped is hidden with its step, and focus would fall back to the page).
        if let Some(tab) = document().get_element_by_id(&format!("step-{}", to.key())).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = tab.focus();
        }
    };
    // 登记为隐患 on a checklist item opens the findings, where the hazard form waits filled in.
    let on_report = Callback::new(move |item| {
        go(Step::Findings);
        report.set(Some(item));
    });
    let n_present = move || present_count(attendance);
    let n_checked = move || checks.with(HashMap::len);
    // What each tab says under its name, and whether the step looks done.
    let progress = move |s: Step| -> (String, bool) {
        let t = t();
        match s {
            Step::Attendance => (format!("{} {}", n_present(), t.people_unit), n_present() > 0),
            Step::Checklist => match check_total.get() {
                Some(total) => (format!("{}/{total}", n_checked()), total > 0 && n_checked() >= total),
                None => (n_checked().to_string(), false),
            },
            Step::Findings => (format!("{findings} {}", t.findings_unit), findings > 0),
            Step::Sign => (t.step_sign_hint.to_owned(), false),
        }
    };
    let section = move |s: Step| move || shown() != s;
    let next = move |s: Step| {
        s.next().map(|to| {
            view! {
                <button class="primary step-next" id=format!("next-{}", s.key()) on:click=move |_| go(to)>
                    {move || t().step_next} " · " {move || to.label(t())}
                </button>
            }
        })
    };
    view! {
        <crate::pages::rapid::RapidButton back=Some(id)/>
        <div class="step" data-step="attendance" hidden=section(Step::Attendance)>
            <LocationCard patrol_id=id/>
            <TrackLive patrol_id=id/>
            <AttendanceEditor patrol_id=id members=members.clone() entries=attendance/>
            {next(Step::Attendance)}
        </div>
        <div class="step" data-step="checklist" hidden=section(Step::Checklist)>
            <ChecklistEditor patrol_id=id assignment=detail.record.assignment outcomes=checks on_report=on_report total=check_total/>
            {next(Step::Checklist)}
        </div>
        <div class="step" data-step="findings" hidden=section(Step::Findings)>
            <section class="card" id="observations">
                <h2>{move || t().observations_heading}</h2>
                <ObservationForm patrol_id=id on_added=move || saved.run(()) report=report
                    on_restored=Callback::new(move |()| if opening { go(Step::Findings) })/>
                <Observations detail=detail.clone() on_change=saved/>
            </section>
            {next(Step::Findings)}
        </div>
        <div class="step" data-step="sign" hidden=section(Step::Sign)>
            <Finish detail=detail members=members attendance=attendance checks=checks saved=saved/>
        </div>
        <div class="step-bar-space"></div>
        <nav class="step-bar" id="step-bar" aria-label=move || t().steps_label>
            {Step::ALL.into_iter().map(|s| view! {
                <button id=format!("step-{}", s.key()) class="step-tab"
                    class:current=move || shown() == s
                    class:done=move || progress(s).1
                    aria-current=move || (shown() == s).then_some("step")
                    on:click=move |_| go(s)>
                    <span class="step-name">{move || s.label(t())}</span>
                    <span class="step-count">{move || progress(s).0}</span>
                </button>
            }).collect_view()}
        </nav>
    }
}

/// How many are marked present (or late) on the attendance being recorded.
fn present_count(attendance: RwSignal<Vec<redvest_shared::patrol::AttendanceEntry>>) -> usize {
    attendance.with(|l| l.iter().filter(|a| a.presence != Presence::Absent).count())
}

/// The findings recorded so far, with their photos. With `on_change` (an open patrol) a
/// photo can still be taken off; `remote` photos (a patrol under review) come from the county.
#[component]
fn Observations(detail: PatrolDetail, #[prop(optional)] on_change: Option<Callback<()>>, #[prop(default = false)] remote: bool) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let navigate = use_navigate();
    if detail.record.observations.is_empty() {
        return view! { <p class="muted" id="no-observations">{move || t().no_observations}</p> }.into_any();
    }
    // A photo that could not be taken off stays, and says why.
    let (error, set_error) = signal(None::<IpcError>);
    view! {
        {move || error.get().map(|e| view! { <ErrorLine error=e id="photo-remove-error"/> })}
        <ul class="row-list" id="observation-list">
            {detail.record.observations.into_iter().map(|o| {
                let hazard = o.hazard_id;
                let body = o.body.clone();
                let observation = o.id;
                let photos: Vec<String> = o.photos.iter().map(|p| p.sha256.clone()).collect();
                let on_remove = on_change.map(|changed| Callback::new(move |sha: String| {
                    spawn_local(async move {
                        match ipc::remove_photo(observation, sha).await {
                            Ok(()) => changed.run(()),
                            Err(e) => set_error.set(Some(e)),
                        }
                    });
                }));
                view! {
                    <li class="row observation-row" on:click=move |_| if let (Some(h), false) = (hazard, remote) { navigate(Page::Hazard(h)) }>
                        <span class="row-main">
                            {move || describe(lang(), &body)}
                            {(!photos.is_empty()).then(|| view! { <PhotoStrip photos=Signal::stored(photos.clone()) on_remove=on_remove remote=remote/> })}
                        </span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Summary, remarks, the volunteer's PIN and handwritten signature.
#[component]
fn Finish(
    detail: PatrolDetail,
    members: Vec<Member>,
    attendance: RwSignal<Vec<redvest_shared::patrol::AttendanceEntry>>,
    checks: RwSignal<HashMap<String, redvest_shared::checklist::CheckOutcome>>,
    saved: Callback<()>,
) -> impl IntoView {
    let t = use_text();
    let id = detail.record.id;
    // Those marked present (or late) as attendance changes; they are who may sign.
    let present = Memo::new(move |_| {
        attendance.with(|list| {
            members
                .iter()
                .filter(|m| list.iter().any(|a| a.member_id == Some(m.id) && a.presence != Presence::Absent))
                .cloned()
                .collect::<Vec<Member>>()
        })
    });
    let signer = RwSignal::new(None::<Uuid>);
    // Default to the first present member; keep a choice while it stays valid.
    Effect::new(move |_| {
        let list = present.get();
        if !signer.get_untracked().is_some_and(|s| list.iter().any(|m| m.id == s)) {
            signer.set(list.first().map(|m| m.id));
        }
    });
    let remarks_key = format!("remarks:{id}");
    let remarks = RwSignal::new(detail.record.remarks.clone());
    {
        let key = remarks_key.clone();
        spawn_local(async move {
            if let Ok(Some(saved)) = ipc::load_draft(key).await {
                remarks.set(saved);
            }
        });
    }
    let pin = RwSignal::new(String::new());
    let canvas = NodeRef::<Canvas>::new();
    let drawn = RwSignal::new(false);
    let (error, set_error) = signal(None::<IpcError>);
    // Signed, the button stays off until the page shows the signed record.
    let signed = RwSignal::new(false);
    let sign = Action::new_local(move |req: &SignPatrol| {
        let req = req.clone();
        async move {
            match ipc::submit_patrol(req).await {
                Ok(()) => {
                    signed.set(true);
                    let _ = ipc::clear_draft(format!("remarks:{id}")).await;
                    saved.run(());
                }
                Err(e) => set_error.set(Some(e)),
            }
        }
    });
    let signing = sign.pending();
    let submit = move |_| {
        let Some(member_id) = signer.get_untracked() else {
            set_error.set(Some(IpcError::new(redvest_shared::ErrorCode::NoPresentMember, "no signer").with_field("attendance")));
            return;
        };
        sign.dispatch_local(SignPatrol { patrol_id: id, member_id, pin: pin.get_untracked(), handwriting_png: signature_png(&canvas, drawn), remarks: remarks.get_untracked() });
    };
    let n_present = move || present_count(attendance);
    let n_checked = move || checks.with(HashMap::len);
    view! {
        <section class="card" id="finish">
            <h2>{move || t().finish_heading}</h2>
            <p class="muted" id="finish-summary">
                {move || t().present_count} " " {n_present} " · " {move || t().checked_count} " " {n_checked} " · "
                {move || t().observations_heading} " " {detail.record.observations.len()}
            </p>
            <label class="field">
                <span>{move || t().remarks}</span>
                <textarea id="remarks" prop:value=move || remarks.get() on:input=move |ev| {
                    let v = event_target_value(&ev);
                    remarks.set(v.clone());
                    let key = remarks_key.clone();
                    spawn_local(async move { let _ = ipc::save_draft(key, v).await; });
                }></textarea>
                <FieldError error=error field="patrol.remarks"/>
            </label>
            {move || view! { <MemberSelect members=present.get() value=signer label=move || t().signer id="signer"/> }}
            <FieldError error=error field="attendance"/>
            <FieldError error=error field="signature.member"/>
            <PinInput value=pin id="pin"/>
            <FieldError error=error field="signer.pin"/>
            <SignaturePad canvas=canvas drawn=drawn/>
            <FieldError error=error field="signature.handwriting"/>
            <FieldError error=error field="patrol.ended_at"/>
            {move || error.get().filter(|e| e.field.is_none()).map(|e| view! { <ErrorLine error=e/> })}
            <button class="primary" id="sign-submit" disabled=move || signing.get() || signed.get() on:click=submit>{move || t().sign_submit}</button>
        </section>
    }
}

/// A select of members by name.
#[component]
pub fn MemberSelect(
    members: Vec<Member>,
    value: RwSignal<Option<Uuid>>,
    label: impl Fn() -> &'static str + Send + 'static,
    #[prop(into)] id: String,
) -> impl IntoView {
    let ids: Vec<Uuid> = members.iter().map(|m| m.id).collect();
    view! {
        <label class="field">
            <span>{label}</span>
            <select id=id on:change=move |ev| {
                let i: usize = event_target_value(&ev).parse().unwrap_or(usize::MAX);
                value.set(ids.get(i).copied());
            }>
                {members.into_iter().enumerate().map(|(i, m)| view! {
                    <option value=i.to_string() selected=move || value.get() == Some(m.id)>{m.name.clone()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// A PIN field: digits only, hidden, with the numeric keypad on phones.
#[component]
pub fn PinInput(value: RwSignal<String>, #[prop(into)] id: String) -> impl IntoView {
    let t = use_text();
    view! {
        <label class="field">
            <span>{move || t().pin}</span>
            <input id=id type="password" inputmode="numeric" autocomplete="off" maxlength="8"
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        </label>
    }
}

/// The signed record, read-only; the leader's review while submitted; amendment once sealed.
#[component]
fn ReadOnly(detail: PatrolDetail, members: Vec<Member>, saved: Callback<()>) -> impl IntoView {
    let t = use_text();
    let navigate = use_navigate();
    let id = detail.record.id;
    let state = detail.state;
    // One amendment per tap, however many taps: the button waits for the new patrol.
    let amendment = Action::new_local(move |_: &()| ipc::start_amendment(id));
    let amending = amendment.pending();
    Effect::new(move |_| {
        if let Some(Ok(new_id)) = amendment.value().get() {
            navigate(Page::Patrol(new_id));
        }
    });
    view! {
        <Record detail=detail/>
        <TrackView patrol_id=id/>
        {(state == PatrolState::Submitted).then(|| view! {
            <p class="muted" id="submitted-note">{move || t().submitted_waiting}</p>
            <section class="card" id="handover">
                <ShowQr patrol_id=id/>
                <ScanButton id="scan-countersign" label=|t| t.scan_countersign on_received=Callback::new(move |_| saved.run(()))/>
            </section>
            <Review patrol_id=id members=members saved=saved/>
        })}
        {(state == PatrolState::Sealed).then(|| view! {
            <p class="muted" id="frozen-note">{move || t().frozen_note}</p>
            <button class="secondary" id="amend" disabled=move || amending.get() on:click=move |_| { amendment.dispatch_local(()); }>{move || t().amend}</button>
            {move || amendment.value().get().and_then(Result::err).map(|e| view! { <ErrorLine error=e/> })}
        })}
    }
}

/// A signed record as it reads: attendance, checklist answers by domain in catalog order
/// with the items' text, findings with photos (`remote`: a patrol under review, its photos at
/// the county), remarks, signatures.
#[component]
pub fn Record(detail: PatrolDetail, #[prop(default = false)] remote: bool) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let r = detail.record.clone();
    view! {
        <section class="card" id="record">
            <p>{move || t().ended_at} " " {r.ended_at.map(local).unwrap_or_default()}</p>
            {r.amends.map(|a| view! { <p class="muted">{move || t().amends} " " {a.to_string()}</p> })}
            <h2>{move || t().attendance_heading}</h2>
            <ul class="plain" id="record-attendance">
                {r.attendance.iter().map(|a| {
                    let a = a.clone();
                    view! { <li>{a.name.clone()} " · " {move || match a.presence { Presence::Present => t().present, Presence::Late => t().late, Presence::Absent => t().absent }} " " {a.reason.clone()}</li> }
                }).collect_view()}
            </ul>
            <h2>{move || t().checklist_heading}</h2>
            <div id="record-checks">
                {detail.checks.iter().map(|g| {
                    let g = g.clone();
                    view! {
                        <h3>{move || g.domain.map_or(t().other_domain, |d| lang().domain(d))}</h3>
                        <ul class="plain">
                            {g.items.iter().map(|i| {
                                let i = i.clone();
                                let outcome = i.outcome;
                                view! { <li>{move || if lang() == Lang::Zh { i.text_zh.clone() } else { i.text_en.clone() }} " · " {move || match outcome {
                                    redvest_shared::checklist::CheckOutcome::Normal => t().normal,
                                    redvest_shared::checklist::CheckOutcome::Problem => t().problem,
                                    redvest_shared::checklist::CheckOutcome::NotApplicable => t().not_applicable,
                                }}</li> }
                            }).collect_view()}
                        </ul>
                    }
                }).collect_view()}
            </div>
            <h2>{move || t().observations_heading}</h2>
            <Observations detail=detail.clone() remote=remote/>
            <h2>{move || t().remarks}</h2>
            <p id="record-remarks">{r.remarks.clone()}</p>
            <h2>{move || t().signatures}</h2>
            <ul class="plain" id="signatures">
                {detail.signatures.iter().map(|s| {
                    let src = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&s.handwriting_png));
                    let role = s.role;
                    view! {
                        <li class="signature-row" data-role=format!("{role:?}")>
                            <span>{s.name.clone()} " · " {move || match role { SignerRole::Volunteer => lang().role(Role::Volunteer), SignerRole::Leader => lang().role(Role::Leader) }} " · " {local(s.signed_at)}</span>
                            <img class="signature-img" src=src alt=""/>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The leader countersigns or sends the patrol back: one recorded on this phone, or one
/// `received` from another phone (the decision then goes to the county).
#[component]
pub fn Review(patrol_id: Uuid, members: Vec<Member>, saved: Callback<()>, #[prop(default = false)] received: bool) -> impl IntoView {
    let t = use_text();
    let leaders: Vec<Member> = members.into_iter().filter(|m| m.role == Role::Leader).collect();
    let leader = RwSignal::new(leaders.first().map(|m| m.id));
    let pin = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let canvas = NodeRef::<Canvas>::new();
    let drawn = RwSignal::new(false);
    let (error, set_error) = signal(None::<IpcError>);
    // One decision at a time: while either is being saved, both buttons wait, and once one
    // is saved they stay off until the page shows it.
    let decided = RwSignal::new(false);
    let decide = Action::new_local(move |decision: &Decision| {
        let decision = decision.clone();
        async move {
            let result = match decision {
                Decision::Countersign(req) if received => ipc::countersign_review(req).await,
                Decision::Countersign(req) => ipc::countersign(req).await,
                Decision::SendBack { leader_id, pin, reason } if received => ipc::return_review(patrol_id, leader_id, pin, reason).await,
                Decision::SendBack { leader_id, pin, reason } => ipc::return_patrol(patrol_id, leader_id, pin, reason).await,
            };
            match result {
                Ok(()) => {
                    decided.set(true);
                    saved.run(());
                }
                Err(e) => set_error.set(Some(e)),
            }
        }
    });
    let countersign = move |_| {
        let Some(member_id) = leader.get_untracked() else { return };
        let req = SignPatrol { patrol_id, member_id, pin: pin.get_untracked(), handwriting_png: signature_png(&canvas, drawn), remarks: String::new() };
        decide.dispatch_local(Decision::Countersign(req));
    };
    let send_back = move |_| {
        let Some(leader_id) = leader.get_untracked() else { return };
        decide.dispatch_local(Decision::SendBack { leader_id, pin: pin.get_untracked(), reason: reason.get_untracked() });
    };
    let pending = decide.pending();
    let deciding = move || pending.get() || decided.get();
    view! {
        <section class="card" id="review">
            <h2>{move || t().review_heading}</h2>
            <MemberSelect members=leaders value=leader label=move || t().signer id="leader"/>
            <PinInput value=pin id="leader-pin"/>
            <FieldError error=error field="signer.pin"/>
            <SignaturePad canvas=canvas drawn=drawn/>
            <FieldError error=error field="signature.handwriting"/>
            <FieldError error=error field="signature.member"/>
            <FieldError error=error field="record.signature"/>
            {move || error.get().filter(|e| e.field.is_none()).map(|e| view! { <ErrorLine error=e/> })}
            <button class="primary" id="countersign" disabled=deciding on:click=countersign>{move || t().countersign}</button>
            <label class="field">
                <span>{move || t().return_reason}</span>
                <input id="return-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                <FieldError error=error field="return.reason"/>
            </label>
            <button class="secondary" id="send-back" disabled=deciding on:click=send_back>{move || t().send_back}</button>
        </section>
    }
}

/// What the leader decides on a submitted patrol.
#[derive(Clone)]
enum Decision {
    Countersign(SignPatrol),
    SendBack { leader_id: Uuid, pin: String, reason: String },
}
