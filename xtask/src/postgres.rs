//! A private PostgreSQL cluster for the county server: created, started and stopped here.
//!
//! PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

const USER: &str = "redvest";
const DATABASE: &str = "redvest";

/// A running cluster. Stopped on drop if this process started it.
pub struct Cluster {
    data: PathBuf,
    bin: PathBuf,
    port: u16,
    started_here: bool,
}

impl Cluster {
    /// Creates the cluster in `data` if there is none, starts it on `port` if it is not
    /// running, and makes sure the `redvest` database exists.
    pub fn start(data: &Path, port: u16) -> Result<Self> {
        let bin = bin_dir()?;
        let mut cluster = Self { data: data.to_path_buf(), bin, port, started_here: false };
        if !data.join("PG_VERSION").exists() {
            cluster.init()?;
        }
        if !cluster.running() {
            eprintln!("xtask: starting PostgreSQL in {} on 127.0.0.1:{port}", data.display());
            let log = data.join("server.log");
            let status = cluster
                .as_owner(&cluster.bin.join("pg_ctl"))
                .arg("-D")
                .arg(data)
                .arg("-l")
                .arg(&log)
                .args(["-w", "-t", "60", "start"])
                .status()
                .context("running pg_ctl start")?;
            crate::check(status, &format!("pg_ctl start (see {})", log.display()))?;
            cluster.started_here = true;
        }
        cluster.create_database()?;
        Ok(cluster)
    }

    /// The URL of the `redvest` database.
    pub fn url(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    fn init(&self) -> Result<()> {
        std::fs::create_dir_all(&self.data)?;
        if let Some(owner) = postgres_uid()? {
            std::os::unix::fs::chown(&self.data, Some(owner), Some(owner))
                .with_context(|| format!("giving {} to the postgres user", self.data.display()))?;
        }
        let status = self
            .as_owner(&self.bin.join("initdb"))
            .arg("-D")
            .arg(&self.data)
            .args(["-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale"])
            .stdout(std::process::Stdio::null())
            .status()
            .context("running initdb")?;
        crate::check(status, "initdb")?;
        // Loopback only, on our port, socket inside the cluster folder: nothing shared
        // with a system PostgreSQL.
        let conf = format!(
            "\n# written by cargo xtask\nport = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = on\n",
            self.port,
            self.data.display()
        );
        let path = self.data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&path)?;
        text.push_str(&conf);
        std::fs::write(&path, text)?;
        Ok(())
    }

    fn running(&self) -> bool {
        self.as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .arg("status")
            .stdout(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    fn create_database(&self) -> Result<()> {
        let port = self.port.to_string();
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", USER, "-d", "postgres", "-tAc"])
            .arg(format!("SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"))
            .output()
            .context("running psql")?;
        if !out.status.success() {
            bail!("psql could not connect: {}", String::from_utf8_lossy(&out.stderr));
        }
        if String::from_utf8_lossy(&out.stdout).trim() == "1" {
            return Ok(());
        }
        let status = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", USER, DATABASE])
            .status()
            .context("running createdb")?;
        crate::check(status, "createdb")
    }

    /// `program`, run as the cluster's owner (the `postgres` user when we are root).
    fn as_owner(&self, program: &Path) -> Command {
        if is_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.started_here {
            let _ = self
                .as_owner(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "fast", "-w", "stop"])
                .stdout(std::process::Stdio::null())
                .status();
        }
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The uid to own the cluster when we are root; `None` when we are not.
fn postgres_uid() -> Result<Option<u32>> {
    if !is_root() {
        return Ok(None);
    }
    let out = Command::new("id").args(["-u", "postgres"]).output().context("running id")?;
    let uid = String::from_utf8_lossy(&out.stdout).trim().parse().context(
        "no `postgres` user: PostgreSQL refuses to run as root (install the postgresql package)",
    )?;
    Ok(Some(uid))
}

/// The newest installed PostgreSQL server's bin directory.
fn bin_dir() -> Result<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed (no /usr/lib/postgresql)")?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).context("no PostgreSQL server with initdb under /usr/lib/postgresql")
}

/// A free TCP port on loopback (for a throwaway test cluster).
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
