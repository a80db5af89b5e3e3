//! Photos on an observation: taking or picking them, thumbnails, full screen, removing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::photo::Photo;
use redvest_shared::{ErrorCode, IpcError};
use uuid::Uuid;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{error_text, use_text};
use crate::ipc;

/// A photo (or its thumbnail) loaded from the shell; `remote` ones (a patrol under review)
/// come from the county the first time, and say so while they do or when they cannot.
#[component]
fn PhotoImage(sha256: String, thumbnail: bool, #[prop(default = false)] remote: bool) -> impl IntoView {
    let t = use_text();
    let url = RwSignal::new(None::<String>);
    let failed = RwSignal::new(false);
    let sha = sha256.clone();
    spawn_local(async move {
        match ipc::photo_url(&sha, thumbnail, remote).await {
            Ok(u) => url.set(Some(u)),
            Err(_) => failed.set(true),
        }
    });
    on_cleanup(move || {
        if let Some(u) = url.try_get_untracked().flatten() {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
    view! {
        <img src=move || url.get() alt="" data-sha256=sha256 class=if thumbnail { "thumb" } else { "full" }/>
        {move || (remote && url.get().is_none()).then(|| view! {
            <span class="muted photo-remote-state">{move || if failed.get() { t().review_photos_failed } else { t().review_photos_loading }}</span>
        })}
    }
}

/// Thumbnails; a tap opens the photo full screen; × takes it off when `on_remove` is given.
#[component]
pub fn PhotoStrip(
    #[prop(into)] photos: Signal<Vec<String>>,
    #[prop(default = None)] on_remove: Option<Callback<String>>,
    #[prop(default = false)] remote: bool,
) -> impl IntoView {
    let t = use_text();
    let full = RwSignal::new(None::<String>);
    view! {
        <ul class="photo-strip">
            <For each=move || photos.get() key=|sha| sha.clone() let:sha>
                <li class="photo-item">
                    <button type="button" class="thumb-button" on:click={
                        let sha = sha.clone();
                        move |ev| { ev.stop_propagation(); full.set(Some(sha.clone())); }
                    }>
                        <PhotoImage sha256=sha.clone() thumbnail=true remote=remote/>
                    </button>
                    {on_remove.map(|remove| {
                        let sha = sha.clone();
                        view! {
                            <button type="button" class="remove-photo" aria-label=move || t().remove_photo
                                on:click=move |ev| { ev.stop_propagation(); remove.run(sha.clone()); }>"×"</button>
                        }
                    })}
                </li>
            </For>
        </ul>
        {move || full.get().map(|sha| view! {
            <div class="photo-full" id="photo-full" on:click=move |ev| { ev.stop_propagation(); full.set(None); }>
                <PhotoImage sha256=sha thumbnail=false remote=remote/>
                <button type="button" class="primary" id="close-photo">{move || t().close}</button>
            </div>
        })}
    }
}

/// "Take photo" (camera on a phone) and "Choose photos" (several at once). Each file is
/// processed by the shell as it comes; a bad one is named with its problem, the rest go on.
#[component]
pub fn PhotoPicker(patrol_id: Uuid, on_added: Callback<Photo>) -> impl IntoView {
    let t = use_text();
    let busy = RwSignal::new(0usize);
    let errors = RwSignal::new(Vec::<(String, IpcError)>::new());
    let take = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files: Vec<web_sys::File> = input.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
        input.set_value(""); // so the same file can be chosen again
        errors.set(Vec::new());
        busy.update(|n| *n += files.len());
        spawn_local(async move {
            // One at a time: a phone has little memory to spare for 12 MP decodes.
            for file in files {
                let name = file.name();
                let result = match JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => ipc::add_photo(patrol_id, &name, js_sys::Uint8Array::new(&buffer)).await,
                    Err(e) => Err(IpcError::new(ErrorCode::Unknown, format!("reading {name}: {e:?}"))),
                };
                match result {
                    Ok(photo) => on_added.run(photo),
                    Err(e) => errors.update(|v| v.push((name, e))),
                }
                busy.update(|n| *n = n.saturating_sub(1));
            }
        });
    };
    view! {
        <div class="photo-picker">
            <label class="button-like" id="take-photo">
                {move || t().take_photo}
                <input type="file" accept="image/*" capture="environment" on:change=take/>
            </label>
            <label class="button-like" id="pick-photos">
                {move || t().pick_photos}
                <input type="file" accept="image/*" multiple=true name="photos" on:change=take/>
            </label>
        </div>
        {move || (busy.get() > 0).then(|| view! { <p class="muted" id="photos-busy">{move || t().processing_photos} " " {busy.get()}</p> })}
        {move || errors.get().into_iter().map(|(name, e)| view! {
            <p class="error field-error photo-error" role="alert" data-field="photo">{name} ": " {error_text(t(), &e)}</p>
        }).collect_view()}
    }
}
