//! Adding a hazard, dispute, sighting, house visit or outreach. Every keystroke is saved as
//! a draft on the device, so a killed app reopens the form as it was.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::checklist::{CheckDomain, ChecklistItem};
use redvest_shared::observation::{EscalateTo, Handling, HazardReport, Observation, OutreachKind, Severity, SightingSubject, Spot};
use redvest_shared::photo::Photo;
use redvest_shared::{ErrorCode, IpcError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::components::field_error::FieldError;
use crate::components::photos::{PhotoPicker, PhotoStrip};
use crate::components::picker::{Pick, Picker};
use crate::i18n::{error_text, use_lang, use_text, Lang, Text};
use crate::ipc;

/// The form as typed: which kind, each field's text, and the photos taken so far (by
/// SHA-256; the device keeps a photo named in a draft when it cleans up at start).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Draft {
    kind: String,
    fields: BTreeMap<String, String>,
    #[serde(default)]
    photos: Vec<String>,
    /// Wordings offered as taps (from the checklist item a hazard was opened from).
    #[serde(default)]
    phrases: Vec<String>,
}

fn draft_key(patrol: Uuid) -> String {
    format!("observation:{patrol}")
}

fn invalid(field: &str, code: ErrorCode) -> IpcError {
    IpcError::new(code, format!("{field}: not a valid value")).with_field(field)
}

/// A select's value as the enum it names (its serde name); untouched, the form's first
/// option. A value the enum does not know is refused by field, never read as another.
fn pick<T: serde::de::DeserializeOwned>(d: &Draft, k: &'static str, first: T) -> Result<T, IpcError> {
    match d.fields.get(k).map(String::as_str) {
        None | Some("") => Ok(first),
        Some(v) => serde_json::from_value(serde_json::Value::String(v.to_owned())).map_err(|_| invalid(k, ErrorCode::OutOfRange)),
    }
}

/// Builds the observation from the form; a field that does not parse is named.
fn build(d: &Draft) -> Result<Observation, IpcError> {
    let f = |k: &str| d.fields.get(k).cloned().unwrap_or_default();
    let number = |k: &str| -> Result<u32, IpcError> {
        let v = f(k);
        if v.trim().is_empty() { Ok(0) } else { v.trim().parse().map_err(|_| invalid(k, ErrorCode::OutOfRange)) }
    };
    Ok(match d.kind.as_str() {
        "hazard" => {
            let handling = match f("hazard.handling").as_str() {
                "rectify" => Handling::Rectify {
                    responsible: f("hazard.responsible"),
                    unit: f("hazard.unit"),
                    deadline: f("hazard.deadline").trim().parse::<NaiveDate>()
                        .map_err(|_| invalid("hazard.deadline", ErrorCode::Required))?,
                },
                "escalate" => Handling::Escalated { to: pick(d, "hazard.escalate_to", EscalateTo::Centre)? },
                "" | "fixed" => Handling::FixedOnSpot,
                _ => return Err(invalid("hazard.handling", ErrorCode::OutOfRange)),
            };
            Observation::Hazard(HazardReport {
                domain: pick(d, "hazard.domain", CheckDomain::PublicOrder)?,
                item: Some(f("hazard.item")).filter(|code| !code.is_empty()),
                description: f("hazard.description"),
                severity: pick(d, "hazard.severity", Severity::Low)?,
                place: f("hazard.place"),
                spot: Some(f("hazard.spot"))
                    .filter(|json| !json.is_empty())
                    .map(|json| serde_json::from_str(&json).map_err(|_| invalid("hazard.spot", ErrorCode::OutOfRange)))
                    .transpose()?,
                handling,
            })
        }
        "dispute" => Observation::Dispute {
            summary: f("dispute.summary"),
            place: f("dispute.place"),
            handed_to_village: f("dispute.handed") == "yes",
        },
        "sighting" => Observation::Sighting {
            subject: pick(d, "sighting.subject", SightingSubject::Person)?,
            description: f("sighting.description"),
            place: f("sighting.place"),
            passed_to_police: f("sighting.police") == "yes",
        },
        "visit" => Observation::HouseVisit { household: f("visit.household"), people_met: number("visit.people_met")?, notes: f("visit.notes") },
        "outreach" => Observation::Outreach {
            kind: pick(d, "outreach.kind", OutreachKind::Leaflets)?,
            audience: number("outreach.audience")?,
            notes: f("outreach.notes"),
        },
        // A draft of a kind this build does not know (an older app's, say) is refused, not
        // saved as another kind.
        _ => return Err(invalid("*", ErrorCode::OutOfRange)),
    })
}

