//! A client of a Ballista cluster whose scheduler and executors run the
//! `ballista_scheduler` and `ballista_executor` examples: counts the points
//! of a Parquet file (columns `lon`, `lat`, `date`) per controller.
//!
//! ```text
//! ballista_client df://SCHEDULER:50050 /shared/points.parquet
//! ```
//!
//! Prints `c,count` lines sorted by controller (an empty `c` for points
//! outside the region or undated). The executors read the file: it must be
//! at that path on each of them.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(path)) = (args.next(), args.next()) else {
        return Err("usage: ballista_client df://HOST:PORT FILE.parquet".into());
    };
    let atlas = Arc::new(frontline::Atlas::embedded()?);
    let context = frontline_datafusion::ballista::remote(&url, atlas).await?;
    let counts = frontline_datafusion::ballista::count_by_controller(&context, &path).await?;
    println!("c,count");
    for (controller, count) in counts {
        println!("{},{count}", controller.unwrap_or_default());
    }
    Ok(())
}
