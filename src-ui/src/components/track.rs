//! The patrol's GPS track: live numbers while recording; the drawn track afterwards.

use std::time::Duration;

use chrono::{Local, Utc};
use leptos::leptos_dom::helpers::set_interval_with_handle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::track::{LocationPermission, LocationSource, LocationStatus, TrackPoint, TrackSummary};
use uuid::Uuid;

use crate::components::load_error::LoadError;
use crate::i18n::{hm, use_lang, use_text};
use crate::ipc;
use crate::components::field_error::ErrorLine;

fn km(m: f64) -> String {
    format!("{:.2} km", m / 1000.0)
}

fn hms(s: i64) -> String {
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// The numbers of a track summary.
#[component]
fn Numbers(summary: TrackSummary) -> impl IntoView {
    let t = use_text();
    view! {
        <dl class="numbers">
            <div><dt>{move || t().distance}</dt><dd id="track-distance">{km(summary.distance_m)}</dd></div>
            <div><dt>{move || t().moving_time}</dt><dd>{hms(summary.moving_s)}</dd></div>
            <div><dt>{move || t().fixes}</dt><dd id="track-fixes">{summary.fixes}</dd></div>
            <div><dt>{move || t().accuracy}</dt><dd>{summary.last_accuracy_m.map(|a| format!("±{a:.0} m")).unwrap_or_else(|| "—".into())}</dd></div>
        </dl>
    }
}

/// Explains why the app wants the location, then asks; a refusal leaves the patrol usable.
#[component]
pub fn LocationCard(patrol_id: Uuid) -> impl IntoView {
    let t = use_text();
    // None: not asked yet; Some(None): the volunteer chose no track; Some(Some(status)).
    let answer = RwSignal::new(None::<Option<LocationStatus>>);
    let (error, set_error) = signal(None::<redvest_shared::IpcError>);
    let allow = move |_| {
        spawn_local(async move {
            match ipc::start_location(patrol_id).await {
                Ok(status) => answer.set(Some(Some(status))),
                Err(e) => set_error.set(Some(e)),
            }
        })
    };
    view! {
        <section class="card" id="location">
            {move || match answer.get() {
                None => view! {
                    <p id="location-why">{t().location_why}</p>
                    <div class="form-actions">
                        <button class="primary" id="location-allow" on:click=allow>{t().location_allow}</button>
                        <button class="secondary" id="location-skip" on:click=move |_| answer.set(Some(None))>{t().location_skip}</button>
                    </div>
                }.into_any(),
                Some(None) => view! { <p class="muted" id="location-state">{t().location_skipped}</p> }.into_any(),
                Some(Some(s)) => {
                    let text = match (s.source, s.permission) {
                        (LocationSource::Replay, _) => t().location_replay,
                        (_, LocationPermission::Denied) => t().location_denied,
                        (_, LocationPermission::NotAnswered) => t().location_no_answer,
                        (_, LocationPermission::Granted) => "",
                    };
                    view! { <p class="muted" id="location-state" data-permission=format!("{:?}", s.permission)>{text}</p> }.into_any()
                }
            }}
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </section>
    }
}

/// Live distance, moving time, fixes and accuracy, refreshed every two seconds, with a
/// warning when positions stop arriving.
#[component]
pub fn TrackLive(patrol_id: Uuid) -> impl IntoView {
    let t = use_text();
    let summary = RwSignal::new(None::<TrackSummary>);
    let refresh = move || {
        spawn_local(async move {
            if let Ok(s) = ipc::track_summary(patrol_id).await {
                summary.set(Some(s));
            }
        })
    };
    refresh();
    if let Ok(handle) = set_interval_with_handle(refresh, Duration::from_secs(2)) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <section class="card" id="track-live">
            <h2>{move || t().track_heading}</h2>
            {move || summary.get().map(|s| {
                let stale = s.last_received_at.is_none_or(|at| (Utc::now() - at).num_seconds() > 30);
                view! {
                    <Numbers summary=s.clone()/>
                    {(stale && s.fixes > 0).then(|| view! { <p class="error" id="no-fix-warning">{move || t().no_fix_warning}</p> })}
                    {(s.fixes == 0).then(|| view! { <p class="muted">{move || t().waiting_fix}</p> })}
                }
            })}
        </section>
    }
}