/// The buttons to start each kind of observation, and the open form.
#[component]
pub fn ObservationForm(
    patrol_id: Uuid,
    on_added: impl Fn() + Copy + Send + Sync + 'static,
    /// A checklist item answered 发现问题 to record as a hazard: opens the form filled from it.
    report: RwSignal<Option<ChecklistItem>>,
    /// Called when a draft left by a killed app is reopened.
    #[prop(optional)]
    on_restored: Option<Callback<()>>,
) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let draft = RwSignal::new(None::<Draft>);
    let (error, set_error) = signal(None::<IpcError>);
    // Reopen a draft left by a killed app, unless a form was opened while it loaded (the
    // draft read back may be that form's own first save, without what was typed since).
    spawn_local(async move {
        if let Ok(Some(body)) = ipc::load_draft(draft_key(patrol_id)).await {
            if let (Ok(d), true) = (serde_json::from_str::<Draft>(&body), draft.with_untracked(Option::is_none)) {
                draft.set(Some(d));
                if let Some(restored) = on_restored {
                    restored.run(());
                }
            }
        }
    });
    let persist = move || {
        if let Some(d) = draft.get_untracked() {
            let body = serde_json::to_string(&d).unwrap_or_default();
            spawn_local(async move {
                let _ = ipc::save_draft(draft_key(patrol_id), body).await;
            });
        }
    };
    let open = move |kind: &'static str| {
        let mut fields = BTreeMap::new();
        if kind == "hazard" {
            fields.insert("hazard.handling".to_string(), "fixed".to_string());
        }
        draft.set(Some(Draft { kind: kind.into(), fields, photos: Vec::new(), phrases: Vec::new() }));
        set_error.set(None);
        persist();
    };
    // From the checklist: the item's domain and wording filled in, its common phrases offered,
    // and the form brought into view. A form already open keeps its photos, and a hazard
    // already begun keeps what was typed.
    Effect::new(move |_| {
        let Some(item) = report.get() else { return };
        let zh = untrack(lang) == Lang::Zh;
        let open = draft.get_untracked();
        let photos = open.as_ref().map(|d| d.photos.clone()).unwrap_or_default();
        let mut fields = open.filter(|d| d.kind == "hazard").map(|d| d.fields).unwrap_or_default();
        fields.entry("hazard.handling".to_string()).or_insert_with(|| "fixed".to_string());
        fields.insert("hazard.domain".to_string(), item.domain.key().to_string());
        fields.insert("hazard.item".to_string(), item.code.clone());
        let description = fields.entry("hazard.description".to_string()).or_default();
        if description.trim().is_empty() {
            *description = if zh { item.text_zh.clone() } else { item.text_en.clone() };
        }
        let phrases = if zh { item.phrases_zh.clone() } else { item.phrases_en.clone() };
        draft.set(Some(Draft { kind: "hazard".into(), fields, photos, phrases }));
        set_error.set(None);
        persist();
        report.set(None);
        request_animation_frame(|| {
            if let Some(form) = document().get_element_by_id("observation-form") {
                form.scroll_into_view();
            }
        });
    });
    let close = move || {
        draft.set(None);
        spawn_local(async move {
            let _ = ipc::clear_draft(draft_key(patrol_id)).await;
        });
    };
    // Saved once however often a gloved hand taps 保存: the button waits for the answer.
    let save = Action::new_local(move |(body, photos): &(Observation, Vec<String>)| {
        let (body, photos) = (body.clone(), photos.clone());
        async move {
            match ipc::add_observation(patrol_id, body, photos).await {
                Ok(_) => {
                    set_error.set(None);
                    close();
                    on_added();
                }
                Err(e) => set_error.set(Some(e)),
            }
        }
    });
    let saving = save.pending();
    let submit = move |_| {
        let Some(d) = draft.get_untracked() else { return };
        if saving.get_untracked() {
            return;
        }
        match build(&d) {
            Err(e) => set_error.set(Some(e)),
            Ok(body) => {
                save.dispatch_local((body, d.photos));
            }
        }
    };
    // Re-render the form only when it opens, closes or changes kind, not on every keystroke
    // (that would drop the focus from the field being typed in).
    let open_kind = Memo::new(move |_| draft.with(|d| d.as_ref().map(|d| d.kind.clone())));
    let kinds: [(&'static str, fn(&Text) -> &'static str); 5] = [
        ("hazard", |t| t.add_hazard),
        ("dispute", |t| t.add_dispute),
        ("sighting", |t| t.add_sighting),
        ("visit", |t| t.add_visit),
        ("outreach", |t| t.add_outreach),
    ];
    view! {
        <div class="add-buttons">
            {kinds.into_iter().map(|(k, label)| view! {
                <button type="button" class="secondary" id=format!("add-{k}") on:click=move |_| open(k)>{move || label(t())}</button>
            }).collect_view()}
        </div>
        {move || open_kind.get().map(|kind| {
            let kind_attr = kind.clone();
            // A hazard is photographed first: the photo says most, before any typing.
            let photos_first = kind == "hazard";
            let photos = move || view! {
                    <div class="field" id="observation-photos">
                        <span>{move || t().photos_heading}</span>
                        <PhotoStrip
                            photos=Signal::derive(move || draft.with(|d| d.as_ref().map(|d| d.photos.clone()).unwrap_or_default()))
                            on_remove=Some(Callback::new(move |sha: String| {
                                draft.update(|d| if let Some(d) = d { d.photos.retain(|p| *p != sha) });
                                persist();
                            }))/>
                        <PhotoPicker patrol_id=patrol_id on_added=Callback::new(move |photo: Photo| {
                            draft.update(|d| if let Some(d) = d { if !d.photos.contains(&photo.sha256) { d.photos.push(photo.sha256) } });
                            persist();
                        })/>
                    </div>
            };
            view! {
                <form class="card obs-form" id="observation-form" data-kind=kind_attr on:submit=move |ev| { ev.prevent_default(); submit(()); }>
                    {photos_first.then(photos)}
                    <Fields kind=kind draft=draft persist=persist error=error patrol_id=patrol_id/>
                    {(!photos_first).then(photos)}
                    <FieldError error=error field="*"/>
                    <div class="form-actions">
                        <button type="submit" class="primary" id="save-observation" disabled=move || saving.get()>{move || t().save}</button>
                        <button type="button" class="secondary" on:click=move |_| close()>{move || t().cancel}</button>
                    </div>
                </form>
            }
        })}
    }
}

