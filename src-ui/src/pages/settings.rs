//! 设置: language, roster (with who the county has not confirmed yet) and signing PINs (set,
//! change), the duty schedule, public keys, verification.

use chrono::Weekday;
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::duty::{Assignment, Duty, NewDuty, Recurrence};
use redvest_shared::team::{ChangePin, LiftPinLock, Member, NewMember, Role, SettingsAccess};
use redvest_shared::photo::PhotoSettings;
use redvest_shared::track::TrackSettings;
use redvest_shared::{ErrorCode, IpcError};

use crate::components::subpage::Subpage;
use crate::components::attendance::RoleSelect;
use crate::components::field_error::{ErrorLine, FieldError};
use crate::components::picker::{Pick, Picker};
use crate::components::lang_toggle::LangToggle;
use crate::components::load_error::{load_failed, LoadError};
use crate::i18n::{error_text, use_lang, use_text, Lang};
use crate::ipc;
use crate::theme::ThemeChoice;

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_text();
    provide_context(KeysChanged(Trigger::new()));
    provide_context(Access(RwSignal::new(None)));
    view! {
        <Subpage title=|t| t.settings>
            <section class="card">
                <h2>{move || t().language}</h2>
                <LangToggle/>
            </section>
            <section class="card" id="theme">
                <h2>{move || t().theme_heading}</h2>
                <ThemeChoice/>
            </section>
            <SettingsLock/>
            <Roster/>
            <Duties/>
            <TrackDefaults/>
            <PhotoDefaults/>
            <Keys/>
        </Subpage>
    }
}

#[component]
fn Roster() -> impl IntoView {
    let t = use_text();
    let access = Access::here();
    // Adding is an action the list follows; a row's own writes (a PIN set, a lock lifted)
    // read the list again when they are saved.
    let add_member = Action::new_local(|m: &NewMember| ipc::add_member(m.clone()));
    let adding = add_member.pending();
    let members = LocalResource::new(move || {
        add_member.version().get();
        ipc::list_members()
    });
    let on_saved = Callback::new(move |()| members.refetch());
    // 待县平台确认 only means something once the phone talks to the county.
    let status = LocalResource::new(ipc::sync_status);
    let name = RwSignal::new(String::new());
    // A hurried tap must not make a 队长: the role starts, and returns after each
    // addition, at 平安志愿者.
    let role = RwSignal::new(Role::Volunteer);
    let (error, set_error) = signal(None::<IpcError>);
    let add = move |_| {
        add_member.dispatch_local(NewMember { name: name.get_untracked(), role: role.get_untracked() });
    };
    access.answers(add_member, set_error, move || {
        name.set(String::new());
        role.set(Role::Volunteer);
    });
    view! {
        <section class="card" id="roster">
            <h2>{move || t().roster_heading}</h2>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                // A roster that failed to load says so: it must not look like an empty team.
                <ErrorBoundary fallback=load_failed>
                {move || Suspend::new(async move {
                    let members = members.await?;
                    let enrolled = status.await.is_ok_and(|s| s.enrolled.is_some());
                    Ok::<_, IpcError>(view! {
                        <ul class="row-list">
                            {
                                // Who may lift a PIN lock: leaders with a key on this phone.
                                let leaders: Vec<(uuid::Uuid, String)> =
                                    members.iter().filter(|m| m.role == Role::Leader && m.has_key && !m.pin_locked).map(|m| (m.id, m.name.clone())).collect();
                                members.into_iter().map(|m| view! { <MemberRow member=m enrolled=enrolled on_saved=on_saved leaders=leaders.clone()/> }).collect_view()
                            }
                        </ul>
                    })
                })}
                </ErrorBoundary>
            </Transition>
            // The fieldset only disables: WebViews before 86 lay out no grid on a fieldset.
            <fieldset class="unlockable" prop:disabled=move || access.read_only()>
                <div class="inline-form">
                    <input id="member-name" placeholder=move || t().member_name prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <RoleSelect value=role/>
                    <button class="secondary" id="add-member" disabled=move || adding.get() on:click=add>{move || t().add}</button>
                </div>
            </fieldset>
            <FieldError error=error field="member.name"/>
            <LockedError error=error/>
        </section>
    }
}

