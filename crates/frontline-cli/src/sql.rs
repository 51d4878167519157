//! `frontline sql`: a query over files named by path and the `fl_*`
//! functions, on Apache DataFusion (`frontline-datafusion`).

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use frontline_datafusion::sql::{OutputFormat, Sql};

use crate::output::CliError;

/// How `frontline sql` writes its result.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlFormat {
    Table,
    Csv,
    Json,
    Parquet,
}

/// The arguments of `frontline sql`.
#[derive(clap::Args)]
pub struct SqlArgs {
    /// The query. Files are tables named by path in FROM (CSV, Parquet or
    /// GeoParquet, newline-delimited .json): SELECT fl_controller(lon, lat,
    /// date) AS c, count(*) FROM 'points.parquet' GROUP BY c. Functions:
    /// fl_controller, fl_de_jure, fl_rayon, fl_overlays, fl_nearest_other_km;
    /// tables: fl_zones('DATE'), fl_series('FROM', 'TO'), fl_diff('FROM',
    /// 'TO'), fl_snapshots().
    pub query: String,
    /// Output format [default: from the output's extension (.csv, .json,
    /// .parquet), else table].
    #[arg(long, value_enum)]
    pub format: Option<SqlFormat>,
    /// Output file, or - for standard output.
    #[arg(short, long, default_value = "-")]
    pub output: PathBuf,
}

/// Standard output, noting whether its reader has gone.
struct Stdout {
    out: std::io::Stdout,
    broken: Arc<AtomicBool>,
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf).inspect_err(|e| self.note(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush().inspect_err(|e| self.note(e))
    }
}

impl Stdout {
    fn note(&self, e: &std::io::Error) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            self.broken.store(true, Ordering::Relaxed);
        }
    }
}

/// Makes glibc keep the memory the engine frees for the next batch.
///
/// The engine allocates and frees buffers of up to megabytes for every batch
/// and column chunk it reads. With glibc's default thresholds such buffers
/// are mapped and unmapped, or trimmed off the heap, each time, so every
/// batch pays page faults and zeroing again. Served from the heap and kept
/// there (buffers up to 32 MB, 128 MB kept free), a 10 M-row query took about
/// a tenth less time (BENCHMARKS.md, "SQL and Parquet"). The process ends with
/// the query, so nothing is held for longer than it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets two of the allocator's parameters, under
    // the allocator's own lock. A value it does not take is refused (it
    // returns 0) and the default stays; both values here are within glibc's
    // limits (the mmap threshold's maximum is 32 MB on 64-bit targets).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

/// Runs the query and writes its result.
pub fn run(atlas: Arc<frontline::Atlas>, args: SqlArgs) -> Result<(), CliError> {
    keep_freed_memory();
    let stdout = args.output.as_os_str() == "-";
    let format = match (args.format, OutputFormat::from_path(&args.output)) {
        (Some(SqlFormat::Table), _) => OutputFormat::Table,
        (Some(SqlFormat::Csv), _) => OutputFormat::Csv,
        (Some(SqlFormat::Json), _) => OutputFormat::Json,
        (Some(SqlFormat::Parquet), _) => OutputFormat::Parquet,
        (None, Some(format)) => format,
        (None, None) if stdout => OutputFormat::Table,
        (None, None) => {
            return Err(CliError::Output(format!(
                "{}: unknown output extension: expected .csv, .json or .parquet (or pass --format)",
                args.output.display()
            )))
        }
    };
    let failed = |e: frontline_datafusion::sql::Error| CliError::Output(format!("sql: {e}"));
    let sql = Sql::from_env(atlas).map_err(failed)?;
    if stdout {
        let broken = Arc::new(AtomicBool::new(false));
        let out = std::io::BufWriter::with_capacity(
            1 << 16,
            Stdout {
                out: std::io::stdout(),
                broken: Arc::clone(&broken),
            },
        );
        return match sql.write(&args.query, format, out) {
            Ok(_) => Ok(()),
            Err(_) if broken.load(Ordering::Relaxed) => {
                Err(CliError::Frontline(frontline::Error::Io {
                    path: "standard output".into(),
                    source: std::io::ErrorKind::BrokenPipe.into(),
                }))
            }
            Err(e) => Err(failed(e)),
        };
    }
    let mut failure = None;
    let written = frontline::io::write_atomic_with(&args.output, |file| {
        let out = std::io::BufWriter::with_capacity(1 << 20, file);
        sql.write(&args.query, format, out).map(drop).map_err(|e| {
            let message = e.to_string();
            failure = Some(e);
            std::io::Error::other(message)
        })
    });
    match failure {
        Some(e) => Err(failed(e)),
        None => Ok(written?),
    }
}
