//! A date or a time chosen with the phone's own picker, but shown as the app writes it
//! (2026-12-09, 20:00) whatever the system's locale: a WebView draws a native date input in
//! the locale's format (12/09/2026 on a phone set to English, 8:00 PM for a time), so that
//! input lies invisible over the app's own text and only opens the picker.

use leptos::prelude::*;

use crate::i18n::{use_text, Text};

/// What the picker chooses; the input's value is ISO either way (`2026-12-09`, `20:00`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pick {
    Date,
    Time,
}

/// The picker: `value` as the input holds it, `on_pick` with each new value.
#[component]
pub fn Picker(
    pick: Pick,
    #[prop(into)] value: Signal<String>,
    on_pick: Callback<String>,
    /// The input's `name` (the field an error names) or `id`, for forms and tests.
    #[prop(optional)]
    name: Option<&'static str>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let t = use_text();
    let empty = move || value.with(|v| v.trim().is_empty());
    // WebViews fire both `input` and `change` for one pick: it is passed on once.
    let pick_new = move |v: String| {
        if value.with_untracked(|now| *now != v) {
            on_pick.run(v);
        }
    };
    let prompt = move |t: &Text| match pick {
        Pick::Date => t.pick_date,
        Pick::Time => t.pick_time,
    };
    view! {
        <span class="picker">
            <span class="picker-text" class:empty=empty aria-hidden="true">
                {move || if empty() { prompt(t()).to_owned() } else { value.get() }}
            </span>
            <input class="picker-input" type=match pick { Pick::Date => "date", Pick::Time => "time" } name=name id=id
                prop:value=move || value.get()
                on:input=move |ev| pick_new(event_target_value(&ev))
                on:change=move |ev| pick_new(event_target_value(&ev))/>
        </span>
    }
}