#[component]
fn MemberRow(member: Member, enrolled: bool, on_saved: Callback<()>, leaders: Vec<(uuid::Uuid, String)>) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<IpcError>);
    let keys_changed = KeysChanged::here();
    let id = member.id;
    let create = Action::new_local(move |p: &String| {
        let p = p.clone();
        async move { keys_changed.answer(ipc::create_key(id, p).await, on_saved, set_error) }
    });
    let creating = create.pending();
    let set_pin = move |_| {
        if pin.get_untracked() != again.get_untracked() {
            set_error.set(Some(IpcError::new(ErrorCode::PinFormat, "pins differ").with_field("pin_again")));
            return;
        }
        create.dispatch_local(pin.get_untracked());
    };
    let role = member.role;
    view! {
        <li class="row member-row" data-member=member.name.clone()>
            <span class="row-main">
                <strong>{member.name.clone()}</strong>
                <span class="muted">{move || lang().role(role)}</span>
                {(enrolled && !member.confirmed).then(|| view! { <span class="badge pending">{move || t().pending_confirmation}</span> })}
            </span>
            {if member.has_key && member.pin_locked {
                let leaders: Vec<(uuid::Uuid, String)> = leaders.into_iter().filter(|(l, _)| *l != id).collect();
                view! { <LiftLockForm member_id=id leaders=leaders on_saved=on_saved/> }.into_any()
            } else if member.has_key {
                view! {
                    <div class="key-state">
                        <span class="badge badge-Done">{move || t().has_key}</span>
                        <ChangePinForm member_id=id/>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="pin-form">
                        <input class="pin" type="password" inputmode="numeric" maxlength="8" placeholder=move || t().pin
                            prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev))/>
                        <input class="pin-again" type="password" inputmode="numeric" maxlength="8" placeholder=move || t().pin_again
                            prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev))/>
                        <button class="secondary set-pin" disabled=move || creating.get() on:click=set_pin>{move || t().set_pin}</button>
                        {move || error.get().map(|e| {
                            let text = if e.field.as_deref() == Some("pin_again") { t().pins_differ } else { error_text(t(), &e) };
                            view! { <p class="error" role="alert">{text}</p> }
                        })}
                    </div>
                }.into_any()
            }}
        </li>
    }
}

/// 队长解锁: wrong PINs locked this member's key; a leader (not themselves) lifts the lock
/// with their own PIN.
#[component]
fn LiftLockForm(member_id: uuid::Uuid, leaders: Vec<(uuid::Uuid, String)>, on_saved: Callback<()>) -> impl IntoView {
    let t = use_text();
    let leader = RwSignal::new(leaders.first().map(|(id, _)| *id));
    let pin = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<IpcError>);
    let keys_changed = KeysChanged::here();
    let lift_lock = Action::new_local(move |req: &LiftPinLock| {
        let req = req.clone();
        async move { keys_changed.answer(ipc::lift_pin_lock(req).await, on_saved, set_error) }
    });
    let lifting = lift_lock.pending();
    let lift = move |_| {
        let Some(leader_id) = leader.get_untracked() else { return };
        lift_lock.dispatch_local(LiftPinLock { leader_id, leader_pin: pin.get_untracked(), member_id });
    };
    if leaders.is_empty() {
        return view! {
            <div class="key-state lift-lock">
                <span class="badge badge-Missed">{move || t().pin_locked}</span>
                <p class="muted no-leader">{move || t().lift_pin_lock_no_leader}</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="key-state lift-lock">
            <span class="badge badge-Missed">{move || t().pin_locked}</span>
            <p class="muted">{move || t().lift_pin_lock_hint}</p>
            <select class="lift-leader" on:change=move |ev| leader.set(uuid::Uuid::parse_str(&event_target_value(&ev)).ok())>
                {leaders.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
            </select>
            <input class="pin lift-pin" type="password" inputmode="numeric" maxlength="8" placeholder=move || t().leader_pin
                prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev))/>
            <button class="secondary lift-lock-button" disabled=move || lifting.get() on:click=lift>{move || t().lift_pin_lock}</button>
            {move || error.get().map(|e| view! { <ErrorLine error=e/> })}
        </div>
    }
    .into_any()
}

