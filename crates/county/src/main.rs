//! `redvest-county`: the county endpoint's one binary.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};
use redvest_county::{app, Db};
use tracing_subscriber::EnvFilter;

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
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let cli = Cli::parse();
    let url = cli
        .database_url
        .context("no database: set DATABASE_URL or pass --database-url postgres://…")?;
    match cli.command {
        Command::Serve { listen } => {
            let db = Db::connect(&url).await.context("connecting to PostgreSQL")?;
            db.migrate().await.context("applying county migrations")?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            tracing::info!(addr = %listener.local_addr()?, "county endpoint serving");
            axum::serve(listener, app(db))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
    }
    Ok(())
}
