//! Errors as the reader sees them: beside the input they are about, or as a line where the
//! action was tried; always in the reader's language, chosen by the error's code.

use leptos::prelude::*;
use redvest_shared::IpcError;

use crate::i18n::{error_text, use_text};

/// Shows `error` when it names `field` (or, with `field` = "*", any error not shown elsewhere).
#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<IpcError>>, #[prop(into)] field: String) -> impl IntoView {
    let t = use_text();
    move || {
        error.get().filter(|e| field == "*" || e.field.as_deref() == Some(field.as_str())).map(|e| {
            view! { <p class="error field-error" role="alert" data-field=e.field.clone().unwrap_or_default()>{error_text(t(), &e)}</p> }
        })
    }
}

/// An error where it happened (a load, a save, a decision): its text in the reader's
/// language, following the language toggle.
#[component]
pub fn ErrorLine(error: IpcError, #[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let t = use_text();
    view! { <p class="error" role="alert" id=id>{move || error_text(t(), &error)}</p> }
}
