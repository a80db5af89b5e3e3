//! Switches the UI between Chinese and English.

use leptos::prelude::*;

use crate::i18n::{use_text, Lang};

/// A button labelled with the other language.
#[component]
pub fn LangToggle() -> impl IntoView {
    let t = use_text();
    let lang = use_context::<ReadSignal<Lang>>();
    let set_lang = use_context::<WriteSignal<Lang>>();
    view! {
        <button
            class="lang-toggle"
            id="lang-toggle"
            on:click=move |_| {
                if let (Some(lang), Some(set_lang)) = (lang, set_lang) {
                    set_lang.set(lang.get_untracked().other());
                }
            }
        >
            {move || t().other_lang}
        </button>
    }
}
