//! 隐患详情: a hazard's report (every field with its label, its photos), its whole history,
//! and the next step in its lifecycle.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::checklist::item_text;
use redvest_shared::hazard::{HazardChange, HazardState};
use redvest_shared::observation::{EscalateTo, Handling, HazardReport};
use redvest_shared::IpcError;
use uuid::Uuid;

use crate::components::subpage::Subpage;
use crate::components::field_error::FieldError;
use crate::components::photos::PhotoStrip;
use crate::i18n::{error_text, use_lang, use_text};
use crate::ipc;
use crate::pages::patrol::MemberSelect;

/// The hazard page.
#[component]
pub fn HazardPage(id: Uuid) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let reload = RwSignal::new(0u32);
    let hazard = LocalResource::new(move || {
        reload.get();
        ipc::hazard(id)
    });
    let members = LocalResource::new(ipc::list_members);
    view! {
        <Subpage title=|t| t.hazard_heading>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    let (h, members) = match (hazard.await, members.await) {
                        (Ok(h), Ok(m)) => (h, m),
                        (Err(e), _) | (_, Err(e)) => return view! { <p class="error">{error_text(t(), &e)}</p> }.into_any(),
                    };
                    let current = h.state;
                    let next: Vec<HazardState> = HazardState::ALL.into_iter().filter(|s| current.can_go_to(*s)).collect();
                    view! {
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
                        {(!next.is_empty()).then(|| view! { <ChangeForm hazard_id=id next=next members=members reload=reload/> })}
                    }.into_any()
                })}
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
            rows.push((tx.deadline, deadline.format("%Y-%m-%d").to_string()));
        }
        Handling::Escalated { to } => {
            rows.push((tx.handling, tx.escalate.to_owned()));
            rows.push((tx.escalate_to, match to { EscalateTo::Centre => tx.centre, EscalateTo::County => tx.county }.to_owned()));
        }
    }
    view! { <dl class="fields" id="hazard-fields">{rows.into_iter().map(|(label, value)| row(label.to_owned(), value)).collect_view()}</dl> }
}

#[component]
fn ChangeForm(hazard_id: Uuid, next: Vec<HazardState>, members: Vec<redvest_shared::team::Member>, reload: RwSignal<u32>) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let state = RwSignal::new(next.first().copied().unwrap_or(HazardState::Rectifying));
    let by = RwSignal::new(members.first().map(|m| m.id));
    let reason = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<IpcError>);
    let options = next.clone();
    let save = move |_| {
        let Some(by_member) = by.get_untracked() else { return };
        let change = HazardChange {
            hazard_id,
            state: state.get_untracked(),
            by_member,
            reason: reason.get_untracked(),
            responsible: Some(responsible.get_untracked()).filter(|r| !r.trim().is_empty()),
            deadline: NaiveDate::parse_from_str(&deadline.get_untracked(), "%Y-%m-%d").ok(),
        };
        spawn_local(async move {
            match ipc::change_hazard(change).await {
                Ok(_) => reload.update(|n| *n += 1),
                Err(e) => set_error.set(Some(e)),
            }
        });
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
                <input type="date" prop:value=move || deadline.get() on:input=move |ev| deadline.set(event_target_value(&ev))/>
                <FieldError error=error field="hazard_change.deadline"/>
            </Show>
            {move || error.get().filter(|e| e.field.is_none()).map(|e| view! { <p class="error">{error_text(t(), &e)}</p> })}
            <button class="primary" id="hazard-save" on:click=save>{move || t().save}</button>
        </section>
    }
}
