//! A Ballista executor that knows frontline's functions, for a cluster
//! across machines (see `docs/ballista.md`).
//!
//! ```text
//! ballista_executor [--scheduler-host H] [--scheduler-port 50050] \
//!     [--bind-host 0.0.0.0] [--external-host THIS_HOST] [--port 50051] \
//!     [--grpc-port 50052] [--vcores N] [--data DIR]
//! ```

use std::sync::Arc;

use ballista_executor::executor_process::start_executor_process;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut options = std::collections::HashMap::new();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        options.insert(flag, value);
    }
    let atlas = Arc::new(match options.remove("--data") {
        Some(dir) => frontline::Atlas::open(dir)?,
        None => frontline::Atlas::embedded()?,
    });
    let mut config = frontline_datafusion::ballista::executor_config(&atlas);
    for (flag, value) in options {
        let port = || {
            value
                .parse::<u16>()
                .map_err(|_| format!("{flag}: expected a port, got {value:?}"))
        };
        match flag.as_str() {
            "--scheduler-host" => config.scheduler_host = value.clone(),
            "--scheduler-port" => config.scheduler_port = port()?,
            "--bind-host" => config.bind_host = value.clone(),
            "--external-host" => config.external_host = Some(value.clone()),
            "--port" => config.port = port()?,
            "--grpc-port" => config.grpc_port = port()?,
            "--vcores" => {
                config.vcores = value
                    .parse()
                    .map_err(|_| format!("--vcores: expected a number, got {value:?}"))?
            }
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()?;
    runtime.block_on(start_executor_process(Arc::new(config)))?;
    Ok(())
}
