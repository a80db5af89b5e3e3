fn main() {
    // The UI is embedded at compile time from ../dist, which `cargo xtask ui` writes.
    let index = std::path::Path::new("../dist/index.html");
    if !index.exists() {
        panic!("../dist/index.html is missing: build the UI first with `cargo xtask ui` (or `cargo xtask run` / `cargo xtask test`, which do it)");
    }
    // The context, with the UI compressed into it, is generated here rather than by
    // `tauri::generate_context!`: that macro runs in every rustc that compiles the crate (the
    // library and its test harness build at once), each writing the same compressed asset
    // files in OUT_DIR without a lock, and one could embed another's half-written wasm (seen:
    // a binary holding 258 KB of a 581 KB asset, the page then showing "update your WebView").
    // A build script runs once for all of them. It also reruns when ../dist changes.
    // tauri-codegen writes a compressed asset only when its file is missing, so one left
    // half-written by an interrupted build would be embedded again: start from none.
    if let Some(out) = std::env::var_os("OUT_DIR") {
        let _ = std::fs::remove_dir_all(std::path::Path::new(&out).join("tauri-codegen-assets"));
    }
    tauri_build::try_build(tauri_build::Attributes::new().codegen(tauri_build::CodegenContext::new()).app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "list_patrols",
            "start_patrol",
            "patrol_detail",
            "set_attendance",
            "checklist",
            "set_check",
            "add_observation",
            "submit_patrol",
            "return_patrol",
            "countersign",
            "start_amendment",
            "verify",
            "review_detail",
            "review_track",
            "review_photo",
            "countersign_review",
            "return_review",
            "handover_signed",
            "handover_countersigned",
            "scan_start",
            "scan_frame",
            "camera_test_frames",
            "camera_test_frame",
            "list_members",
            "add_member",
            "create_key",
            "change_pin",
            "lift_pin_lock",
            "public_keys",
            "list_duties",
            "add_duty",
            "remove_duty",
            "today",
            "hazard",
            "change_hazard",
            "save_draft",
            "load_draft",
            "clear_draft",
            "track_summary",
            "track_points",
            "last_spot",
            "report_rapid",
            "rapid_reports",
            "rapid_contacts",
            "export_track",
            "start_location",
            "track_defaults",
            "set_track_defaults",
            "language",
            "set_language",
            "theme",
            "set_theme",
            "settings_access",
            "unlock_settings",
            "lock_settings",
            "add_photo",
            "photo_bytes",
            "remove_photo",
            "photo_backlog",
            "photo_settings",
            "set_photo_settings",
            "sync_status",
            "sync_now",
            "sync_resend_refused",
            "enrol",
        ]),
    ))
    .expect("tauri-build failed");
}
