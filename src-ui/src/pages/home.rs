//! 今日巡查: today's duties, open hazards, what is not uploaded (and what the county refused),
//! and the patrols on the device.

use chrono::{Local, Utc};
use leptos::prelude::*;
use redvest_shared::duty::TodayDuty;
use redvest_shared::hazard::Hazard;
use redvest_shared::patrol::StartPatrol;

use crate::nav::{use_navigate, Page};
use crate::components::lang_toggle::LangToggle;
use crate::components::patrol_list::PatrolList;
use crate::i18n::{use_lang, use_text};
use crate::ipc;
use crate::pages::rapid::RapidButton;
use crate::pages::review::ReviewList;
use crate::components::qr::ScanButton;
use crate::components::field_error::ErrorLine;
use redvest_shared::handover::Received;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let navigate = use_navigate();
    let start_duty = Action::new_local(move |duty: &TodayDuty| {
        // Planned: today at the duty's time, on this phone's clock and time zone.
        let planned_start = Local::now()
            .date_naive()
            .and_time(duty.duty.time)
            .and_local_timezone(Local)
            .earliest()
            .map(|t| t.with_timezone(&Utc));
        let start = StartPatrol { duty_id: Some(duty.duty.id), assignment: None, route: duty.duty.place.clone(), planned_start };
        async move {
            let result = ipc::start_patrol(start).await;
            if let Ok(p) = &result {
                navigate(Page::Patrol(p.id));
            }
            result
        }
    });
    // Refetch whenever a start completes.
    let today = LocalResource::new(move || {
        start_duty.version().get();
        ipc::today()
    });
    let patrols = LocalResource::new(move || {
        start_duty.version().get();
        ipc::list_patrols()
    });
    let start_error = move || start_duty.value().get().and_then(Result::err);

    view! {
        <main class="page">
            <header class="page-header">
                <h1>{move || t().today}</h1>
                <LangToggle/>
                <button class="secondary" id="open-sync" on:click=move |_| navigate(Page::Sync)>{move || t().sync}</button>
                <button class="secondary" id="open-settings" on:click=move |_| navigate(Page::Settings)>{move || t().settings}</button>
            </header>
            <RapidButton back=None/>
            <button class="primary" id="start-patrol" on:click=move |_| navigate(Page::Start)>
                {move || t().start_patrol}
            </button>
            {move || start_error().map(|e| view! { <ErrorLine error=e/> })}
            // No signal on the mountain: a signed patrol, or a countersignature, by QR.
            <ScanButton id="scan" label=|t| t.scan on_received=Callback::new(move |r| navigate(match r {
                Received::Review(id) => Page::Review(id),
                Received::Sealed(id) => Page::Patrol(id),
            }))/>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match today.await {
                        Ok(today) => view! {
                            {today.unfinished.clone().map(|p| view! {
                                <button class="primary resume" id="resume" on:click=move |_| navigate(Page::Patrol(p.id))>
                                    {move || t().resume} " · " {move || lang().assignment(p.assignment)}
                                </button>
                            })}
                            {(today.refused > 0).then(|| {
                                let refused = today.refused;
                                view! {
                                    <button class="warning" id="refused-count" role="alert" on:click=move |_| navigate(Page::Sync)>
                                        {move || lang().refused_home(refused)}
                                    </button>
                                }
                            })}
                            {(!today.reviews.is_empty()).then(|| view! { <ReviewList reviews=today.reviews.clone()/> })}
                            <p class="muted" id="unsynced">{today.unsynced} " " {move || t().unsynced}</p>
                            {(today.awaiting_review > 0).then(|| view! {
                                <p class="badge badge-Due" id="awaiting-review">{today.awaiting_review} " " {move || t().awaiting_review}</p>
                            })}
                            <h2>{move || t().duties_heading}</h2>
                            <DutyList duties=today.duties start=start_duty/>
                            {(today.missed_month > 0).then(|| {
                                let (week, month) = (today.missed_week, today.missed_month);
                                view! { <p class="badge badge-Missed" id="missed-summary">{move || lang().missed_summary(week, month)}</p> }
                            })}
                            <h2>{move || t().hazards_heading}</h2>
                            <HazardList hazards=today.open_hazards/>
                        }.into_any(),
                        Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                    }
                })}
            </Transition>
            <h2>{move || t().patrols_heading}</h2>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match patrols.await {
                        Ok(list) => view! { <PatrolList patrols=list/> }.into_any(),
                        Err(e) => view! {
                            <ErrorLine error=e id="load-error"/>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Today's duties, each with its status; a due one can be started from here.
#[component]
fn DutyList(
    duties: Vec<TodayDuty>,
    start: Action<TodayDuty, Result<redvest_shared::PatrolSummary, redvest_shared::IpcError>>,
) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    if duties.is_empty() {
        return view! { <p class="muted" id="no-duties">{move || t().no_duties}</p> }.into_any();
    }
    view! {
        <ul class="row-list" id="duty-list">
            {duties
                .into_iter()
                .map(|d| {
                    let status = d.status;
                    let can_start = status.can_start();
                    let duty = d.clone();
                    view! {
                        <li class="row" data-status=format!("{status:?}")>
                            <span class="row-main">
                                <strong>{crate::i18n::hm(d.duty.time)} " " {move || lang().assignment(d.duty.assignment)}</strong>
                                <span class="muted">{d.duty.place.clone()}</span>
                            </span>
                            <span class=format!("badge badge-{status:?}")>{move || lang().duty_status(status)}</span>
                            {can_start.then(|| {
                                view! {
                                    <button class="secondary" on:click=move |_| { start.dispatch(duty.clone()); }>
                                        {move || t().start_this}
                                    </button>
                                }
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// Open hazards with their state and deadline; overdue ones are marked.
#[component]
fn HazardList(hazards: Vec<Hazard>) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let navigate = use_navigate();
    if hazards.is_empty() {
        return view! { <p class="muted" id="no-hazards">{move || t().no_hazards}</p> }.into_any();
    }
    view! {
        <ul class="row-list" id="hazard-list">
            {hazards
                .into_iter()
                .map(|h| {
                    let overdue = h.overdue;
                    let id = h.id;
                    // Every open hazard says where it stands: 已上报 ones too, which wait on others.
                    let state = h.state;
                    view! {
                        <li class="row hazard-row" class:overdue=overdue on:click=move |_| navigate(Page::Hazard(id))>
                            <span class="row-main">
                                <strong>{h.report.description.clone()}</strong>
                                <span class="muted">{h.report.place.clone()}</span>
                            </span>
                            {h.deadline.map(|d| view! {
                                <span class="muted">{move || t().deadline} " " {crate::i18n::ymd(d)}</span>
                            })}
                            <span class="badge hazard-state">{move || lang().hazard_state(state)}</span>
                            {overdue.then(|| view! { <span class="badge badge-Missed">{move || t().overdue}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
