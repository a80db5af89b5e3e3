//! An error shown beside the input it is about.

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