/// The track drawn to its bounds (one line per segment), its health, and exports.
#[component]
pub fn TrackView(patrol_id: Uuid, #[prop(default = false)] received: bool) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let data = LocalResource::new(move || async move {
        if received {
            return ipc::review_track(patrol_id).await;
        }
        Ok::<_, redvest_shared::IpcError>((ipc::track_points(patrol_id).await?, ipc::track_summary(patrol_id).await?))
    });
    let exported = RwSignal::new(None::<Result<String, redvest_shared::IpcError>>);
    let export = move |format: &'static str| {
        spawn_local(async move { exported.set(Some(ipc::export_track(patrol_id, format.into()).await)) })
    };
    view! {
        <section class="card" id="track">
            <h2>{move || t().track_heading}</h2>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    // A track that could not be read says so: it must not look like no track.
                    let (points, summary) = match data.await {
                        Ok(d) => d,
                        Err(e) => return view! { <LoadError error=e/> }.into_any(),
                    };
                    if points.is_empty() {
                        return view! { <p class="muted" id="no-track">{move || if received { t().review_no_track } else { t().no_track }}</p> }.into_any();
                    }
                    let gaps = summary.gaps.clone();
                    let dropped = summary.dropped.clone();
                    let segments = summary.segments;
                    view! {
                        {drawing(&points)}
                        <Numbers summary=summary/>
                        <p class="muted">{move || t().segments} " " {segments} " · " {move || t().elapsed} " " {hms((points.last().map(|p| p.time).unwrap_or_else(Utc::now) - points[0].time).num_seconds())}</p>
                        {(!gaps.is_empty()).then(|| view! {
                            <h3>{move || t().gaps_heading}</h3>
                            <ul class="plain" id="track-gaps">
                                {gaps.into_iter().map(|g| {
                                    let from = g.start.with_timezone(&Local);
                                    let to = (g.start + chrono::Duration::seconds(g.seconds)).with_timezone(&Local);
                                    view! { <li>{format!("{}–{}", hm(from.time()), hm(to.time()))}</li> }
                                }).collect_view()}
                            </ul>
                        })}
                        // What only a checker needs (fixes left out and why, the file exports)
                        // folds away from the volunteer's screen.
                        <details class="support" id="track-details">
                            <summary>{move || t().track_details}</summary>
                            {(!dropped.is_empty()).then(|| view! {
                                <h3>{move || t().dropped_heading}</h3>
                                <p class="muted">{dropped.iter().map(|(r, n)| format!("{} {n}", lang().drop_reason(*r))).collect::<Vec<_>>().join(" · ")}</p>
                            })}
                            {(!received).then(|| view! {
                                <div class="add-buttons">
                                    <button class="secondary" id="export-gpx" on:click=move |_| export("gpx")>{move || t().export_gpx}</button>
                                    <button class="secondary" id="export-geojson" on:click=move |_| export("geojson")>{move || t().export_geojson}</button>
                                </div>
                            })}
                            {move || exported.get().map(|r| match r {
                                Ok(p) => view! { <p class="muted" id="exported">{t().exported_to} <code>{p}</code></p> }.into_any(),
                                Err(e) => view! { <ErrorLine error=e/> }.into_any(),
                            })}
                        </details>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// An SVG of the track scaled to its bounds; one polyline per segment, so gaps show as gaps.
fn drawing(points: &[TrackPoint]) -> impl IntoView {
    let (w, h) = (360.0, 240.0);
    let drawn = redvest_shared::track::draw(points, w, h, 10.0);
    view! {
        <svg class="track-svg" id="track-svg" viewBox=format!("0 0 {w} {h}") role="img">
            <rect class="track-map" x="0" y="0" width=w.to_string() height=h.to_string()/>
            {drawn.map(|d| view! {
                {d.segments.into_iter().map(|pts| view! { <polyline class="track-line" points=pts fill="none" stroke="#e0455a" stroke-width="3" stroke-linejoin="round"/> }).collect_view()}
                <circle cx=d.start.0.to_string() cy=d.start.1.to_string() r="6" fill="#1b7a3a"/>
                <circle class="track-end" cx=d.end.0.to_string() cy=d.end.1.to_string() r="6"/>
            })}
        </svg>
    }
}
