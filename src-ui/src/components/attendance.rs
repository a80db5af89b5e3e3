//! 人员到位: tick who turned up, mark late or absent with a reason, add guests.

use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::patrol::{AttendanceEntry, Presence};
use redvest_shared::team::{Member, Role};
use redvest_shared::IpcError;
use uuid::Uuid;

use crate::components::field_error::FieldError;
use crate::i18n::{use_lang, use_text};
use crate::ipc;

/// Attendance of one patrol; every change is saved at once. `entries` is shared with the
/// finish section, which offers the members present as signers.
#[component]
pub fn AttendanceEditor(patrol_id: Uuid, members: Vec<Member>, entries: RwSignal<Vec<AttendanceEntry>>) -> impl IntoView {
    let t = use_text();
    let lang = use_lang();
    let (error, set_error) = signal(None::<IpcError>);
    let save = move || {
        let list = entries.get_untracked();
        spawn_local(async move { set_error.set(ipc::set_attendance(patrol_id, list).await.err()) });
    };
    let set_presence = move |member: &Member, presence: Presence| {
        let (id, name, role) = (member.id, member.name.clone(), member.role);
        entries.update(|list| match list.iter_mut().find(|e| e.member_id == Some(id)) {
            Some(e) => e.presence = presence,
            None => list.push(AttendanceEntry { member_id: Some(id), name, role, presence, reason: String::new() }),
        });
        save();
    };
    let guest_name = RwSignal::new(String::new());
    let guest_role = RwSignal::new(Role::Member);

    let presence_of = move |id: Option<Uuid>, name: String| {
        entries.with(|l| l.iter().find(|e| e.member_id == id && (id.is_some() || e.name == name)).map(|e| e.presence))
    };
    let member_rows = members
        .into_iter()
        .map(|m| {
            let m2 = m.clone();
            let buttons = [(Presence::Present, t().present), (Presence::Late, t().late), (Presence::Absent, t().absent)]
                .into_iter()
                .map(|(p, _)| {
                    let m = m2.clone();
                    let label = move || match p {
                        Presence::Present => t().present,
                        Presence::Late => t().late,
                        Presence::Absent => t().absent,
                    };
                    let id = m.id;
                    view! {
                        <button
                            type="button"
                            class="toggle"
                            data-presence=format!("{p:?}")
                            class:selected=move || presence_of(Some(id), String::new()) == Some(p)
                            on:click=move |_| set_presence(&m, p)
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view();
            let id = m.id;
            let needs_reason = move || matches!(presence_of(Some(id), String::new()), Some(Presence::Late | Presence::Absent));
            view! {
                <li class="attendance-row" data-member=m.id.to_string()>
                    <div class="attendance-who">
                        <strong>{m.name.clone()}</strong>
                        <span class="muted">{move || lang().role(m.role)}</span>
                    </div>
                    <div class="toggles">{buttons}</div>
                    <Show when=needs_reason>
                        <input
                            class="reason"
                            placeholder=move || t().reason
                            prop:value=move || entries.with(|l| l.iter().find(|e| e.member_id == Some(id)).map(|e| e.reason.clone()).unwrap_or_default())
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                entries.update(|l| if let Some(e) = l.iter_mut().find(|e| e.member_id == Some(id)) { e.reason = v });
                                save();
                            }
                        />
                    </Show>
                </li>
            }
        })
        .collect::<Vec<_>>();

    let empty = member_rows.is_empty();
    let member_rows = member_rows.into_iter().collect_view();
    view! {
        <section class="card" id="attendance">
            <h2>{move || t().attendance_heading}</h2>
            {empty.then(|| view! { <p class="muted" id="no-members">{move || t().no_members}</p> })}
            <ul class="plain">{member_rows}</ul>
            <ul class="plain">
                {move || entries.get().into_iter().filter(|e| e.member_id.is_none()).map(|g| view! {
                    <li class="attendance-row guest"><strong>{g.name.clone()}</strong> " " <span class="muted">{lang().role(g.role)}</span></li>
                }).collect_view()}
            </ul>
            <div class="inline-form">
                <input placeholder=move || t().guest_name prop:value=move || guest_name.get() on:input=move |ev| guest_name.set(event_target_value(&ev))/>
                <RoleSelect value=guest_role/>
                <button type="button" class="secondary" on:click=move |_| {
                    let name = guest_name.get_untracked();
                    entries.update(|l| l.push(AttendanceEntry { member_id: None, name, role: guest_role.get_untracked(), presence: Presence::Present, reason: String::new() }));
                    guest_name.set(String::new());
                    save();
                }>{move || t().add_guest}</button>
            </div>
            <FieldError error=error field="attendance.reason"/>
            <FieldError error=error field="attendance.guest_name"/>
        </section>
    }
}

/// A select over all roles.
#[component]
pub fn RoleSelect(value: RwSignal<Role>) -> impl IntoView {
    let lang = use_lang();
    view! {
        // The value is bound on the select itself: a reset then shows on screen too.
        <select prop:value=move || Role::ALL.iter().position(|r| *r == value.get()).unwrap_or(0).to_string() on:change=move |ev| {
            let i: usize = event_target_value(&ev).parse().unwrap_or(0);
            value.set(Role::ALL.get(i).copied().unwrap_or(Role::Member));
        }>
            {Role::ALL.into_iter().enumerate().map(|(i, r)| view! {
                <option value=i.to_string()>{move || lang().role(r)}</option>
            }).collect_view()}
        </select>
    }
}
