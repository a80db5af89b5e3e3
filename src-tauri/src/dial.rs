//! `tel:` links (一键报警's 110/119/120 and the leader's number): the webview must not try to
//! load them as pages. The navigation is stopped and the number handed to the phone's dialer
//! (an Android intent or the iOS phone app, through the opener plugin); the person still
//! presses call, so a slip of the thumb never dials by itself.

use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime};
use tauri_plugin_opener::OpenerExt;

/// The plugin that hands `tel:` navigations to the dialer.
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("dial")
        .on_navigation(|webview, url| {
            if url.scheme() != "tel" {
                return true;
            }
            // Off this thread: on Android the hook runs on the UI thread, and the opener's
            // mobile call waits for that same thread to answer.
            let app = webview.app_handle().clone();
            let url = url.to_string();
            std::thread::spawn(move || {
                // Desktop (tests, demos) has no dialer: xdg-open reports it, nothing else happens.
                if let Err(e) = app.opener().open_url(&url, None::<&str>) {
                    tracing::warn!(error = %e, %url, "no dialer answered the tel: link");
                }
            });
            false
        })
        .build()
}
