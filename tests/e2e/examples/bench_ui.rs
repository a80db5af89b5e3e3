//! `cargo xtask bench ui`: the UI as a phone gets it. One JSON line, case `ui_wasm`: the
//! wasm's bytes as shipped, gzipped (level 9) and brotli (quality 11), and the release app's
//! cold start under Xvfb, from launch (a new WebDriver session starts the app) to the home
//! page interactive (its buttons and today's figures drawn), median of 5. Before the five, one
//! unmeasured launch makes the data folder and brings the binary into the page cache.

use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use redvest_e2e::Driver;

const RUNS: usize = 5;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let (wasm, gzip_bytes) = redvest_e2e::ui_wasm()?;
    let mut br = brotli::CompressorWriter::new(Vec::new(), 4096, 11, 22);
    br.write_all(&wasm)?;
    br.flush()?;
    let brotli_bytes = br.into_inner().len();

    let data = tempfile::tempdir()?;
    let mut runs = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        let driver = Driver::start(data.path())?;
        let started = Instant::now();
        let app = driver.launch().await?;
        app.wait_text("#open-sync", |_| true).await?;
        app.wait_text("#unsynced", |_| true).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        app.quit().await?;
        if run > 0 {
            eprintln!("bench ui: launch {run}: {ms:.0} ms");
            runs.push(ms);
        }
    }
    runs.sort_by(f64::total_cmp);
    let line = serde_json::json!({
        "case": "ui_wasm",
        "wasm_bytes": wasm.len(),
        "gzip_bytes": gzip_bytes,
        "brotli_bytes": brotli_bytes,
        "cold_start_ms": runs[RUNS / 2].round(),
        "cold_start_runs_ms": runs.iter().map(|ms| ms.round()).collect::<Vec<_>>(),
        "target_gzip_bytes": 600 * 1024,
    });
    println!("{line}");
    Ok(())
}
