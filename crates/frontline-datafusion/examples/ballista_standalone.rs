//! A Ballista cluster in one process: a scheduler and two executors on
//! loopback, each with frontline's functions, counting the points of a
//! Parquet file (columns `lon`, `lat`, `date`) per controller.
//!
//! ```text
//! cargo run --release --features ballista --example ballista_standalone -- points.parquet
//! ```
//!
//! Prints `c,count` lines sorted by controller (an empty `c` for points
//! outside the region or undated).

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        return Err("usage: ballista_standalone FILE.parquet".into());
    };
    let atlas = Arc::new(frontline::Atlas::embedded()?);
    let context = frontline_datafusion::ballista::standalone(atlas, 2, 1).await?;
    let counts = frontline_datafusion::ballista::count_by_controller(&context, &path).await?;
    println!("c,count");
    for (controller, count) in counts {
        println!("{},{count}", controller.unwrap_or_default());
    }
    Ok(())
}
