//! The root component: language, the current page, and switching between pages.

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::nav::Page;
use crate::pages::hazard::HazardPage;
use crate::pages::home::HomePage;
use crate::pages::patrol::PatrolPage;
use crate::pages::rapid::RapidPage;
use crate::pages::review::ReviewPage;
use crate::pages::settings::SettingsPage;
use crate::pages::start::StartPage;
use crate::pages::sync::SyncPage;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    // Chinese first. Children read the language; only the toggle may change it.
    let (lang, set_lang) = signal(Lang::Zh);
    provide_context(lang);
    provide_context(set_lang);
    let (page, set_page) = signal(Page::Home);
    provide_context(set_page);
    crate::theme::provide_theme();
    // The language chosen last time.
    leptos::task::spawn_local(async move {
        if let Ok(Some(code)) = crate::ipc::language().await {
            set_lang.set(if code == "en" { Lang::En } else { Lang::Zh });
        }
    });
    // A patrol being recorded reopens where it was (the app may have been killed mid-patrol).
    leptos::task::spawn_local(async move {
        if let Ok(today) = crate::ipc::today().await {
            if let Some(id) = today.recording {
                set_page.set(Page::Patrol(id));
            }
        }
    });
    // Signal came back (the webview's `online` event, on phones and desktop alike): send
    // what waits without anyone pressing a button.
    let _online = window_event_listener(leptos::ev::online, |_| {
        leptos::task::spawn_local(async {
            let _ = crate::ipc::sync_now().await;
        });
    });
    move || match page.get() {
        Page::Home => view! { <HomePage/> }.into_any(),
        Page::Start => view! { <StartPage/> }.into_any(),
        Page::Patrol(id) => view! { <PatrolPage id=id/> }.into_any(),
        Page::Review(id) => view! { <ReviewPage id=id/> }.into_any(),
        Page::Hazard(id) => view! { <HazardPage id=id/> }.into_any(),
        Page::Settings => view! { <SettingsPage/> }.into_any(),
        Page::Sync => view! { <SyncPage/> }.into_any(),
        Page::Rapid(back) => view! { <RapidPage back=back/> }.into_any(),
    }
}
