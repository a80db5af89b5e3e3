//! The hand-over by QR with no signal: a loop of QR codes on one phone, and the scanner on
//! the other. The scanner reads camera frames in the webview (`getUserMedia`) and decodes
//! them here in the wasm (`rqrr`): the official barcode plugin needs Google Play services,
//! which phones sold in China do not have. The shell checks and keeps what the frames make.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use leptos::leptos_dom::helpers::set_interval_with_handle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use redvest_shared::handover::{QrShow, Received};
use redvest_shared::team::EnrolQr;
use redvest_shared::{ErrorCode, IpcError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, HtmlVideoElement, MediaStream};

use crate::i18n::use_text;
use crate::ipc;
use crate::components::field_error::ErrorLine;

/// Frames per second the loop shows (the scanner's camera catches most of them).
const FPS: u64 = 8;

/// A hand-over shown as QR codes in a loop, with a hint for the other phone.
#[component]
pub fn QrLoop(show: QrShow) -> impl IntoView {
    let t = use_text();
    let index = RwSignal::new(0usize);
    let n = show.frames.len().max(1);
    if n > 1 {
        if let Ok(handle) = set_interval_with_handle(move || index.update(|i| *i = (*i + 1) % n), Duration::from_millis(1000 / FPS)) {
            on_cleanup(move || handle.clear());
        }
    }
    let frames = show.frames;
    view! {
        <div class="qr-loop" id="qr-show" data-fragments=show.fragments>
            <div class="qr-frame" id="qr-frame"><img id="qr-img" alt="" src=move || frames.get(index.get()).cloned().unwrap_or_default()/></div>
            <p class="muted">{move || t().qr_show_hint}</p>
        </div>
    }
}

fn sleep(ms: i32) -> JsFuture {
    JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    }))
}

/// The QR codes in what `source` shows (a video frame or an image), drawn on `canvas`.
fn decode(canvas: &HtmlCanvasElement, draw: impl Fn(&CanvasRenderingContext2d) -> Result<(), JsValue>, w: u32, h: u32) -> Vec<String> {
    if w == 0 || h == 0 {
        return vec![];
    }
    canvas.set_width(w);
    canvas.set_height(h);
    let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok()) else { return vec![] };
    if draw(&ctx).is_err() {
        return vec![];
    }
    let Ok(data) = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)) else { return vec![] };
    let rgba = data.data();
    let (w, h) = (w as usize, h as usize);
    let luma: Vec<u8> = rgba.chunks_exact(4).map(|p| ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8).collect();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma.get(y * w + x).copied().unwrap_or(255));
    img.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, text)| text)).collect()
}

/// A test camera frame (PNG from the shell) drawn into an image element.
async fn test_frame(index: u32) -> Result<HtmlImageElement, IpcError> {
    let fail = |e: JsValue| IpcError::new(ErrorCode::Unknown, format!("test camera frame {index}: {e:?}"));
    let url = ipc::camera_test_frame_url(index).await?;
    let img = HtmlImageElement::new().map_err(fail)?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        img.set_onload(Some(&resolve));
        img.set_onerror(Some(&reject));
    });
    img.set_src(&url);
    JsFuture::from(loaded).await.map_err(fail)?;
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(img)
}

async fn camera() -> Result<MediaStream, JsValue> {
    let devices = web_sys::window().ok_or(JsValue::NULL)?.navigator().media_devices()?;
    let constraints = web_sys::MediaStreamConstraints::new();
    let video = js_sys::Object::new();
    js_sys::Reflect::set(&video, &"facingMode".into(), &"environment".into())?;
    constraints.set_video(&video);
    JsFuture::from(devices.get_user_media_with_constraints(&constraints)?).await?.dyn_into()
}

/// Stops a camera stream's tracks (the camera light goes off).
fn stop(stream: &MediaStream) {
    stream.get_tracks().for_each(&mut |track, _, _| {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    });
}

/// What a scanner reads.
#[derive(Clone, Copy)]
pub enum ScanFor {
    /// A hand-over: frames go to the shell until the whole record is there.
    Handover(Callback<Received>),
    /// The county's enrolment QR code: the first frame that reads as one.
    Enrolment(Callback<EnrolQr>),
}

