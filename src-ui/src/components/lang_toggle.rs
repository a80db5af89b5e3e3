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
                    let next = lang.get_untracked().other();
                    set_lang.set(next);
                    // Remembered on the device; a failure only means it is asked again next time.
                    leptos::task::spawn_local(async move {
                        let _ = crate::ipc::set_language(next.code().into()).await;
                    });
                }
            }
        >
            {move || t().other_lang}
        </button>
    }
}
