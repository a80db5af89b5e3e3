//! `redvest-county`: the county endpoint's one binary: `serve`, and the clerk's commands.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use redvest_county::db::CountyDecision;
use redvest_county::photos::PhotoStore;
use redvest_county::volume;
use redvest_county::{admin, Db};
use redvest_shared::hazard::CountyAction;
use redvest_shared::team::Role;
use redvest_shared::wire::PlanDuty;
use tracing_subscriber::EnvFilter;
use uuid::Uuid;

#[derive(Parser)]
#[command(version, about = "Redvest county endpoint (县/区委政法委)")]
struct Cli {
    /// PostgreSQL URL, e.g. postgres://redvest@127.0.0.1:54329/redvest
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve the HTTP API until Ctrl-C.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "REDVEST_COUNTY_LISTEN", default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Photo storage per team, in GB.
        #[arg(long, env = "REDVEST_TEAM_PHOTO_QUOTA_GB", default_value_t = 10)]
        team_photo_quota_gb: i64,
        /// Where photo bytes are kept: a directory, or s3://bucket/prefix (AWS_* variables).
        #[arg(long, env = "REDVEST_PHOTOS")]
        photos: String,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key. Without it the
        /// county speaks plain HTTP: only on loopback or behind a proxy that terminates TLS.
        #[arg(long, env = "REDVEST_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, env = "REDVEST_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Move photo bytes an older county kept in PostgreSQL into the photo store (`serve`
    /// does it too at start); prints what it moved.
    MovePhotos {
        /// Where photo bytes are kept: a directory, or s3://bucket/prefix (AWS_* variables).
        #[arg(long, env = "REDVEST_PHOTOS")]
        photos: String,
    },
    /// Create a township (乡镇); prints its id.
    TownshipCreate {
        /// The township's name, e.g. "城关镇".
        #[arg(long)]
        name: String,
    },
    /// Create a patrol team; prints its id.
    TeamCreate {
        /// The team's name, e.g. "城关镇红马甲巡防队".
        #[arg(long)]
        name: String,
        /// Its township (a township clerk sees only their township's teams).
        #[arg(long)]
        township: Option<Uuid>,
    },
    /// Put a team in a township.
    TeamTownship {
        #[arg(long)]
        team: Uuid,
        #[arg(long)]
        township: Uuid,
    },
    /// Add a clerk for the console; the password is read from the first line of stdin.
    ClerkAdd {
        /// What they log in with.
        #[arg(long)]
        login: String,
        /// Their name, e.g. "张丽(县综治中心)".
        #[arg(long)]
        name: String,
        /// Their township; without it, a county clerk who sees every township.
        #[arg(long)]
        township: Option<Uuid>,
        /// May add and manage clerks.
        #[arg(long)]
        admin: bool,
    },
    /// Add a member to a team (publishes the roster); prints their id.
    MemberAdd {
        #[arg(long)]
        team: Uuid,
        #[arg(long)]
        name: String,
        /// leader, volunteer, member, grid_worker or mediator.
        #[arg(long, value_parser = snake_enum::<Role>)]
        role: Role,
        /// A phone number (a leader's: the phones' 一键报警 page calls it), e.g. 13800138000.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Set a confirmed member's phone number (publishes the roster); without --phone, clear it.
    MemberPhone {
        #[arg(long)]
        member: Uuid,
        /// 3–20 digits, an optional leading +, - or spaces between digits.
        #[arg(long)]
        phone: Option<String>,
    },
    /// List a team's roster: confirmed members, proposals from phones, merged proposals.
    MemberList {
        #[arg(long)]
        team: Uuid,
    },
    /// Merge a proposal from a phone into the member it is the same person as.
    MemberMerge {
        /// The proposal's id (from member-list).
        #[arg(long)]
        proposal: Uuid,
        /// The confirmed member.
        #[arg(long)]
        into: Uuid,
    },
    /// Confirm a proposal from a phone as a member, in the role the county decides.
    MemberConfirm {
        #[arg(long)]
        proposal: Uuid,
        #[arg(long, value_parser = snake_enum::<Role>)]
        role: Role,
    },
    /// List a team's signing keys: whose, from which device, accepted and revoked.
    KeyList {
        #[arg(long)]
        team: Uuid,
    },
    /// Revoke a signing key (64 hex digits): what it signs is refused from now on.
    KeyRevoke {
        #[arg(long)]
        key: String,
    },
    /// Check every phone chain of a team: places not received or refused, links that do not
    /// follow, records altered at the county. Exits 1 when it finds anything.
    ChainVerify {
        #[arg(long)]
        team: Uuid,
    },
    /// Issue a one-time enrolment code for a device of the team (valid 7 days).
    EnrolCode {
        #[arg(long)]
        team: Uuid,
    },
    /// Revoke a device: it is refused from the next request on.
    DeviceRevoke {
        #[arg(long)]
        device: Uuid,
    },
    /// Publish a monthly plan from a JSON file: a list of {id, assignment, place, time, dates}.
    PlanPublish {
        #[arg(long)]
        team: Uuid,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Publish an alert (提示短信) for an area and a time window.
    AlertPublish {
        #[arg(long)]
        team: Uuid,
        #[arg(long)]
        text: String,
        #[arg(long, default_value = "")]
        area: String,
        /// RFC 3339, e.g. 2026-11-25T08:00:00+08:00
        #[arg(long)]
        from: DateTime<Utc>,
        #[arg(long)]
        to: DateTime<Utc>,
    },
    /// A 旬报 or 月报: every team, each township and the county, against the period before.
    Report {
        /// 2026-11-中旬 (上旬, 中旬, 下旬), 2026-11, or 2026-11-03..2026-11-17.
        #[arg(long)]
        period: String,
        /// csv (UTF-8 with a BOM, for Excel), xlsx, or pdf (A4, with the machine's CJK font).
        #[arg(long, value_enum, default_value = "csv")]
        format: ReportFormat,
        /// Only this township's teams.
        #[arg(long)]
        township: Option<Uuid>,
        /// Write here instead of to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The bound 巡查日志 (装订成册) of a team's month, as a PDF: a cover, a page or more per
    /// countersigned patrol, and the hash chain verified on the last page.
    Volume {
        /// The team: its id or its exact name.
        #[arg(long)]
        team: String,
        /// The month, e.g. 2026-11.
        #[arg(long)]
        month: String,
        /// Where photo bytes are kept (for the thumbnails): a directory, or s3://bucket/prefix.
        #[arg(long, env = "REDVEST_PHOTOS")]
        photos: String,
        /// Write here instead of to stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Decide on a hazard as the county: 交办, 督办, 复查, 销号 or 退回 (tells the team's devices).
    HazardDecide {
        #[arg(long)]
        hazard: Uuid,
        /// assign, supervise, recheck, close or return.
        #[arg(long, value_parser = snake_enum::<CountyAction>)]
        action: CountyAction,
        #[arg(long, default_value = "")]
        reason: String,
        /// 责任人 (assign).
        #[arg(long)]
        responsible: Option<String>,
        /// 整改期限, e.g. 2026-12-20 (assign; supervise may set a new one).
        #[arg(long)]
        deadline: Option<NaiveDate>,
        /// Who decides, as the phones show it.
        #[arg(long, default_value = "县综治中心")]
        by: String,
    },
}

/// A report's file format.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Csv,
    Xlsx,
    Pdf,
}

/// Writes a file to `out`, or to stdout.
fn write_out(out: Option<PathBuf>, bytes: &[u8]) -> anyhow::Result<()> {
    match out {
        Some(path) => std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display())),
        None => std::io::Write::write_all(&mut std::io::stdout(), bytes).context("writing to stdout"),
    }
}

/// Parses a snake_case enum by its serde name, so the CLI and the API spell it alike.
fn snake_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| format!("{s:?} is not one of the allowed values"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let url = cli
        .database_url
        .context("no database: set DATABASE_URL or pass --database-url postgres://…")?;
    // Only these commands read or write photo bytes; the others never touch the store.
    let photos = match &cli.command {
        Command::Serve { photos, .. } | Command::MovePhotos { photos } | Command::Volume { photos, .. } => PhotoStore::open(photos)?,
        _ => PhotoStore::memory(),
    };
    let db = Db::connect(&url, photos).await.context("connecting to PostgreSQL")?;
    db.migrate().await.context("applying county migrations")?;
    if matches!(cli.command, Command::Serve { .. } | Command::MovePhotos { .. }) {
        let moved = admin::move_photos(&db).await.context("moving photos out of PostgreSQL")?;
        if moved != admin::MovedPhotos::default() {
            tracing::info!(?moved, "photo bytes moved from PostgreSQL to the photo store");
        }
        match admin::measure_tracks(&db).await {
            Ok(0) => {}
            Ok(measured) => tracing::info!(measured, "measured the distance of held tracks"),
            Err(e) => tracing::warn!(error = %e, "could not measure held tracks; reports count them as 0 km"),
        }
        match admin::sweep_parts(&db, Utc::now()).await {
            Ok(0) => {}
            Ok(swept) => tracing::info!(swept, "deleted part objects no upload names"),
            // Only space: serving goes on.
            Err(e) => tracing::warn!(error = %e, "could not sweep left-behind part objects"),
        }
        if let Command::MovePhotos { .. } = cli.command {
            println!("moved {} complete photos and {} unfinished uploads; {} did not have their hash and will be sent again", moved.complete, moved.unfinished, moved.discarded);
            return Ok(());
        }
    }
    match cli.command {
        Command::MovePhotos { .. } => {}
        Command::Serve { listen, team_photo_quota_gb, tls_cert, tls_key, .. } => {
            let limits = redvest_county::app::Limits { team_upload_bytes: team_photo_quota_gb.saturating_mul(1 << 30), ..Default::default() };
            let tls = tls_cert.zip(tls_key).map(|(cert, key)| redvest_county::app::TlsFiles { cert, key });
            let listener = std::net::TcpListener::bind(listen).with_context(|| format!("listening on {listen}"))?;
            let scheme = if tls.is_some() { "https" } else { "http" };
            tracing::info!(addr = %listener.local_addr()?, %scheme, "county endpoint serving");
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            redvest_county::app::serve(listener, redvest_county::app::app_with(db, limits), tls.as_ref(), shutdown)
                .await
                .with_context(|| match &tls {
                    Some(t) => format!("serving HTTPS with {} and {}", t.cert.display(), t.key.display()),
                    None => "serving HTTP".into(),
                })?;
        }
        Command::TownshipCreate { name } => println!("{}", admin::create_township(&db, &name).await?),
        Command::TeamCreate { name, township } => {
            let team = admin::create_team(&db, &name).await?;
            if let Some(township) = township {
                admin::set_team_township(&db, team, township).await?;
            }
            println!("{team}");
        }
        Command::TeamTownship { team, township } => {
            admin::set_team_township(&db, team, township).await?;
            println!("team {team} is in township {township}");
        }
        Command::ClerkAdd { login, name, township, admin: is_admin } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("reading the password from stdin")?;
            println!("{}", admin::add_clerk(&db, &login, &name, password.trim_end_matches(['\r', '\n']), township, is_admin).await?);
        }
        Command::MemberAdd { team, name, role, phone } => println!("{}", admin::add_member(&db, team, &name, role, phone.as_deref()).await?),
        Command::MemberPhone { member, phone } => {
            let phone = admin::phone_number(phone.as_deref().unwrap_or_default())?;
            admin::set_member_phone(&db, None, member, phone.as_deref()).await?;
            match phone {
                Some(phone) => println!("{member}'s phone is {phone}"),
                None => println!("{member} has no phone number now"),
            }
        }
        Command::MemberList { team } => {
            for m in admin::list_members(&db, team).await? {
                let merged = m.merged_into.map(|into| format!(" → {into}")).unwrap_or_default();
                let phone = m.phone.map(|p| format!("\t{p}")).unwrap_or_default();
                println!("{}\t{}\t{}\t{}{merged}{phone}", m.id, m.status, m.role, m.name);
            }
        }
        Command::MemberMerge { proposal, into } => {
            admin::merge_member(&db, proposal, into).await?;
            println!("merged {proposal} into {into}");
        }
        Command::MemberConfirm { proposal, role } => {
            admin::confirm_member(&db, proposal, role).await?;
            println!("confirmed {proposal}");
        }
        Command::KeyList { team } => {
            for k in admin::list_keys(&db, team).await? {
                let state = k.revoked_at.map_or_else(|| "active".to_owned(), |at| format!("revoked {at}"));
                println!("{}\t{}\t{}\tdevice {}\taccepted {}\t{state}", hex::encode(&k.public_key), k.member_id, k.name, k.device_id, k.accepted_at);
            }
        }
        Command::KeyRevoke { key } => {
            admin::revoke_key(&db, &key).await?;
            println!("revoked key {key}");
        }
        Command::ChainVerify { team } => {
            let findings = admin::verify_chains(&db, team).await?;
            for f in &findings {
                println!("chain {} seq {}: {:?}", f.chain_id, f.seq, f.problem);
            }
            if !findings.is_empty() {
                std::process::exit(1);
            }
            println!("every chain of the team is complete and intact");
        }
        Command::EnrolCode { team } => println!("{}", admin::issue_code(&db, team, Utc::now()).await?),
        Command::DeviceRevoke { device } => {
            admin::revoke_device(&db, device).await?;
            println!("revoked {device}");
        }
        Command::PlanPublish { team, month, file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let duties: Vec<PlanDuty> = serde_json::from_str(&text).with_context(|| format!("{} is not a list of plan duties", file.display()))?;
            let count = duties.len();
            admin::publish_plan(&db, team, &month, duties).await?;
            println!("published {count} duties for {month}");
        }
        Command::AlertPublish { team, text, area, from, to } => println!("{}", admin::publish_alert(&db, team, &text, &area, from, to).await?),
        Command::Report { period, format, township, out } => {
            let period = redvest_county::report::Period::parse(&period).context("--period")?;
            let report = redvest_county::report::Report::build(&db, period, township).await?;
            let bytes = match format {
                ReportFormat::Csv => report.csv().context("writing the CSV")?,
                ReportFormat::Xlsx => report.xlsx().context("writing the workbook")?,
                ReportFormat::Pdf => report.pdf()?,
            };
            write_out(out, &bytes)?;
        }
        Command::Volume { team, month, out, .. } => {
            let month = volume::month(&month).context("--month")?;
            let team = volume::team(&db, &team, None).await.context("--team")?;
            let bound = volume::build(&db, &team, &month).await?;
            let bytes = tokio::task::spawn_blocking(move || volume::pdf(&bound)).await??;
            write_out(out, &bytes)?;
        }
        Command::HazardDecide { hazard, action, reason, responsible, deadline, by } => {
            let decision = CountyDecision { action, by, reason, responsible, deadline, clerk: None };
            let state = admin::decide_hazard(&db, hazard, None, decision, Utc::now()).await?;
            println!("{}", state.zh());
        }
    }
    Ok(())
}
