//! What a section shows when what it lists failed to load: the failure in the reader's
//! language, chosen by its code — never an empty list that reads as "nothing there".

use leptos::error::Errors;
use leptos::prelude::*;
use redvest_shared::{ErrorCode, IpcError};

use crate::i18n::{error_text, use_text};

/// A section's content that did not load, said where the content would be.
#[component]
pub fn LoadError(error: IpcError) -> impl IntoView {
    let t = use_text();
    view! { <p class="error load-error" role="alert">{move || error_text(t(), &error)}</p> }
}

/// The fallback of an `ErrorBoundary` around a section's loaded content.
pub fn load_failed(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors.with(|list| {
            list.iter().next().map(|(_, e)| {
                let e = e.downcast_ref::<IpcError>().cloned().unwrap_or_else(|| IpcError::new(ErrorCode::Unknown, e.to_string()));
                view! { <LoadError error=e/> }
            })
        })
    }
}
