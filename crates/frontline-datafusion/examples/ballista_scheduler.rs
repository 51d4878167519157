//! A Ballista scheduler whose sessions know frontline's functions, for a
//! cluster across machines (see `docs/ballista.md`).
//!
//! ```text
//! ballista_scheduler [--bind-host 0.0.0.0] [--bind-port 50050] \
//!     [--external-host THIS_HOST] [--data DIR]
//! ```
//!
//! Executors send task results to `THIS_HOST:PORT` (default
//! `localhost:PORT`, enough when they run on this machine): it must
//! resolve and be reachable from them.

use std::sync::Arc;

use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::scheduler_process::start_server;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut host, mut port, mut data) = ("0.0.0.0".to_owned(), 50050u16, None);
    let mut external_host = "localhost".to_owned();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bind-host" => host = value,
            "--bind-port" => {
                port = value
                    .parse()
                    .map_err(|_| format!("--bind-port: expected a port, got {value:?}"))?
            }
            "--external-host" => external_host = value,
            "--data" => data = Some(value),
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    let atlas = Arc::new(match data {
        Some(dir) => frontline::Atlas::open(dir)?,
        None => frontline::Atlas::embedded()?,
    });
    // The scheduler tells executors where to report from its configuration,
    // not from the address it listens on: both must name the same port.
    let mut config = frontline_datafusion::ballista::scheduler_config(atlas)
        .with_hostname(external_host)
        .with_port(port);
    config.bind_host = host.clone();
    let address = format!("{host}:{port}").parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()?;
    runtime.block_on(async {
        let cluster = BallistaCluster::new_from_config(&config).await?;
        start_server(cluster, address, Arc::new(config)).await
    })?;
    Ok(())
}
