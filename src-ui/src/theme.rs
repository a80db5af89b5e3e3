//! Day and night: the theme chosen on the phone, the patrol being recorded (the 夜巡岗 opens
//! in the night theme) and the phone's own light or dark setting, applied to the page as
//! `data-theme="day"|"night"` on `<html>`; the stylesheet holds the two palettes.

use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use redvest_shared::display::{Shown, Theme};
use redvest_shared::duty::Assignment;

use crate::i18n::use_text;

/// The theme chosen and the patrol whose page is open.
#[derive(Clone, Copy)]
pub struct ThemeState {
    /// Chosen on the phone (kept in its store).
    pub chosen: RwSignal<Theme>,
    /// The assignment of the patrol being recorded now, if any.
    pub on_patrol: RwSignal<Option<Assignment>>,
    /// Whether the choice was made on this run (then the stored one, loading, does not undo it).
    touched: RwSignal<bool>,
}

/// Whether the phone's own setting asks for dark pages.
fn phone_prefers_dark() -> bool {
    window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches())
}

/// The key under which the webview keeps the choice for `main.js`, which sets the theme
/// before the first paint.
const STORAGE_KEY: &str = "redvest.theme";

/// Provides the theme to the app: reads the phone's choice, and keeps `<html>` in step (the
/// phone's own setting followed as it changes).
pub fn provide_theme() {
    let state = ThemeState { chosen: RwSignal::new(Theme::System), on_patrol: RwSignal::new(None), touched: RwSignal::new(false) };
    provide_context(state);
    leptos::task::spawn_local(async move {
        if let Ok(theme) = crate::ipc::theme().await {
            // A choice made while this was loading wins.
            if !state.touched.get_untracked() {
                state.chosen.set(theme);
            }
        }
    });
    let dark = RwSignal::new(phone_prefers_dark());
    if let Ok(Some(query)) = window().match_media("(prefers-color-scheme: dark)") {
        let on_change = Closure::<dyn Fn()>::new(move || dark.set(phone_prefers_dark()));
        // Only the theme is at stake if the listener cannot be added.
        let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_change.forget(); // as long as the app runs
    }
    Effect::new(move |_| {
        let chosen = state.chosen.get();
        let night = match chosen.shown(state.on_patrol.get()) {
            Shown::Day => false,
            Shown::Night => true,
            Shown::PhoneSetting => dark.get(),
        };
        if let Some(root) = document().document_element() {
            // Only styling is at stake: a failure leaves the theme main.js set.
            let _ = root.set_attribute("data-theme", if night { "night" } else { "day" });
            let _ = root.set_attribute("data-theme-choice", theme_key(chosen));
        }
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(STORAGE_KEY, theme_key(chosen));
        }
    });
}

fn theme_key(theme: Theme) -> &'static str {
    match theme {
        Theme::System => "system",
        Theme::Day => "day",
        Theme::Night => "night",
    }
}

/// The theme, for pages that show a patrol or change the choice.
pub fn use_theme() -> Option<ThemeState> {
    use_context::<ThemeState>()
}

/// 跟随手机 / 白天 / 夜间: the choice, kept on the phone.
#[component]
pub fn ThemeChoice() -> impl IntoView {
    let t = use_text();
    let state = use_theme();
    let choose = move |theme: Theme| {
        if let Some(s) = state {
            s.touched.set(true);
            s.chosen.set(theme);
            // Remembered on the device; a failure only means it is chosen again next time.
            leptos::task::spawn_local(async move {
                let _ = crate::ipc::set_theme(theme).await;
            });
        }
    };
    let option = move |theme: Theme, id: &'static str, label: fn(&crate::i18n::Text) -> &'static str| {
        let selected = move || state.is_some_and(|s| s.chosen.get() == theme);
        view! {
            <button class="toggle" id=id class:selected=selected aria-pressed=move || selected().to_string() on:click=move |_| choose(theme)>
                {move || label(t())}
            </button>
        }
    };
    view! {
        <div class="toggles" id="theme-choice">
            {option(Theme::System, "theme-system", |t| t.theme_system)}
            {option(Theme::Day, "theme-day", |t| t.theme_day)}
            {option(Theme::Night, "theme-night", |t| t.theme_night)}
        </div>
    }
}
