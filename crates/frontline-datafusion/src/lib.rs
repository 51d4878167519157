//! frontline in SQL engines and Parquet files.
//!
//! - [`register`] adds the `fl_*` functions for an [`Atlas`] to an Apache
//!   DataFusion [`SessionContext`](datafusion::prelude::SessionContext)
//!   (feature `sql`, on by default):
//!
//!   | function | answers |
//!   | --- | --- |
//!   | `fl_controller(lon, lat, date)` | the controller's id, text (`Utf8View`) |
//!   | `fl_de_jure(lon, lat)` | the de jure country's id, text |
//!   | `fl_rayon(lon, lat)` | the name of the smallest admin-1 unit, text |
//!   | `fl_overlays(lon, lat, date)` | ids of the overlays in force covering the point, list of text |
//!   | `fl_nearest_other_km(lon, lat, date)` | km to the nearest ground held by another side, double |
//!   | `fl_zones(date)` | table: `controller`, `name`, `area_km2`, `geometry` (WKB, GeoArrow) |
//!   | `fl_series(from, to)` | table: `date`, `snapshot`, `controller`, `area_km2` |
//!   | `fl_diff(from, to)` | table: `from_controller`, `to_controller`, `area_km2`, `geometry` |
//!   | `fl_snapshots()` | table: `id`, `date`, `until`, `label` |
//!
//!   Coordinates are WGS 84 degrees (any numeric type); dates are `DATE`,
//!   timestamps or `'YYYY-MM-DD'` strings. A null, non-finite or
//!   out-of-range coordinate, a date that is no date, or a date before the
//!   first snapshot gives null: one bad row never ends a query. The scalar
//!   functions take a whole batch at a time through the atlas's grids
//!   ([`frontline::index`]).
//! - [`sql::Sql`] runs a query over files named by path and writes the
//!   result as a table, CSV, JSON lines or Parquet (the `frontline sql`
//!   command).
//! - [`geoparquet`] writes layers as GeoParquet 1.1 (one date, or every
//!   snapshot with `valid_from`/`valid_to`); [`classify`] classifies the
//!   points of a Parquet file into another, batch by batch. Both need only
//!   Arrow and Parquet (`default-features = false`).
//! - [`ballista`] (feature `ballista`): the same functions on an Apache
//!   Ballista cluster.
//!
//! ```
//! # #[cfg(feature = "sql")] {
//! use std::sync::Arc;
//! use datafusion::prelude::SessionContext;
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let ctx = SessionContext::new();
//! frontline_datafusion::register(&ctx, Arc::new(frontline::Atlas::embedded()?));
//! let batches = ctx
//!     .sql("SELECT fl_controller(46.7528, 39.8177, DATE '2000-01-01') AS c") // Stepanakert
//!     .await?
//!     .collect()
//!     .await?;
//! // Controller ids come as string views (`Utf8View`).
//! let c = arrow::array::AsArray::as_string_view(batches[0].column(0));
//! assert_eq!(c.value(0), "nkr");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! # }
//! ```

#![warn(missing_docs)]

#[cfg(feature = "sql")]
use std::sync::Arc;

#[cfg(feature = "sql")]
use frontline::Atlas;

// The engines' crates, whose types this crate's functions take and give.
pub use arrow;
#[cfg(feature = "sql")]
pub use datafusion;
pub use parquet;

#[cfg(feature = "ballista")]
pub mod ballista;
pub mod classify;
pub mod dates;
pub mod geoparquet;
pub mod sample;
#[cfg(feature = "sql")]
pub mod sql;
#[cfg(feature = "sql")]
pub mod table;
#[cfg(feature = "sql")]
mod udf;
pub mod wkb;

/// Registers every `fl_*` function for `atlas` on `context` (see the crate
/// docs for the list). Call it once per session; on Ballista, once per
/// session of the client, the scheduler and every executor
/// ([`ballista`]).
#[cfg(feature = "sql")]
pub fn register(context: &datafusion::prelude::SessionContext, atlas: Arc<Atlas>) {
    for udf in udf::all(&atlas) {
        context.register_udf(udf);
    }
    for table in table::Table::ALL {
        context.register_udtf(
            table.name(),
            Arc::new(table::AtlasTable {
                table,
                atlas: Arc::clone(&atlas),
            }),
        );
    }
}

/// The scalar functions of [`register`] as a list, for builders that take
/// functions rather than a context (a Ballista executor's session state).
#[cfg(feature = "sql")]
pub fn scalar_functions(atlas: &Arc<Atlas>) -> Vec<Arc<datafusion::logical_expr::ScalarUDF>> {
    udf::all(atlas).into_iter().map(Arc::new).collect()
}
