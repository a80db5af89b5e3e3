//! The Redvest UI: Leptos CSR in the Tauri webview.

mod app;
mod components;
mod i18n;
mod ipc;
mod nav;
mod pages;
mod theme;

fn main() {
    // Only in a debug build of the UI, made by hand to chase a panic: the shipped build
    // (profile `ui`, which the tests run too) leaves the messages out for size.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