/// 修改PIN: the old PIN unlocks the old key, which endorses the new one. One button opens
/// the form and then confirms it.
#[component]
fn ChangePinForm(member_id: uuid::Uuid) -> impl IntoView {
    let t = use_text();
    let open = RwSignal::new(false);
    let old_pin = RwSignal::new(String::new());
    let new_pin = RwSignal::new(String::new());
    let (error, set_error) = signal(None::<IpcError>);
    let changed = RwSignal::new(false);
    let keys_changed = KeysChanged::here();
    let change = Action::new_local(move |req: &ChangePin| {
        let req = req.clone();
        async move {
            let result = ipc::change_pin(req).await;
            match &result {
                Ok(_) => {
                    keys_changed.notify();
                    set_error.set(None);
                    old_pin.set(String::new());
                    new_pin.set(String::new());
                    open.set(false);
                    changed.set(true);
                }
                Err(e) => set_error.set(Some(e.clone())),
            }
            result
        }
    });
    let changing = change.pending();
    let on_click = move |_| {
        if !open.get_untracked() {
            changed.set(false);
            set_error.set(None);
            open.set(true);
            return;
        }
        change.dispatch(ChangePin { member_id, old_pin: old_pin.get_untracked(), new_pin: new_pin.get_untracked() });
    };
    let cancel = move |_| {
        open.set(false);
        set_error.set(None);
        old_pin.set(String::new());
        new_pin.set(String::new());
    };
    // Errors not about either PIN field, shown under the form.
    let other_error = move || {
        error
            .get()
            .filter(|e| !matches!(e.field.as_deref(), Some("signer.pin" | "pin.old" | "pin.new")))
            .map(|e| view! { <p class="error field-error" role="alert">{error_text(t(), &e)}</p> })
    };
    view! {
        <div class="change-pin-form">
            <Show when=move || open.get()>
                <label class="field">
                    <span>{move || t().old_pin}</span>
                    <input id=format!("old-pin-{member_id}") class="old-pin" type="password" inputmode="numeric" maxlength="8"
                        autocomplete="off" prop:value=move || old_pin.get() on:input=move |ev| old_pin.set(event_target_value(&ev))/>
                    <FieldError error=error field="signer.pin"/>
                    <FieldError error=error field="pin.old"/>
                </label>
                <label class="field">
                    <span>{move || t().new_pin}</span>
                    <input id=format!("new-pin-{member_id}") class="new-pin" type="password" inputmode="numeric" maxlength="8"
                        autocomplete="off" prop:value=move || new_pin.get() on:input=move |ev| new_pin.set(event_target_value(&ev))/>
                    <FieldError error=error field="pin.new"/>
                </label>
                {other_error}
            </Show>
            <button class="secondary change-pin" id=format!("change-pin-{member_id}") disabled=move || changing.get() on:click=on_click>
                {move || if open.get() { t().confirm_change_pin } else { t().change_pin }}
            </button>
            <Show when=move || open.get()>
                <button class="secondary cancel-change-pin" on:click=cancel>{move || t().cancel}</button>
            </Show>
            {move || changed.get().then(|| view! {
                <p class="ok" role="status" id=format!("pin-changed-{member_id}")>{t().pin_changed}</p>
            })}
        </div>
    }
}

