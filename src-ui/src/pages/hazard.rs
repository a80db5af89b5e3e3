//! 隐患详情: a hazard's report (every field with its label, its photos), its whole history,
//! and the next step in its lifecycle.

use chrono::NaiveDate;
use leptos::prelude::*;
use redvest_shared::checklist::item_text;
use redvest_shared::hazard::{Hazard, HazardChange, HazardState};
use redvest_shared::observation::{EscalateTo, Handling, HazardReport};
use redvest_shared::IpcError;
use uuid::Uuid;

use crate::components::subpage::Subpage;
use crate::components::field_error::{ErrorLine, FieldError};
use crate::components::load_error::load_failed;
use crate::components::photos::PhotoStrip;
use crate::components::picker::{Pick, Picker};
use crate::i18n::{use_lang, use_text};
use crate::ipc;
use crate::pages::patrol::MemberSelect;

/// The hazard page.
#[component]
pub fn HazardPage(id: Uuid) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    // A change of state is an action; the hazard is read again after each one saved. A refused
    // change leaves the page (and the form as filled in) alone: the count only moves on a success.
    let change = Action::new_local(|c: &HazardChange| ipc::change_hazard(c.clone()));
    let saved = Memo::new(move |before: Option<&usize>| {
        let before = before.copied().unwrap_or(0);
        if change.value().with(|v| matches!(v, Some(Ok(_)))) { before + 1 } else { before }
    });
    let hazard = LocalResource::new(move || {
        saved.track();
        ipc::hazard(id)
    });
    let members = LocalResource::new(ipc::list_members);
    view! {
        <Subpage title=|t| t.hazard_heading>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                <ErrorBoundary fallback=load_failed>
                {move || Suspend::new(async move {
                    let (h, members) = (hazard.await?, members.await?);
                    let current = h.state;
                    let next: Vec<HazardState> = HazardState::ALL.into_iter().filter(|s| current.can_go_to(*s)).collect();
                    Ok::<_, IpcError>(view! {
                        <section class="card">
                            <p><strong>{h.report.description.clone()}</strong></p>
                            <p><span class="badge" id="hazard-state">{move || lang().hazard_state(current)}</span>
                               {h.overdue.then(|| view! { " " <span class="badge badge-Missed">{move || t().overdue}</span> })}</p>
                            <ReportFields report=h.report.clone()/>
                            {(!h.photos.is_empty()).then(|| {
                                let photos = h.photos.clone();
                                view! {
                                    <div class="field" id="hazard-photos">
                                        <span>{move || t().photos_heading}</span>
                                        <PhotoStrip photos=Signal::derive(move || photos.clone())/>
                                    </div>
                                }
                            })}
                        </section>
                        <section class="card">
                            <h2>{move || t().history}</h2>
                            <ol class="plain" id="hazard-history">
                                {h.history.iter().map(|e| {
                                    let e = e.clone();
                                    view! {
                                        <li class="history-row">
                                            {crate::i18n::local(e.at)} " · "
                                            {move || lang().hazard_state(e.state)} " · " {e.by.clone()} " "
                                            {e.reason.clone()}
                                            {e.responsible.clone().map(|r| format!(" · {r}"))}
                                            {e.deadline.map(|d| format!(" · {d}"))}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </section>
                        {(!next.is_empty()).then(|| view! { <ChangeForm hazard_id=id next=next members=members change=change/> })}
                    })
                })}
                </ErrorBoundary>
            </Transition>
        </Subpage>
    }
}

/// Every field of the report, each with its label.
#[component]
fn ReportFields(report: HazardReport) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let row = |label: String, value: String| view! { <div><dt>{label}</dt><dd>{value}</dd></div> };
    let l = lang();
    let tx = t();
    let mut rows = vec![(tx.domain, l.domain(report.domain).to_owned())];
    if let Some(code) = &report.item {
        // The item's text where the shared catalog knows it (Chinese), its code otherwise.
        let text = item_text(code).filter(|_| l == crate::i18n::Lang::Zh).map_or_else(|| code.clone(), str::to_owned);
        rows.push((tx.checklist_heading, text));
    }
    rows.push((tx.description, report.description.clone()));
    rows.push((tx.place, report.place.clone()));
    if let Some(spot) = &report.spot {
        rows.push((tx.spot_label, l.spot(spot)));
    }
    rows.push((tx.severity, l.severity(report.severity).to_owned()));
    match &report.handling {
        Handling::FixedOnSpot => rows.push((tx.handling, tx.fixed_on_spot.to_owned())),
        Handling::Rectify { responsible, unit, deadline } => {
            rows.push((tx.handling, tx.rectify.to_owned()));
            rows.push((tx.responsible, responsible.clone()));
            rows.push((tx.unit, if unit.is_empty() { "—".to_owned() } else { unit.clone() }));
            rows.push((tx.deadline, crate::i18n::ymd(*deadline)));
        }
        Handling::Escalated { to } => {
            rows.push((tx.handling, tx.escalate.to_owned()));
            rows.push((tx.escalate_to, match to { EscalateTo::Centre => tx.centre, EscalateTo::County => tx.county }.to_owned()));
        }
    }
    view! { <dl class="fields" id="hazard-fields">{rows.into_iter().map(|(label, value)| row(label.to_owned(), value)).collect_view()}</dl> }
}

#[component]
fn ChangeForm(
    hazard_id: Uuid,
    next: Vec<HazardState>,
    members: Vec<redvest_shared::team::Member>,
    change: Action<HazardChange, Result<Hazard, IpcError>>,
) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let saving = change.pending();
    let state = RwSignal::new(next.first().copied().unwrap_or(HazardState::Rectifying));
    let by = RwSignal::new(members.first().map(|m| m.id));
    let reason = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    // The refusal of the last change, shown beside its field (the form is new after a success).
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let options = next.clone();
    let save = move |_| {
        let Some(by_member) = by.get_untracked() else { return };
        let request = HazardChange {
            hazard_id,
            state: state.get_untracked(),
            by_member,
            reason: reason.get_untracked(),
            responsible: Some(responsible.get_untracked()).filter(|r| !r.trim().is_empty()),
            deadline: deadline.get_untracked().trim().parse::<NaiveDate>().ok(),
        };
        change.dispatch_local(request);
    };
    view! {
        <section class="card" id="hazard-change">
            <h2>{move || t().change_state}</h2>
            <select id="hazard-new-state" on:change=move |ev| {
                let i: usize = event_target_value(&ev).parse().unwrap_or(0);
                if let Some(s) = options.get(i) { state.set(*s) }
            }>
                {next.into_iter().enumerate().map(|(i, s)| view! { <option value=i.to_string()>{move || lang().hazard_state(s)}</option> }).collect_view()}
            </select>
            <MemberSelect members=members value=by label=move || t().by_member id="hazard-by"/>
            <label class="field">
                <span>{move || t().reason}</span>
                <input id="hazard-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                <FieldError error=error field="hazard_change.reason"/>
            </label>
            <Show when=move || state.get() == HazardState::Assigned>
                <input placeholder=move || t().responsible prop:value=move || responsible.get() on:input=move |ev| responsible.set(event_target_value(&ev))/>
                <FieldError error=error field="hazard_change.responsible"/>
                <Picker pick=Pick::Date id="change-deadline" value=deadline on_pick=Callback::new(move |v| deadline.set(v))/>
                <FieldError error=error field="hazard_change.deadline"/>
            </Show>
            {move || error.get().filter(|e| e.field.is_none()).map(|e| view! { <ErrorLine error=e/> })}
            <button class="primary" id="hazard-save" disabled=move || saving.get() on:click=save>{move || t().save}</button>
        </section>
    }
}
