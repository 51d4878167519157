//! `frontline serve` and `frontline atlas`: the HTTP API and page of
//! `frontline-server`, and the same page as one file.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use frontline::Atlas;

use crate::output::{print_or_write, CliError};

/// Options of `frontline serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; 0.0.0.0 for every interface).
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

/// Options of `frontline atlas`.
#[derive(clap::Args)]
pub struct AtlasArgs {
    /// Output file (.html), or - for standard output.
    #[arg(short, long)]
    output: PathBuf,
    /// First date to embed, YYYY-MM-DD (default: the first snapshot).
    #[arg(long, value_parser = crate::date)]
    from: Option<chrono::NaiveDate>,
    /// Last date to embed, YYYY-MM-DD (default: the last snapshot or event).
    #[arg(long, value_parser = crate::date)]
    to: Option<chrono::NaiveDate>,
}

/// Serves until Ctrl-C or SIGTERM, then lets the requests under way finish.
pub fn serve(atlas: Arc<Atlas>, args: &ServeArgs) -> Result<ExitCode, CliError> {
    crate::output::notes(&atlas);
    // Every index is built before the first request, so none pays for it.
    if let Err(problem) = atlas.prepare() {
        eprintln!("warning: {problem}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Output(format!("cannot start the server: {e}")))?;
    let name = atlas.name.clone();
    let address = SocketAddr::new(args.bind, args.port);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| CliError::Output(format!("cannot listen on {address}: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| CliError::Output(format!("cannot listen on {address}: {e}")))?;
        let app = frontline_server::router(atlas, frontline_server::Limits::default());
        eprintln!("frontline: serving {name} on http://{bound}/ (Ctrl-C to stop)");
        frontline_server::serve(listener, app, frontline_server::shutdown_signal())
            .await
            .map_err(|e| CliError::Output(format!("server failed: {e}")))?;
        eprintln!("frontline: stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// Writes the self-contained page.
pub fn write_atlas(atlas: &Atlas, args: &AtlasArgs) -> Result<(), CliError> {
    let html = frontline_server::atlas_html(atlas, args.from, args.to)?;
    print_or_write(&args.output, html.as_bytes())?;
    Ok(())
}
