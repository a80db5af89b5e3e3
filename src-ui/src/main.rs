//! The Redvest UI: Leptos CSR in the Tauri webview.

mod app;
mod components;
mod i18n;
mod ipc;
mod nav;
mod pages;
mod theme;

fn main() {
    // The shipped build (profile `ui`) carries no panic messages; a debug build shows them.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
