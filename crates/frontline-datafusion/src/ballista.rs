//! The `fl_*` scalar functions on an Apache Ballista cluster.
//!
//! Ballista ships plans between processes by function *name*: every process
//! that decodes a plan must know the functions. So the client, the
//! scheduler and every executor build their session from
//! [`session_state`], which adds frontline's scalar functions to Ballista's
//! defaults: [`standalone`] does it for a cluster inside one process,
//! [`executor_config`] and [`scheduler_config`] for separate processes (the
//! `ballista_executor` and `ballista_scheduler` examples; see
//! `docs/ballista.md`). Each process opens its own copy of the atlas.
//!
//! The table functions (`fl_zones`, …) are not offered on a cluster: their
//! tables live in the process that plans them and Ballista would need a
//! codec to ship them; query them in one process ([`crate::sql`]).

use std::sync::Arc;

use ballista::prelude::SessionContextExt;
use ballista_core::extension::{
    ballista_aggregate_functions, ballista_scalar_functions, ballista_window_functions,
    SessionConfigExt,
};
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_executor::executor_process::ExecutorProcessConfig;
use ballista_scheduler::config::SchedulerConfig;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SessionState, SessionStateBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use frontline::Atlas;

pub use ballista_core::registry::BallistaFunctionRegistry;

/// A session state for any process of a cluster: `config`, DataFusion's
/// and Ballista's default functions, and frontline's scalar functions for
/// `atlas`.
pub fn session_state(config: SessionConfig, atlas: &Arc<Atlas>) -> SessionState {
    let mut scalars = ballista_scalar_functions();
    scalars.extend(crate::scalar_functions(atlas));
    SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .with_scalar_functions(scalars)
        .with_aggregate_functions(ballista_aggregate_functions())
        .with_window_functions(ballista_window_functions())
        .build()
}

fn configuration(e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Configuration(e.to_string())
}

/// Starts a scheduler and `executors` executors (each offering `vcores`
/// task slots) in this process on loopback, every one with frontline's
/// functions, and returns a client session connected to them.
///
/// # Errors
///
/// When a server cannot start or the scheduler does not answer within ten
/// seconds.
pub async fn standalone(
    atlas: Arc<Atlas>,
    executors: usize,
    vcores: usize,
) -> Result<SessionContext> {
    let state = session_state(SessionConfig::new_with_ballista(), &atlas);
    let address = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state)
        .await
        .map_err(configuration)?;
    let url = format!("http://localhost:{}", address.port());
    let mut attempts = 0;
    let scheduler = loop {
        match SchedulerGrpcClient::connect(url.clone()).await {
            Ok(scheduler) => break scheduler,
            Err(e) if attempts >= 100 => {
                return Err(configuration(format!(
                    "scheduler at {url} does not answer: {e}"
                )))
            }
            Err(_) => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    };
    for _ in 0..executors {
        ballista_executor::new_standalone_executor_from_state(scheduler.clone(), vcores, &state)
            .await
            .map_err(configuration)?;
    }
    remote(&format!("df://localhost:{}", address.port()), atlas).await
}

/// A client session for the scheduler at `url` (`df://host:port`) with
/// frontline's functions.
///
/// # Errors
///
/// A malformed URL.
pub async fn remote(url: &str, atlas: Arc<Atlas>) -> Result<SessionContext> {
    let state = session_state(SessionConfig::new_with_ballista(), &atlas);
    let context = SessionContext::remote_with_state(url, state).await?;
    // Ballista's upgrade of the state puts back its own list of scalar
    // functions, dropping frontline's: register them again.
    for udf in crate::scalar_functions(&atlas) {
        context.register_udf(udf.as_ref().clone());
    }
    Ok(context)
}

/// An executor process's configuration (Ballista's defaults: scheduler on
/// localhost:50050, Flight on 50051, gRPC on 50052) with frontline's
/// functions in its registry; set the hosts and ports, then pass it to
/// `ballista_executor::executor_process::start_executor_process`.
pub fn executor_config(atlas: &Arc<Atlas>) -> ExecutorProcessConfig {
    let state = session_state(SessionConfig::new_with_ballista(), atlas);
    ExecutorProcessConfig {
        override_function_registry: Some(Arc::new(BallistaFunctionRegistry::from(&state))),
        ..Default::default()
    }
}

/// A scheduler process's configuration (Ballista's defaults) whose
/// sessions know frontline's functions; pass it to
/// `ballista_scheduler::scheduler_process::start_server`.
pub fn scheduler_config(atlas: Arc<Atlas>) -> SchedulerConfig {
    SchedulerConfig::default()
        .with_override_session_builder(Arc::new(move |config| Ok(session_state(config, &atlas))))
}

/// `SELECT fl_controller(lon, lat, date) AS c, count(*) … GROUP BY c` over
/// the Parquet file at `path` on `context`, as `(controller, count)` pairs
/// sorted by controller (null, outside the region or undated, first).
///
/// The file is read as a Parquet listing table (a plan Ballista ships to
/// its executors), not by path in SQL: a Ballista client session has no
/// tables by URL.
///
/// # Errors
///
/// DataFusion's (a file that cannot be read, a missing column).
pub async fn count_by_controller(
    context: &SessionContext,
    path: &str,
) -> Result<Vec<(Option<String>, i64)>> {
    use datafusion::execution::FunctionRegistry;
    use datafusion::functions_aggregate::expr_fn::count;
    use datafusion::prelude::{col, lit, ParquetReadOptions};
    // Any file name is read as Parquet, not only `*.parquet`.
    let extension = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let options = ParquetReadOptions {
        file_extension: &extension,
        ..Default::default()
    };
    let controller = context
        .udf("fl_controller")?
        .call(vec![col("lon"), col("lat"), col("date")]);
    let batches = context
        .read_parquet(path, options)
        .await?
        .aggregate(vec![controller.alias("c")], vec![count(lit(1)).alias("n")])?
        .collect()
        .await?;
    crate::sql::count_pairs(&batches)
}
