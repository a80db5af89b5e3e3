//! Day and night: the theme chosen on the phone and the patrol open now (the 夜巡岗 opens in
//! the night theme), applied to the page as `data-theme` on `<html>`; the stylesheet holds
//! both palettes, and follows the phone's own setting when neither is forced.

use leptos::prelude::*;
use redvest_shared::display::{Shown, Theme};
use redvest_shared::duty::Assignment;

use crate::i18n::use_text;

/// The theme chosen and the patrol whose page is open.
#[derive(Clone, Copy)]
pub struct ThemeState {
    /// Chosen on the phone (kept in its store).
    pub chosen: RwSignal<Theme>,
    /// The assignment of the patrol open now, if any.
    pub on_patrol: RwSignal<Option<Assignment>>,
}

/// Provides the theme to the app: reads the phone's choice, and keeps `<html>` in step.
pub fn provide_theme() {
    let state = ThemeState { chosen: RwSignal::new(Theme::System), on_patrol: RwSignal::new(None) };
    provide_context(state);
    leptos::task::spawn_local(async move {
        if let Ok(theme) = crate::ipc::theme().await {
            state.chosen.set(theme);
        }
    });
    Effect::new(move |_| {
        let shown = state.chosen.get().shown(state.on_patrol.get());
        if let Some(root) = document().document_element() {
            // Only styling is at stake: a failure leaves the theme the stylesheet picks.
            let _ = match shown {
                Shown::Day => root.set_attribute("data-theme", "day"),
                Shown::Night => root.set_attribute("data-theme", "night"),
                Shown::PhoneSetting => root.remove_attribute("data-theme"),
            };
        }
    });
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