/// 用我的位置: the phone's last fix, kept beside the typed place (in the draft, as JSON).
#[component]
fn SpotField(patrol_id: Uuid, draft: RwSignal<Option<Draft>>, persist: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let spot = move || draft.with(|d| d.as_ref().and_then(|d| d.fields.get("hazard.spot")).and_then(|json| serde_json::from_str::<Spot>(json).ok()));
    let (note, set_note) = signal(None::<&'static str>);
    let keep = move |spot: Option<Spot>| {
        draft.update(|d| {
            if let Some(d) = d {
                match spot.and_then(|s| serde_json::to_string(&s).ok()) {
                    Some(json) => d.fields.insert("hazard.spot".to_string(), json),
                    None => d.fields.remove("hazard.spot"),
                };
            }
        });
        persist();
    };
    let locate = move |_| {
        set_note.set(None);
        spawn_local(async move {
            match ipc::last_spot(patrol_id).await {
                Ok(Some(spot)) => keep(Some(spot)),
                Ok(None) => set_note.set(Some(t().spot_none)),
                Err(e) => set_note.set(Some(error_text(t(), &e))),
            }
        });
    };
    view! {
        <div class="field spot" id="hazard-spot">
            {move || match spot() {
                Some(s) => view! {
                    <p id="spot-line"><span class="muted">{move || t().spot_label} " "</span>{move || lang().spot(&s)}</p>
                    <button type="button" class="secondary" id="spot-remove" on:click=move |_| keep(None)>{move || t().spot_remove}</button>
                }.into_any(),
                None => view! {
                    <button type="button" class="secondary" id="use-my-location" on:click=locate>{move || t().use_my_location}</button>
                }.into_any(),
            }}
            {move || note.get().map(|n| view! { <p class="muted" id="spot-note" role="status">{n}</p> })}
        </div>
    }
}

/// The inputs of one kind of observation.
#[component]
fn Fields(
    kind: String,
    draft: RwSignal<Option<Draft>>,
    persist: impl Fn() + Copy + Send + Sync + 'static,
    error: ReadSignal<Option<IpcError>>,
    patrol_id: Uuid,
) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let get = move |k: &'static str| move || draft.with(|d| d.as_ref().and_then(|d| d.fields.get(k).cloned()).unwrap_or_default());
    let set = move |k: &'static str, v: String| {
        draft.update(|d| {
            if let Some(d) = d {
                d.fields.insert(k.to_string(), v);
            }
        });
        persist();
    };
    let text = move |k: &'static str, label: fn(&Text) -> &'static str| view! {
        <label class="field">
            <span>{move || label(t())}</span>
            <input name=k prop:value=get(k) on:input=move |ev| set(k, event_target_value(&ev))/>
            <FieldError error=error field=k/>
        </label>
    };
    // Counts open the number pad.
    let count = move |k: &'static str, label: fn(&Text) -> &'static str| view! {
        <label class="field">
            <span>{move || label(t())}</span>
            <input name=k inputmode="numeric" pattern="[0-9]*" prop:value=get(k) on:input=move |ev| set(k, event_target_value(&ev))/>
            <FieldError error=error field=k/>
        </label>
    };
    let area = move |k: &'static str, label: fn(&Text) -> &'static str| view! {
        <label class="field">
            <span>{move || label(t())}</span>
            <textarea name=k prop:value=get(k) on:input=move |ev| set(k, event_target_value(&ev))></textarea>
            <FieldError error=error field=k/>
        </label>
    };
    let choice = move |k: &'static str, label: fn(&Text) -> &'static str, options: Vec<(&'static str, String)>| {
        // Nothing chosen yet reads as the first option, as `build` takes it.
        let first = options.first().map(|(v, _)| (*v).to_owned()).unwrap_or_default();
        view! {
        <label class="field">
            <span>{move || label(t())}</span>
            // Bound on the select itself, so a value filled in (from the checklist) shows.
            <select name=k prop:value=move || Some(get(k)()).filter(|v| !v.is_empty()).unwrap_or_else(|| first.clone()) on:change=move |ev| {
                // Another domain: the checklist item it came from no longer applies.
                if k == "hazard.domain" {
                    draft.update(|d| if let Some(d) = d { d.fields.remove("hazard.item"); });
                }
                set(k, event_target_value(&ev))
            }>
                {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
            </select>
        </label>
        }
    };
    // Redrawn only when the offered wordings change, not on every keystroke.
    let phrases = Memo::new(move |_| draft.with(|d| d.as_ref().map(|d| d.phrases.clone()).unwrap_or_default()));
    let yes_no = |zh: bool| vec![("no", if zh { "否" } else { "No" }.to_string()), ("yes", if zh { "是" } else { "Yes" }.to_string())];
    let l = lang();
    let zh = l == crate::i18n::Lang::Zh;
    match kind.as_str() {
        "hazard" => view! {
            {choice("hazard.domain", |t| t.domain, vec![
                (CheckDomain::PublicOrder.key(), l.domain(CheckDomain::PublicOrder).into()),
                (CheckDomain::WorkSafety.key(), l.domain(CheckDomain::WorkSafety).into()),
                (CheckDomain::FireSafety.key(), l.domain(CheckDomain::FireSafety).into()),
            ])}
            {area("hazard.description", |t| t.description)}
            {move || {
                let phrases = phrases.get();
                (!phrases.is_empty()).then(|| view! {
                    <div class="field phrases" id="hazard-phrases">
                        <span class="muted">{move || t().phrases_hint}</span>
                        <div class="add-buttons">
                            {phrases.into_iter().map(|p| {
                                let add = p.clone();
                                view! { <button type="button" class="secondary phrase" on:click=move |_| {
                                    let now = get("hazard.description")();
                                    set("hazard.description", if now.trim().is_empty() { add.clone() } else { format!("{now},{add}") });
                                }>{p}</button> }
                            }).collect_view()}
                        </div>
                    </div>
                })
            }}
            {text("hazard.place", |t| t.place)}
            <SpotField patrol_id=patrol_id draft=draft persist=persist/>
            <FieldError error=error field="hazard.spot"/>
            {choice("hazard.severity", |t| t.severity, vec![
                ("low", l.severity(Severity::Low).into()),
                ("medium", l.severity(Severity::Medium).into()),
                ("high", l.severity(Severity::High).into()),
            ])}
            {choice("hazard.handling", |t| t.handling, vec![
                ("fixed", t().fixed_on_spot.into()),
                ("rectify", t().rectify.into()),
                ("escalate", t().escalate.into()),
            ])}
            <Show when=move || get("hazard.handling")() == "rectify">
                {text("hazard.responsible", |t| t.responsible)}
                {text("hazard.unit", |t| t.unit)}
                <label class="field">
                    <span>{move || t().deadline}</span>
                    <Picker pick=Pick::Date name="hazard.deadline" value=Signal::derive(get("hazard.deadline")) on_pick=Callback::new(move |v| set("hazard.deadline", v))/>
                    <FieldError error=error field="hazard.deadline"/>
                </label>
            </Show>
            <Show when=move || get("hazard.handling")() == "escalate">
                {choice("hazard.escalate_to", |t| t.escalate_to, vec![("centre", t().centre.into()), ("county", t().county.into())])}
            </Show>
        }.into_any(),
        "dispute" => view! {
            {area("dispute.summary", |t| t.summary)}
            {text("dispute.place", |t| t.place)}
            {choice("dispute.handed", |t| t.handed_to_village, yes_no(zh))}
        }.into_any(),
        "sighting" => view! {
            {choice("sighting.subject", |t| t.subject, vec![("person", t().person.into()), ("vehicle", t().vehicle.into()), ("item", t().item.into())])}
            {area("sighting.description", |t| t.description)}
            {text("sighting.place", |t| t.place)}
            {choice("sighting.police", |t| t.passed_to_police, yes_no(zh))}
        }.into_any(),
        "visit" => view! {
            {text("visit.household", |t| t.household)}
            {count("visit.people_met", |t| t.people_met)}
            {area("visit.notes", |t| t.notes)}
        }.into_any(),
        _ => view! {
            {choice("outreach.kind", |t| t.outreach_kind, vec![("leaflets", t().leaflets.into()), ("talk", t().talk.into()), ("loudspeaker", t().loudspeaker.into())])}
            {count("outreach.audience", |t| t.audience)}
            {area("outreach.notes", |t| t.notes)}
        }.into_any(),
    }
}
