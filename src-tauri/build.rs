fn main() {
    // The UI is embedded at compile time from ../dist, which `cargo xtask ui` writes.
    let index = std::path::Path::new("../dist/index.html");
    if !index.exists() {
        panic!("../dist/index.html is missing: build the UI first with `cargo xtask ui` (or `cargo xtask run` / `cargo xtask test`, which do it)");
    }
    println!("cargo:rerun-if-changed=../dist");
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
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
            "list_members",
            "add_member",
            "create_key",
            "change_pin",
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
            "export_track",
            "start_location",
            "track_defaults",
            "set_track_defaults",
            "language",
            "set_language",
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
