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
        let n = (99..200).find(|n| free(*n)).context("no free X display number between :99 and :199")?;
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

/// Whether display `n` is free: no lock, or a lock left by an Xvfb that is gone (a killed
/// server cannot remove its own; it is removed here, with its socket).
fn free(n: u32) -> bool {
    let lock = format!("/tmp/.X{n}-lock");
    let Ok(text) = std::fs::read_to_string(&lock) else { return !Path::new(&lock).exists() };
    let alive = text.trim().parse::<u32>().is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
    if alive {
        return false;
    }
    remove_leftovers(n);
    !Path::new(&lock).exists()
}

fn remove_leftovers(n: u32) {
    let _ = std::fs::remove_file(format!("/tmp/.X{n}-lock"));
    let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Killed, Xvfb leaves its lock and socket behind (a hundred runs would use up the
        // display numbers): removed when the lock is this server's, never another run's.
        if let Some(n) = self.display.strip_prefix(':').and_then(|n| n.parse::<u32>().ok()) {
            let ours = std::fs::read_to_string(format!("/tmp/.X{n}-lock")).is_ok_and(|pid| pid.trim().parse::<u32>() == Ok(self.child.id()));
            if ours {
                remove_leftovers(n);
            }
        }
    }
}
