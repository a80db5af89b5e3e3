//! A box to sign in by hand; the drawing becomes the PNG stored with the signature.

use base64::Engine;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, PointerEvent};

use crate::i18n::use_text;

/// The drawing as PNG bytes, or empty if nothing was drawn (the core then asks for one).
pub fn signature_png(canvas: &NodeRef<Canvas>, drawn: RwSignal<bool>) -> Vec<u8> {
    if !drawn.get_untracked() {
        return Vec::new();
    }
    let Some(canvas) = canvas.get_untracked() else { return Vec::new() };
    let url = canvas.to_data_url().unwrap_or_default();
    let b64 = url.split_once(',').map(|(_, b)| b).unwrap_or("");
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_default()
}

fn context(canvas: &NodeRef<Canvas>) -> Option<CanvasRenderingContext2d> {
    canvas.get_untracked()?.get_context("2d").ok()??.dyn_into().ok()
}

fn point(canvas: &NodeRef<Canvas>, ev: &PointerEvent) -> Option<(f64, f64)> {
    let el = canvas.get_untracked()?;
    let rect = el.get_bounding_client_rect();
    // The canvas may be drawn smaller than its pixel size on narrow screens.
    let sx = f64::from(el.width()) / rect.width().max(1.0);
    let sy = f64::from(el.height()) / rect.height().max(1.0);
    Some(((f64::from(ev.client_x()) - rect.left()) * sx, (f64::from(ev.client_y()) - rect.top()) * sy))
}

/// A signing box with a clear button. `drawn` turns true at the first stroke.
#[component]
pub fn SignaturePad(canvas: NodeRef<Canvas>, drawn: RwSignal<bool>) -> impl IntoView {
    let t = use_text();
    let down = RwSignal::new(false);
    let on_down = move |ev: PointerEvent| {
        ev.prevent_default();
        if let (Some(ctx), Some((x, y))) = (context(&canvas), point(&canvas, &ev)) {
            ctx.set_line_width(4.0);
            ctx.set_line_cap("round");
            ctx.set_stroke_style_str("#111");
            ctx.begin_path();
            ctx.move_to(x, y);
            down.set(true);
        }
    };
    let on_move = move |ev: PointerEvent| {
        if !down.get_untracked() {
            return;
        }
        if let (Some(ctx), Some((x, y))) = (context(&canvas), point(&canvas, &ev)) {
            ctx.line_to(x, y);
            ctx.stroke();
            drawn.set(true);
        }
    };
    let on_up = move |_: PointerEvent| down.set(false);
    let clear = move |_| {
        if let (Some(ctx), Some(el)) = (context(&canvas), canvas.get_untracked()) {
            ctx.clear_rect(0.0, 0.0, f64::from(el.width()), f64::from(el.height()));
        }
        drawn.set(false);
    };
    view! {
        <div class="signature">
            <p class="muted">{move || t().signature_pad}</p>
            <canvas
                class="signature-pad"
                width="600"
                height="240"
                node_ref=canvas
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointerleave=on_up
            ></canvas>
            <button class="secondary" type="button" on:click=clear>{move || t().clear}</button>
        </div>
    }
}
