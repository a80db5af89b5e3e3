//! The root component: language context and the (so far single) page.

use leptos::prelude::*;

use crate::i18n::Lang;
use crate::pages::home::HomePage;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    // Chinese first. Children read the language; only the toggle may change it.
    let (lang, set_lang) = signal(Lang::Zh);
    provide_context(lang);
    provide_context(set_lang);
    view! { <HomePage/> }
}