/// The week as the duty form offers it, from Monday.
const WEEK: [Weekday; 7] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn recurrence_text(lang: Lang, r: &Recurrence) -> String {
    let t = lang.text();
    match r {
        Recurrence::Daily => t.daily.into(),
        Recurrence::MarketDays { .. } => t.market_days.into(),
        Recurrence::WeeklyNonMarket { weekday } => format!("{} {}", t.weekly_non_market, lang.weekday(*weekday)),
        Recurrence::Weekdays { days } => {
            let sep = if lang == Lang::Zh { "、" } else { ", " };
            format!("{} {}", t.weekdays, days.iter().map(|d| lang.weekday(*d)).collect::<Vec<_>>().join(sep))
        }
        Recurrence::Monthly { day } => format!("{} {day}", t.monthly),
        Recurrence::Dates { dates } => dates.iter().map(|d| crate::i18n::ymd(*d)).collect::<Vec<_>>().join(" "),
    }
}

#[component]
fn Duties() -> impl IntoView {
    let t = use_text();
    let access = Access::here();
    let lang = use_lang();
    // Writes are actions; the list refetches whenever one of them has run.
    let add_duty = Action::new_local(|duty: &NewDuty| ipc::add_duty(duty.clone()));
    let adding = add_duty.pending();
    let remove_duty = Action::new_local(|id: &uuid::Uuid| ipc::remove_duty(*id));
    let duties = LocalResource::new(move || {
        add_duty.version().get();
        remove_duty.version().get();
        ipc::list_duties()
    });
    let assignment = RwSignal::new(0usize);
    let place = RwSignal::new(String::new());
    let time = RwSignal::new("20:00".to_string());
    let kind = RwSignal::new("daily".to_string());
    let weekday = RwSignal::new(Weekday::Mon);
    let day = RwSignal::new("1".to_string());
    let (error, set_error) = signal(None::<IpcError>);
    let add = move |_| {
        let Some(at) = crate::i18n::parse_hm(&time.get_untracked()) else {
            set_error.set(Some(IpcError::new(ErrorCode::Required, "time").with_field("duty.time")));
            return;
        };
        let wd = weekday.get_untracked();
        let recurrence = match kind.get_untracked().as_str() {
            "market" => Recurrence::market_days(),
            "weekly" => Recurrence::WeeklyNonMarket { weekday: wd },
            "weekday" => Recurrence::Weekdays { days: vec![wd] },
            "monthly" => Recurrence::Monthly { day: day.get_untracked().trim().parse().unwrap_or(0) },
            _ => Recurrence::Daily,
        };
        let duty = NewDuty {
            assignment: Assignment::ALL.get(assignment.get_untracked()).copied().unwrap_or(Assignment::ALL[0]),
            place: place.get_untracked(),
            time: at,
            recurrence,
        };
        add_duty.dispatch_local(duty);
    };
    access.answers(add_duty, set_error, move || place.set(String::new()));
    access.answers(remove_duty, set_error, || {});
    let remove = move |d: Duty| {
        remove_duty.dispatch_local(d.id);
    };
    view! {
        <section class="card" id="duties">
            <h2>{move || t().duty_heading}</h2>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                <ErrorBoundary fallback=load_failed>
                {move || Suspend::new(async move {
                    let duties = duties.await?;
                    Ok::<_, IpcError>(view! {
                        <ul class="row-list" id="duty-schedule">
                            {duties.into_iter().map(|d| {
                                let d2 = d.clone();
                                view! {
                                    <li class="row">
                                        <span class="row-main">
                                            <strong>{crate::i18n::hm(d.time)} " " {move || lang().assignment(d.assignment)}</strong>
                                            <span class="muted">{d.place.clone()} " · " {move || recurrence_text(lang(), &d.recurrence)}</span>
                                        </span>
                                        <button class="secondary" prop:disabled=move || access.read_only() on:click=move |_| remove(d2.clone())>{move || t().remove}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
                </ErrorBoundary>
            </Transition>
            <fieldset class="unlockable" prop:disabled=move || access.read_only()>
                <div class="stack-form">
                <select id="duty-assignment" on:change=move |ev| assignment.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {Assignment::ALL.into_iter().enumerate().map(|(i, a)| view! { <option value=i.to_string()>{move || lang().assignment(a)}</option> }).collect_view()}
                </select>
                <input id="duty-place" placeholder=move || t().place prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev))/>
                <FieldError error=error field="duty.place"/>
                <Picker pick=Pick::Time id="duty-time" value=time on_pick=Callback::new(move |v| time.set(v))/>
                <FieldError error=error field="duty.time"/>
                <select id="duty-recurrence" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="daily">{move || t().daily}</option>
                    <option value="market">{move || t().market_days}</option>
                    <option value="weekly">{move || t().weekly_non_market}</option>
                    <option value="weekday">{move || t().weekdays}</option>
                    <option value="monthly">{move || t().monthly}</option>
                </select>
                <Show when=move || matches!(kind.get().as_str(), "weekly" | "weekday")>
                    <select id="duty-weekday" on:change=move |ev| {
                        if let Some(w) = event_target_value(&ev).parse::<usize>().ok().and_then(|i| WEEK.get(i)) {
                            weekday.set(*w);
                        }
                    }>
                        // Shown again, the select says the day still chosen.
                        {WEEK.iter().enumerate().map(|(i, w)| view! {
                            <option value=i.to_string() selected=move || weekday.get() == *w>{move || lang().weekday(*w)}</option>
                        }).collect_view()}
                    </select>
                </Show>
                <Show when=move || kind.get() == "monthly">
                    <input inputmode="numeric" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev))/>
                </Show>
                <FieldError error=error field="duty.recurrence"/>
                <button class="secondary" id="add-duty" disabled=move || adding.get() on:click=add>{move || t().add}</button>
                </div>
            </fieldset>
            <LockedError error=error/>
        </section>
    }
}

/// Whether the team's settings may be changed here now (`None` until known); the core
/// decides and refuses in any case.
#[derive(Clone, Copy)]
struct Access(RwSignal<Option<SettingsAccess>>);

impl Access {
    /// This page's lock (read-only outside the settings page).
    fn here() -> Self {
        use_context::<Access>().unwrap_or_else(|| Access(RwSignal::new(Some(SettingsAccess::Locked))))
    }

    /// Whether the team's settings show read-only now.
    fn read_only(self) -> bool {
        matches!(self.0.get(), Some(SettingsAccess::Locked))
    }

    /// A change refused because the settings locked meanwhile (the time ran out): show it.
    fn saw(self, e: &IpcError) {
        if e.code == ErrorCode::SettingsLocked {
            self.0.set(Some(SettingsAccess::Locked));
        }
    }

    /// Follows a settings write: `saved` runs once it succeeds; a refusal goes to `error`
    /// (and a lock that closed meanwhile shows).
    fn answers<I: 'static, O: Clone + 'static>(self, action: Action<I, Result<O, IpcError>>, error: WriteSignal<Option<IpcError>>, saved: impl Fn() + 'static) {
        Effect::new(move |_| match action.value().get() {
            Some(Ok(_)) => {
                error.set(None);
                saved();
            }
            Some(Err(e)) => {
                self.saw(&e);
                error.set(Some(e));
            }
            None => {}
        });
    }
}

/// The refusal of a change while the settings are locked, where the change was tried.
#[component]
fn LockedError(error: ReadSignal<Option<IpcError>>) -> impl IntoView {
    let t = use_text();
    move || {
        error.get().filter(|e| e.code == ErrorCode::SettingsLocked).map(|e| view! { <p class="error settings-locked-error" role="alert">{error_text(t(), &e)}</p> })
    }
}

/// The lock over the roster, duties, recorder and photo settings: a note while the team sets
/// the phone up; once a leader has a password, read-only until a leader unlocks for a while.
#[component]
fn SettingsLock() -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let access = Access::here().0;
    let (error, set_error) = signal(None::<IpcError>);
    let refresh = move || {
        spawn_local(async move {
            match ipc::settings_access().await {
                Ok(a) => {
                    set_error.set(None);
                    access.set(Some(a));
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    // Unlocked: ask again when the time is up, so the page locks by itself.
    Effect::new(move |_| {
        if let Some(SettingsAccess::Unlocked { until, .. }) = access.get() {
            let left = (until - chrono::Utc::now()).to_std().unwrap_or_default();
            set_timeout(refresh, left + std::time::Duration::from_secs(1));
        }
    });
    // Again whenever a PIN is set here: a leader's first password locks the settings.
    let keys_changed = KeysChanged::here();
    Effect::new(move |_| {
        keys_changed.track();
        refresh();
    });
    let leaders = LocalResource::new(move || {
        keys_changed.track();
        ipc::list_members()
    });
    let leader = RwSignal::new(None::<uuid::Uuid>);
    let pin = RwSignal::new(String::new());
    let unlock = move |_| {
        let Some(leader_id) = leader.get_untracked() else { return };
        let p = pin.get_untracked();
        spawn_local(async move {
            match ipc::unlock_settings(leader_id, p).await {
                Ok(a) => {
                    set_error.set(None);
                    pin.set(String::new());
                    access.set(Some(a));
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let lock = move |_| {
        spawn_local(async move {
            if let Err(e) = ipc::lock_settings().await {
                set_error.set(Some(e));
            }
            refresh();
        });
    };
    view! {
        {move || match access.get() {
            None => ().into_any(),
            Some(SettingsAccess::Open) => view! { <p class="card muted" id="settings-open">{move || t().settings_open_note}</p> }.into_any(),
            Some(SettingsAccess::Unlocked { until, by }) => view! {
                <section class="card" id="settings-lock">
                    <p id="settings-unlocked">{move || lang().settings_unlocked(&by, until)}</p>
                    <button class="secondary" id="lock-settings" on:click=lock>{move || t().lock_settings}</button>
                </section>
            }.into_any(),
            Some(SettingsAccess::Locked) => view! {
                <section class="card" id="settings-lock">
                    <p id="settings-locked">{move || t().settings_locked_note}</p>
                    <Suspense fallback=|| ()>
                        <ErrorBoundary fallback=load_failed>
                        {move || Suspend::new(async move {
                            let leaders: Vec<Member> = leaders.await?.into_iter().filter(|m| m.role == Role::Leader && m.has_key).collect();
                            // The one shown is the one asked: the first, until another is picked.
                            if !leader.get_untracked().is_some_and(|id| leaders.iter().any(|m| m.id == id)) {
                                leader.set(leaders.first().map(|m| m.id));
                            }
                            Ok::<_, IpcError>(view! {
                                <select id="unlock-leader" on:change=move |ev| leader.set(uuid::Uuid::parse_str(&event_target_value(&ev)).ok())>
                                    {leaders.into_iter().map(|m| {
                                        let id = m.id;
                                        view! { <option value=id.to_string() prop:selected=move || leader.get() == Some(id)>{m.name}</option> }
                                    }).collect_view()}
                                </select>
                            })
                        })}
                        </ErrorBoundary>
                    </Suspense>
                    <input id="unlock-pin" type="password" inputmode="numeric" maxlength="8" autocomplete="off" placeholder=move || t().leader_pin
                        prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev))/>
                    <button class="primary" id="unlock-settings" on:click=unlock>{move || t().unlock_settings}</button>
                </section>
            }.into_any(),
        }}
        {move || error.get().map(|e| view! { <ErrorLine error=e id="settings-lock-error"/> })}
    }
}

/// Fired when a key is made, changed or unlocked on this page, so the key list, the lock's
/// leaders and the lock itself follow.
#[derive(Clone, Copy)]
struct KeysChanged(Trigger);

impl KeysChanged {
    /// This page's (one of its own, followed by nobody, outside the settings page).
    fn here() -> Self {
        use_context::<KeysChanged>().unwrap_or_else(|| KeysChanged(Trigger::new()))
    }

    fn notify(self) {
        self.0.notify();
    }

    /// A roster row's key write answered: saved, the page follows and the roster is read
    /// again; refused, the row says why.
    fn answer<T>(self, result: Result<T, IpcError>, on_saved: Callback<()>, error: WriteSignal<Option<IpcError>>) {
        match result {
            Ok(_) => {
                self.notify();
                on_saved.run(());
            }
            Err(e) => error.set(Some(e)),
        }
    }

    fn track(self) {
        self.0.track();
    }
}

#[component]
fn Keys() -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let changed = KeysChanged::here();
    let keys = LocalResource::new(move || {
        changed.track();
        ipc::public_keys()
    });
    let findings = RwSignal::new(None::<Result<Vec<redvest_shared::patrol::Finding>, IpcError>>);
    let verify = move |_| spawn_local(async move { findings.set(Some(ipc::verify().await)) });
    view! {
        <section class="card" id="keys">
            <h2>{move || t().keys_heading}</h2>
            <Transition fallback=move || view! { <p class="muted">{t().loading}</p> }>
                <ErrorBoundary fallback=load_failed>
                {move || Suspend::new(async move {
                    Ok::<_, IpcError>(keys.await?.into_iter().map(|k| view! {
                        <p><strong>{k.name.clone()}</strong> " " <code class="key">{k.public_key_hex.clone()}</code></p>
                    }).collect_view())
                })}
                </ErrorBoundary>
            </Transition>
            <button class="secondary" id="verify" on:click=verify>{move || t().verify}</button>
            {move || findings.get().map(|f| match f {
                Ok(list) if list.is_empty() => view! { <p id="verify-result">{t().verify_ok}</p> }.into_any(),
                Ok(list) => view! {
                    <div class="error" id="verify-result">
                        <p>{t().verify_bad}</p>
                        {list.into_iter().map(|f| view! { <p>{f.patrol_id.map(|p| p.to_string()).unwrap_or_default()} " " {lang().problem(f.problem)}</p> }).collect_view()}
                    </div>
                }.into_any(),
                Err(e) => view! { <ErrorLine error=e/> }.into_any(),
            })}
        </section>
    }
}

/// One number in a settings card: input name (the core's field name), label, read, write.
type NumberField<S> = (&'static str, fn(&crate::i18n::Text) -> &'static str, fn(&S) -> f64, fn(&mut S, f64));

/// A card of numbers loaded from the shell and saved back; the core checks each against its
/// range and names the one at fault.
#[component]
fn NumberSettings<S, L, LF, V, VF>(
    id: &'static str,
    heading: fn(&crate::i18n::Text) -> &'static str,
    fields: Vec<NumberField<S>>,
    load: L,
    save: V,
) -> impl IntoView
where
    S: Clone + Send + Sync + 'static,
    L: FnOnce() -> LF + 'static,
    LF: std::future::Future<Output = Result<S, IpcError>> + 'static,
    V: Fn(S) -> VF + Copy + 'static,
    VF: std::future::Future<Output = Result<(), IpcError>> + 'static,
{
    let t = use_text();
    let access = Access::here();
    let settings = RwSignal::new(None::<S>);
    let (error, set_error) = signal(None::<IpcError>);
    let (load_error, set_load_error) = signal(None::<IpcError>);
    let saved = RwSignal::new(false);
    spawn_local(async move {
        match load().await {
            Ok(s) => settings.set(Some(s)),
            // Blank fields would read as settings of nothing: say they did not load.
            Err(e) => set_load_error.set(Some(e)),
        }
    });
    let store = Action::new_local(move |s: &S| save(s.clone()));
    let storing = store.pending();
    access.answers(store, set_error, move || saved.set(true));
    // Fields whose text is not a number: nothing is saved while one is left, or the ✓ would
    // stand beside a field that still shows what was not taken.
    let unparsed = RwSignal::new(Vec::<&'static str>::new());
    let not_a_number = |name: &'static str| IpcError::new(ErrorCode::OutOfRange, "not a number").with_field(name);
    let on_save = move |_| {
        let Some(s) = settings.get_untracked() else { return };
        saved.set(false);
        if let Some(name) = unparsed.with_untracked(|u| u.first().copied()) {
            set_error.set(Some(not_a_number(name)));
            return;
        }
        store.dispatch_local(s);
    };
    view! {
        <section class="card" id=id>
            <h2>{move || heading(t())}</h2>
            {move || load_error.get().map(|e| view! { <LoadError error=e/> })}
            <fieldset class="unlockable" prop:disabled=move || access.read_only() || settings.with(Option::is_none) || storing.get()>
            {fields.into_iter().map(|(name, label, get, set)| {
                // This field's own value: a change to another field must not write this one
                // back over what is typed in it.
                let value = Memo::new(move |_| settings.with(|s| s.as_ref().map(|s| get(s).to_string())));
                view! {
                <label class="field">
                    <span>{move || label(t())}</span>
                    <input name=name inputmode="decimal"
                        prop:value=move || value.get().unwrap_or_default()
                        on:change=move |ev| {
                            saved.set(false);
                            match event_target_value(&ev).trim().parse::<f64>() {
                                Ok(v) if v.is_finite() => {
                                    unparsed.update(|u| u.retain(|n| *n != name));
                                    set_error.update(|e| if e.as_ref().is_some_and(|e| e.field.as_deref() == Some(name)) { *e = None });
                                    settings.update(|s| if let Some(s) = s { set(s, v) });
                                }
                                _ => {
                                    unparsed.update(|u| if !u.contains(&name) { u.push(name) });
                                    set_error.set(Some(not_a_number(name)));
                                }
                            }
                        }/>
                    <FieldError error=error field=name/>
                </label>
            }}).collect_view()}
            <button class="secondary" id=format!("save-{id}") on:click=on_save>{move || t().save}</button>
            </fieldset>
            <LockedError error=error/>
            {move || saved.get().then(|| view! { <span class="badge badge-Done" id=format!("{id}-saved")>"✓"</span> })}
        </section>
    }
}

#[component]
fn TrackDefaults() -> impl IntoView {
    let fields: Vec<NumberField<TrackSettings>> = vec![
        ("track.max_accuracy_m", |t| t.max_accuracy, |s| s.max_accuracy_m, |s, v| s.max_accuracy_m = v),
        ("track.min_move_m", |t| t.min_move, |s| s.min_move_m, |s, v| s.min_move_m = v),
        ("track.max_jump_m", |t| t.max_jump, |s| s.max_jump_m, |s, v| s.max_jump_m = v),
        ("track.max_gap_s", |t| t.max_gap, |s| s.max_gap_s as f64, |s, v| s.max_gap_s = v as i64),
        ("track.gap_report_s", |t| t.gap_report, |s| s.gap_report_s as f64, |s, v| s.gap_report_s = v as i64),
        ("track.max_clock_skew_s", |t| t.clock_skew, |s| s.max_clock_skew_s as f64, |s, v| s.max_clock_skew_s = v as i64),
        ("track.idle_after_s", |t| t.idle_after, |s| s.idle_after_s as f64, |s, v| s.idle_after_s = v as i64),
    ];
    view! { <NumberSettings id="track-settings" heading=|t| t.track_settings_heading fields=fields load=ipc::track_defaults save=ipc::set_track_defaults/> }
}

#[component]
fn PhotoDefaults() -> impl IntoView {
    // Out-of-range values are kept as typed (saturating) so the core names the field.
    let fields: Vec<NumberField<PhotoSettings>> = vec![
        ("photo.long_edge_px", |t| t.photo_long_edge, |s| s.long_edge_px.into(), |s, v| s.long_edge_px = v as u32),
        ("photo.jpeg_quality", |t| t.photo_quality, |s| s.jpeg_quality.into(), |s, v| s.jpeg_quality = v as u8),
        ("photo.thumbnail_px", |t| t.photo_thumbnail, |s| s.thumbnail_px.into(), |s, v| s.thumbnail_px = v as u32),
    ];
    view! { <NumberSettings id="photo-settings" heading=|t| t.photo_settings_heading fields=fields load=ipc::photo_settings save=ipc::set_photo_settings/> }
}