/// The scanner: the camera (or the test frames of `REDVEST_CAMERA_DIR`), frames decoded as
/// they come and handed on as `purpose` says.
#[component]
pub fn Scanner(purpose: ScanFor) -> impl IntoView {
    let t = use_text();
    let frames = RwSignal::new(0u32);
    let error = RwSignal::new(None::<IpcError>);
    let no_camera = RwSignal::new(false);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let video = NodeRef::<leptos::html::Video>::new();
    let alive = Arc::new(AtomicBool::new(true));
    let stream = StoredValue::new_local(None::<MediaStream>);
    {
        let alive = alive.clone();
        on_cleanup(move || {
            alive.store(false, Ordering::Relaxed);
            if let Some(s) = stream.try_get_value().flatten() {
                stop(&s);
            }
        });
    }
    // Hands on each decoded text; true once what was scanned for is whole.
    let take = move |texts: Vec<String>| async move {
        for text in texts {
            match purpose {
                ScanFor::Enrolment(on_read) => {
                    if let Some(qr) = EnrolQr::parse(&text) {
                        on_read.run(qr);
                        return true;
                    }
                }
                ScanFor::Handover(on_received) => match ipc::scan_frame(text).await {
                    Ok(state) => {
                        frames.set(state.frames);
                        error.set(None);
                        if let Some(r) = state.received {
                            on_received.run(r);
                            return true;
                        }
                    }
                    Err(e) => error.set(Some(e)),
                },
            }
        }
        false
    };
    let handover = matches!(purpose, ScanFor::Handover(_));
    spawn_local(async move {
        if handover {
            let _ = ipc::scan_start().await;
        }
        let test = ipc::camera_test_frames().await.unwrap_or(0);
        let mut i = 0u32;
        if test == 0 {
            match camera().await {
                // Closed while the camera was being opened (a second tap on the permission
                // prompt): the cleanup has run already, so the stream stops here.
                Ok(s) if !alive.load(Ordering::Relaxed) => {
                    stop(&s);
                    return;
                }
                Ok(s) => {
                    if let Some(v) = video.get_untracked() {
                        v.set_src_object(Some(&s));
                        let _ = v.play();
                    }
                    stream.set_value(Some(s));
                }
                Err(_) => {
                    no_camera.set(true);
                    return;
                }
            }
        }
        while alive.load(Ordering::Relaxed) {
            let Some(c) = canvas.get_untracked() else { return };
            let texts = if test > 0 {
                match test_frame(i % test).await {
                    Ok(img) => decode(&c, |ctx| ctx.draw_image_with_html_image_element(&img, 0.0, 0.0), img.natural_width(), img.natural_height()),
                    Err(e) => {
                        error.set(Some(e));
                        vec![]
                    }
                }
            } else {
                match video.get_untracked() {
                    Some(v) => {
                        let v: HtmlVideoElement = v;
                        decode(&c, |ctx| ctx.draw_image_with_html_video_element(&v, 0.0, 0.0), v.video_width(), v.video_height())
                    }
                    None => vec![],
                }
            };
            i += 1;
            if take(texts).await {
                return;
            }
            let _ = sleep(if test > 0 { 20 } else { 120 }).await;
        }
    });
    view! {
        <div class="scanner" id="scanner">
            <p>{move || if handover { t().scan_hint } else { t().enrol_scan_hint }}</p>
            <video node_ref=video class="scanner-video" autoplay=true muted=true playsinline=true></video>
            <canvas node_ref=canvas class="scanner-canvas" hidden=true></canvas>
            {handover.then(|| view! { <p class="muted" id="scan-frames">{move || t().scan_frames} " " {move || frames.get()}</p> })}
            {move || no_camera.get().then(|| view! { <p class="error" role="alert" id="no-camera">{move || t().camera_failed}</p> })}
            {move || error.get().map(|e| view! { <ErrorLine error=e id="scan-error"/> })}
        </div>
    }
}

/// A button that shows this phone's side of a hand-over as QR codes: the signed patrol (for
/// the leader), or the countersignature made here (`countersigned`, for the volunteer).
#[component]
pub fn ShowQr(patrol_id: uuid::Uuid, #[prop(default = false)] countersigned: bool) -> impl IntoView {
    let t = use_text();
    let shown = RwSignal::new(None::<Result<QrShow, IpcError>>);
    // Shown once asked for (a second tap changes nothing): it stays until the page closes.
    let open = move |_| {
        if shown.get_untracked().is_some_and(|s| s.is_ok()) {
            return;
        }
        spawn_local(async move {
            let loaded = if countersigned { ipc::handover_countersigned(patrol_id).await } else { ipc::handover_signed(patrol_id).await };
            shown.set(Some(loaded));
        });
    };
    view! {
        <button class="secondary" id=if countersigned { "show-countersign-qr" } else { "show-qr" } on:click=open>
            {move || if countersigned { t().show_countersign_qr } else { t().show_qr }}
        </button>
        {move || shown.get().map(|s| match s {
            Ok(show) => view! { <QrLoop show=show/> }.into_any(),
            Err(e) => view! { <ErrorLine error=e/> }.into_any(),
        })}
    }
}

/// A button that opens the scanner; `on_received` hears what the hand-over brought.
#[component]
pub fn ScanButton(#[prop(into)] id: String, label: fn(&'static crate::i18n::Text) -> &'static str, on_received: Callback<Received>) -> impl IntoView {
    let t = use_text();
    let open = RwSignal::new(false);
    view! {
        <button class="secondary" id=id on:click=move |_| open.update(|o| *o = !*o)>{move || label(t())}</button>
        {move || open.get().then(|| view! { <Scanner purpose=ScanFor::Handover(Callback::new(move |r| { open.set(false); on_received.run(r); }))/> })}
    }
}
