//! A patrol signed on another phone, for the leader on this one (队长待审): the record
//! read-only, its track and photos (from the county), and the decision.

use leptos::prelude::*;
use redvest_shared::patrol::{PatrolState, ReviewSummary};
use uuid::Uuid;

use crate::components::subpage::Subpage;
use crate::nav::{use_navigate, Page};
use crate::components::qr::ShowQr;
use crate::components::track::TrackView;
use crate::i18n::{use_lang, use_text};
use crate::ipc;
use crate::pages::patrol::{Record, Review};
use crate::components::field_error::ErrorLine;

/// The review page.
#[component]
pub fn ReviewPage(id: Uuid) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let detail = LocalResource::new(move || ipc::review_detail(id));
    let members = LocalResource::new(ipc::list_members);
    // The decision saved, the page shows where the patrol now stands.
    let saved = Callback::new(move |()| detail.refetch());
    view! {
        <Subpage title=|t| t.review_page_heading id="review-page">
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match (detail.await, members.await) {
                        (Ok(d), Ok(m)) => {
                            let volunteer = d.signatures.first().map(|s| s.name.clone()).unwrap_or_default();
                            let state = d.state;
                            let reason = d.returned_reason.clone();
                            view! {
                                <h2>{move || lang().assignment(d.record.assignment)}</h2>
                                <p class="muted">
                                    {move || t().review_from} " " <strong id="review-volunteer">{volunteer.clone()}</strong> " · "
                                    <span class="badge" id="patrol-state">{move || lang().patrol_state(state)}</span>
                                </p>
                                <Record detail=d.clone() remote=true/>
                                {d.record.track_sha256.is_some().then(|| view! { <TrackView patrol_id=id received=true/> })}
                                {match state {
                                    PatrolState::Submitted => view! { <Review patrol_id=id members=m saved=saved received=true/> }.into_any(),
                                    PatrolState::Sealed => view! {
                                        <section class="card" id="review-done">
                                            <p>{move || t().review_sealed_here}</p>
                                            <ShowQr patrol_id=id countersigned=true/>
                                        </section>
                                    }.into_any(),
                                    _ => view! {
                                        <p class="card" id="review-done">{move || t().review_returned_here} " " {reason.clone()}</p>
                                    }.into_any(),
                                }}
                            }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => view! { <ErrorLine error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </Subpage>
    }
}

/// 队长待审 on the home page: each patrol waiting for a leader on this phone; a tap opens it
/// (its own page for one recorded here).
#[component]
pub fn ReviewList(reviews: Vec<ReviewSummary>) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let navigate = use_navigate();
    let count = reviews.len();
    view! {
        <section class="card" id="reviews">
            <h2>{move || t().reviews_heading} " " <span class="badge badge-Due" id="reviews-count">{count} " " {move || t().reviews_count}</span></h2>
            <ul class="row-list">
                {reviews.into_iter().map(|r| {
                    let page = if r.on_this_phone { Page::Patrol(r.patrol_id) } else { Page::Review(r.patrol_id) };
                    view! {
                        <li class="row review-row" data-id=r.patrol_id.to_string() on:click=move |_| navigate(page)>
                            <span class="row-main">
                                <strong>{r.volunteer.clone()}</strong>
                                <span class="muted">{move || lang().assignment(r.assignment)} " · " {crate::i18n::local(r.started_at)}</span>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
