//! An X display for the app: the user's own, or a private Xvfb for tests.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// Whether a graphical display is available to open a window on.
pub fn available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// A private Xvfb server, stopped on drop.
pub struct Xvfb {
    child: Child,
    /// The value for `DISPLAY`, e.g. `:99`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb on the first free display number from :99.
    pub fn start() -> Result<Self> {
        let n = (99..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .context("no free X display number between :99 and :199")?;
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb")?;
        let xvfb = Self { child, display };
        let socket = format!("/tmp/.X11-unix/X{n}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !Path::new(&socket).exists() {
            if Instant::now() > deadline {
                bail!("Xvfb did not create {socket}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(xvfb)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
