//! `frontline`: a thin command line over the `frontline` library. Every
//! command parses its arguments, makes one library call and prints the result.

mod animate;
mod hint;
mod output;
mod parquet;
#[cfg(feature = "serve")]
mod serve;
#[cfg(feature = "sql")]
mod sql;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use frontline::archive::ArchiveOptions;
use frontline::export::{self, Layer};
use frontline::ingest::Strictness;
use frontline::{parse_date, Atlas, DataSource};
use geo::Point;

use output::{print_or_write, Table};

/// Territorial control maps: who holds what, where, and since when.
#[derive(Parser)]
#[command(
    name = "frontline",
    version,
    about,
    propagate_version = true,
    after_help = "Examples:
  frontline stats --at 2021-06-01
  frontline --data tests/data/tiny snapshots --format json
  FRONTLINE_DATA=tests/data/tiny frontline snapshots
  frontline render --at 2020-12-01 -o map.png
  frontline completions bash > frontline.bash"
)]
struct Cli {
    // Before the data source: its heading would take in what follows it.
    /// Print nothing on standard error but errors: no notes, repairs,
    /// summaries or progress.
    // Listed after each command's own options (they are what its help is
    // read for), not among them.
    #[arg(short, long, global = true, display_order = 1000)]
    quiet: bool,
    #[command(flatten)]
    data: DataArgs,
    #[command(subcommand)]
    command: Command,
}

/// Where the data comes from: the bundled dataset, a dataset directory, or a
/// dated archive of one side's ground.
#[derive(clap::Args)]
#[command(next_help_heading = "Data source")]
struct DataArgs {
    /// Load the dataset from this directory (holding manifest.json) instead of
    /// the bundled Nagorno-Karabakh one.
    #[arg(long, global = true, value_name = "DIR", env = "FRONTLINE_DATA")]
    data: Option<PathBuf>,
    /// Whether `data` came from the environment (then --archive wins over it).
    #[arg(skip)]
    data_from_env: bool,
    /// Load a dated archive: a folder of GeoJSON files (.geojson, .json,
    /// .geojson.gz), one per date, each the ground held by --side.
    #[arg(long, global = true, value_name = "DIR", requires = "side")]
    archive: Option<PathBuf>,
    /// The side whose ground the archive's files hold (display name).
    #[arg(long, global = true, value_name = "NAME")]
    side: Option<String>,
    /// Regex with named groups y, m, d finding the date in archive file names.
    #[arg(long, global = true, value_name = "REGEX")]
    date_pattern: Option<String>,
    /// GeoJSON polygons of the whole region: the archive's side holds its
    /// files' ground, `other` the rest of the region.
    #[arg(long, global = true, value_name = "FILE")]
    region: Option<PathBuf>,
    /// Refuse archive files that need repairs instead of repairing them.
    #[arg(long, global = true)]
    strict: bool,
    /// Skip (and report) archive files that cannot be read instead of failing.
    #[arg(long, global = true)]
    skip_bad: bool,
}

impl DataArgs {
    /// Options that apply only to an archive are refused without one.
    fn check(&self) -> Result<(), output::CliError> {
        if let Some(side) = &self.side {
            if side.trim().is_empty() {
                return Err(output::CliError::Output(
                    "--side: expected the name of the side, found an empty one".into(),
                ));
            }
        }
        if self.archive.is_some() && self.data.is_some() && !self.data_from_env {
            return Err(output::CliError::Output(
                "--data and --archive: expected one source of data, found both".into(),
            ));
        }
        if self.archive.is_none() {
            let given: Vec<&str> = [
                ("--side", self.side.is_some()),
                ("--date-pattern", self.date_pattern.is_some()),
                ("--region", self.region.is_some()),
                ("--strict", self.strict),
                ("--skip-bad", self.skip_bad),
            ]
            .into_iter()
            .filter_map(|(flag, set)| set.then_some(flag))
            .collect();
            if !given.is_empty() {
                return Err(output::CliError::Output(format!(
                    "{} {} only to a dated archive: pass --archive DIR too",
                    given.join(", "),
                    if given.len() == 1 { "applies" } else { "apply" }
                )));
            }
        }
        Ok(())
    }

    fn archive_options(&self) -> ArchiveOptions {
        let mut options = ArchiveOptions::new(self.side.clone().unwrap_or_default())
            .strictness(if self.strict {
                Strictness::Strict
            } else {
                Strictness::Repair
            })
            .skip_bad(self.skip_bad);
        options.date_pattern = self.date_pattern.clone();
        options.region = self.region.clone();
        options
    }

    fn open(&self) -> frontline::Result<Atlas> {
        match (&self.archive, &self.data) {
            (Some(dir), _) => Atlas::open_archive(dir, &self.archive_options()),
            (None, Some(dir)) => Atlas::load(DataSource::Directory(dir.clone())),
            (None, None) => Atlas::load(DataSource::Embedded),
        }
    }
}

/// Lists and tables of figures.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Table,
    Json,
    Csv,
}

/// One record, or a report of problems.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Table,
    Json,
}

/// A result with a geometry (a route, a path).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GeoFormat {
    Table,
    Json,
    Geojson,
}

/// A diff: figures and the ground that changed hands.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Table,
    Json,
    Csv,
    Geojson,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    Csv,
    Geojson,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    Geojson,
    Csv,
    Fgb,
}

/// Where a command's data goes.
#[derive(clap::Args)]
struct Output {
    /// Write to this file (replaced atomically) instead of standard output;
    /// - for standard output.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    output: PathBuf,
}

/// How many decimals the coordinates of an export keep.
#[derive(clap::Args)]
struct Precision {
    /// Decimals of each coordinate (0–15; 7 is about 1 cm).
    #[arg(long = "precision", value_name = "N", default_value_t = export::DEFAULT_PRECISION, value_parser = clap::value_parser!(u8).range(0..=15))]
    decimals: u8,
}

#[derive(Subcommand)]
enum Command {
    /// List the dated snapshots of the dataset.
    #[command(after_help = "Examples:
  frontline snapshots
  frontline snapshots --format csv -o snapshots.csv")]
    Snapshots {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Area held by each controller on a date (geodesic, km²).
    #[command(after_help = "Examples:
  frontline stats --at 1994-05-12
  frontline stats --at 2022-10-01 --by-de-jure --format csv")]
    Stats {
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        at: chrono::NaiveDate,
        /// Break each side's ground down by de jure territory (whose land it holds).
        #[arg(long)]
        by_de_jure: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Who holds a point on a date, and whose territory it is.
    #[command(after_help = "Examples:
  frontline locate --place Shusha --at 2021-06-01
  frontline locate --lat 39.8177 --lon 46.7528 --at 2023-09-21 --format json")]
    Locate {
        /// Latitude, degrees north.
        #[arg(
            long,
            requires = "lon",
            conflicts_with = "place",
            allow_negative_numbers = true,
            value_name = "DEGREES"
        )]
        lat: Option<f64>,
        /// Longitude, degrees east.
        #[arg(
            long,
            requires = "lat",
            allow_negative_numbers = true,
            value_name = "DEGREES"
        )]
        lon: Option<f64>,
        /// A bundled place by name, id or alias (e.g. Khankendi).
        #[arg(long, required_unless_present = "lat", value_name = "NAME")]
        place: Option<String>,
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        at: chrono::NaiveDate,
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Write a layer as it stands on a date: RFC 7946 GeoJSON, CSV with WKT,
    /// or FlatGeobuf (opens directly in QGIS, geopandas and DuckDB).
    #[command(after_help = "Examples:
  frontline export --at 2020-12-01 --layer zones -o zones.geojson
  frontline export --at 2020-12-01 --layer routes -o routes.fgb
  frontline export --at 2020-12-01 --format csv > zones.csv")]
    Export {
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        at: chrono::NaiveDate,
        /// The layer to write.
        #[arg(long, default_value = "zones", value_parser = layer_parser())]
        layer: Layer,
        /// Output format; by default from the file extension (.geojson, .json,
        /// .csv, .fgb; GeoJSON for standard output or a name without one).
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        #[command(flatten)]
        precision: Precision,
        #[command(flatten)]
        output: Output,
    },
    /// Every snapshot's zones in one file, each with valid_from and valid_to
    /// (exclusive; empty for the last), for time-enabled maps and range
    /// queries.
    Timeline {
        /// Output format; by default from the file extension (.geojson, .json,
        /// .csv, .fgb, .parquet; GeoJSON for standard output or a name without
        /// one).
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        #[command(flatten)]
        precision: Precision,
        /// Output file, or - for standard output.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
    /// Run SQL over files and the dataset (Apache DataFusion; built with the
    /// `sql` feature).
    ///
    /// DataFusion's settings are read from DATAFUSION_* environment
    /// variables, the setting's name in capitals with _ for . (for example
    /// DATAFUSION_EXECUTION_TARGET_PARTITIONS=8); SHOW ALL lists them.
    #[cfg(feature = "sql")]
    Sql(sql::SqlArgs),
    /// What changed hands between two dates (geodesic km² per transition).
    #[command(after_help = "Examples:
  frontline diff --from 1994-05-12 --to 2020-12-01 --by rayon
  frontline diff --from 2020-09-26 --to 2020-12-01 --format geojson -o changes.geojson")]
    Diff {
        /// First date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        from: chrono::NaiveDate,
        /// Second date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        to: chrono::NaiveDate,
        /// Break each transition down by admin-1 unit.
        #[arg(long, value_parser = ["rayon"])]
        by: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: DiffFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Area per controller at every change of control between two dates.
    #[command(after_help = "Examples:
  frontline series --from 1994-05-12 --to 2023-12-31
  frontline series --from 2020-09-26 --to 2020-12-01 --format table")]
    Series {
        /// First date, YYYY-MM-DD (before the data: from its first date).
        #[arg(long, value_parser = date, value_name = "DATE")]
        from: chrono::NaiveDate,
        /// Last date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        to: chrono::NaiveDate,
        #[arg(long, value_enum, default_value = "csv")]
        format: ListFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Draw the control map on a date (--at), or the diff map between two
    /// dates (--from, --to), as SVG or PNG (chosen by the output's extension).
    #[command(after_help = "Examples:
  frontline render --at 2020-12-01 -o map.png
  frontline render --at 2021-06-01 --bbox 46.2,39.4,47.0,40.0 -o zoom.svg
  frontline render --from 1994-05-12 --to 2020-12-01 -o diff.png")]
    Render {
        /// Date of the map, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE", required_unless_present_all = ["from", "to"], conflicts_with_all = ["from", "to"])]
        at: Option<chrono::NaiveDate>,
        /// First date of a diff map.
        #[arg(long, value_parser = date, value_name = "DATE", requires = "to")]
        from: Option<chrono::NaiveDate>,
        /// Second date of a diff map.
        #[arg(long, value_parser = date, value_name = "DATE", requires = "from")]
        to: Option<chrono::NaiveDate>,
        /// Output file: .svg or .png (- for SVG on standard output).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        look: Look,
        /// Leave places unlabelled.
        #[arg(long)]
        no_labels: bool,
        /// lon_min,lat_min,lon_max,lat_max (default: the conflict area with a margin).
        #[arg(long, value_parser = bbox, allow_hyphen_values = true, value_name = "BBOX")]
        bbox: Option<frontline_render::BBox>,
        /// Any PROJ string or EPSG code, e.g. EPSG:32638 (needs a build with
        /// `--features proj`); default: Lambert azimuthal equal-area centred on the map.
        #[arg(long, value_name = "PROJ")]
        projection: Option<String>,
    },
    /// Step chart of the area each side held over time, with the dated events.
    #[command(after_help = "Examples:
  frontline chart --from 1994-05-12 --to 2024-06-30 -o areas.svg")]
    Chart {
        /// First date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        from: chrono::NaiveDate,
        /// Last date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        to: chrono::NaiveDate,
        /// Output file: .svg or .png (- for SVG on standard output).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        look: Look,
    },
    /// Animate the control map from one date to another, a frame a step, with
    /// the areas and the events of each step, as GIF or APNG (by the output's
    /// extension: .gif, .png, .apng); by default the 2020 war, weekly.
    #[command(after_help = "Examples:
  frontline animate -o war.gif
  frontline animate --from 2022-08-01 --to 2023-10-01 --every 14 -o corridor.gif")]
    Animate {
        /// First frame's date (default: the start of the dataset's longest offensive).
        #[arg(long, value_parser = date, value_name = "DATE", requires = "to")]
        from: Option<chrono::NaiveDate>,
        /// Last frame's date.
        #[arg(long, value_parser = date, value_name = "DATE", requires = "from")]
        to: Option<chrono::NaiveDate>,
        /// Days from one frame to the next.
        #[arg(long, default_value_t = 7)]
        every: u32,
        /// Output file: .gif, .png or .apng.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Append controller, de_jure, rayon, overlays and error columns to every
    /// row of a CSV of points, or properties to every feature of a GeoJSON
    /// FeatureCollection of points (streaming; no row is ever dropped).
    ///
    /// Field values are kept byte for byte; quoting is redone (only where
    /// needed), rows end with LF, blank lines are left out. Rows wider or
    /// narrower than the header come out as wide as the header, unclassified,
    /// with the reason (and any extra fields) in `error`. An input that
    /// already has one of the added columns is refused. Gzip input is read
    /// decompressed.
    #[command(
        group(clap::ArgGroup::new("when").required(true).args(["date_col", "at"])),
        after_help = "Examples:
  frontline classify points.csv -o out.csv --date-col date
  frontline classify sightings.geojson -o out.geojson --at 2021-06-01
  cat points.csv | frontline classify - -o - --at 2021-06-01 > out.csv"
    )]
    Classify {
        /// Input CSV or GeoJSON, or - for standard input.
        #[arg(value_name = "INPUT")]
        input: PathBuf,
        /// Output, in the input's format, or - for standard output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Input format [default: from the extension: .geojson/.json, else csv].
        #[arg(long, value_enum)]
        input_format: Option<InputFormat>,
        /// CSV column holding latitudes.
        #[arg(long, default_value = "lat", value_name = "COLUMN")]
        lat_col: String,
        /// CSV column holding longitudes.
        #[arg(long, default_value = "lon", value_name = "COLUMN")]
        lon_col: String,
        /// Column (GeoJSON: property) holding each row's date (YYYY-MM-DD).
        #[arg(long, value_name = "COLUMN")]
        date_col: Option<String>,
        /// One date for every row, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        at: Option<chrono::NaiveDate>,
    },
    /// A route on a date: through whose ground it runs, whether it is open,
    /// its corridor share and its exposure to other sides' ground.
    #[command(after_help = "Examples:
  frontline route lachin-road-2022 --at 2023-01-15
  frontline route lachin-road-2020 --at 2021-06-01 --format geojson -o road.geojson")]
    Route {
        /// Route id (see `frontline routes`).
        #[arg(value_name = "ROUTE")]
        id: String,
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        at: chrono::NaiveDate,
        /// Exposure: length within this many km of ground held by another side.
        #[arg(long, default_value_t = 2.0, value_name = "KM", allow_negative_numbers = true, value_parser = distance_km)]
        exposure_km: f64,
        #[arg(long, value_enum, default_value = "table")]
        format: GeoFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Can a traveller of one side get from one place to another on a date?
    #[command(after_help = "Examples:
  frontline reach --from Goris --to Stepanakert --at 2021-06-01 --as armenia
  frontline reach --from Goris --to Stepanakert --at 2023-01-15 --as armenia --format json")]
    Reach {
        /// Start place (name, id or alias).
        #[arg(long, value_name = "PLACE")]
        from: String,
        /// End place.
        #[arg(long, value_name = "PLACE")]
        to: String,
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date, value_name = "DATE")]
        at: chrono::NaiveDate,
        /// The traveller's side (a controller id, e.g. armenia).
        #[arg(long = "as", id = "traveller", value_name = "SIDE")]
        side: String,
        #[arg(long, value_enum, default_value = "table")]
        format: GeoFormat,
        #[command(flatten)]
        output: Output,
    },
    /// List the routes with their validity and length.
    #[command(after_help = "Examples:
  frontline routes
  frontline routes --format json")]
    Routes {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Check a dataset: every file, feature, id, polygon and partition
    /// (exit code 1 when there are problems).
    #[command(after_help = "Examples:
  frontline validate
  frontline validate --data tests/data/tiny --format json")]
    Validate {
        #[arg(long, value_enum, default_value = "table")]
        format: ReportFormat,
        #[command(flatten)]
        output: Output,
    },
    /// Serve the atlas over HTTP: the JSON API and the interactive page.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Write the interactive page as one self-contained HTML file.
    #[cfg(feature = "serve")]
    Atlas(serve::AtlasArgs),
    /// Print a completion script for a shell, made from these definitions.
    #[command(after_help = "Examples:
  frontline completions bash > ~/.local/share/bash-completion/completions/frontline
  frontline completions zsh > ~/.zfunc/_frontline
  frontline completions fish > ~/.config/fish/completions/frontline.fish
  frontline completions powershell >> $PROFILE")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff) of frontline, or of one of its commands.
    #[command(after_help = "Examples:
  frontline man > frontline.1 && man ./frontline.1
  frontline man stats > frontline-stats.1")]
    Man {
        /// A command, for its own page (frontline-COMMAND).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

/// Shells `completions` writes for.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// Size and title of a picture.
#[derive(clap::Args)]
struct Look {
    /// Width in pixels.
    #[arg(long, default_value_t = 1200)]
    width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 900)]
    height: u32,
    /// Title (default: the dataset and the date).
    #[arg(long)]
    title: Option<String>,
}

fn bbox(text: &str) -> Result<frontline_render::BBox, String> {
    frontline_render::BBox::parse(text).map_err(|e| e.to_string())
}

fn distance_km(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(km) if km.is_finite() && km >= 0.0 => Ok(km),
        _ => Err("expected a distance in km, a number ≥ 0".to_owned()),
    }
}

fn date(text: &str) -> Result<chrono::NaiveDate, String> {
    parse_date(text).map_err(|e| e.to_string())
}

/// `--layer`: the library's layer names, listed in the help.
fn layer_parser() -> impl clap::builder::TypedValueParser<Value = Layer> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Layer::ALL.map(|(name, _)| name))
        .try_map(|name| name.parse::<Layer>())
}

/// On SIGINT or SIGTERM, removes the temp files of unfinished outputs, then
/// ends as the signal would (128 + its number).
fn remove_temp_files_on_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    frontline::io::exit_removing_temp_files(128 + signal);
                }
            });
        }
    }
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(),
        Err(error) => {
            // One line: clap's lines up to the usage name the culprit (some
            // put it on the second line); usage is one --help away.
            let rendered = error.to_string();
            let first = rendered
                .lines()
                .take_while(|line| !line.trim().is_empty() && !line.starts_with("Usage:"))
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let first = if first.is_empty() {
                "error: invalid arguments"
            } else {
                first.as_str()
            };
            eprintln!("{first} (see frontline --help)");
            return ExitCode::from(2);
        }
    };
    // The server ends on these signals itself, after the requests under way.
    #[cfg(feature = "serve")]
    let serving = matches!(cli.command, Command::Serve(_));
    #[cfg(not(feature = "serve"))]
    let serving = false;
    if !serving {
        remove_temp_files_on_signals();
    }
    match run(cli) {
        Ok(code) => code,
        // The reader of standard output has gone (`| head`): nothing is wrong.
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            if let Some(hint) = error.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(2)
        }
    }
}

/// The command line, noting where `--data` came from.
fn parse() -> Result<Cli, clap::Error> {
    let matches = Cli::command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.data.data_from_env =
        matches.value_source("data") == Some(clap::parser::ValueSource::EnvVariable);
    Ok(cli)
}

fn run(cli: Cli) -> Result<ExitCode, output::CliError> {
    match &cli.command {
        Command::Completions { shell } => {
            print_or_write(Path::new("-"), &output::completions(*shell))?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Man { command } => {
            print_or_write(Path::new("-"), &output::man_page(command.as_deref())?)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    cli.data.check()?;
    if let Command::Validate { format, output } = &cli.command {
        let (text, ok) = if let Some(dir) = &cli.data.archive {
            let reports = frontline::archive::validate_archive(dir, &cli.data.archive_options())?;
            let ok = reports.iter().all(|r| r.problems.is_empty());
            (output::archive_validation(&reports, *format)?, ok)
        } else {
            let source = cli
                .data
                .data
                .clone()
                .map_or(DataSource::Embedded, DataSource::Directory);
            let report = Atlas::validate(source)?;
            (output::validation(&report, *format)?, report.is_ok())
        };
        print_or_write(&output.output, text.as_bytes())?;
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let atlas = std::sync::Arc::new(cli.data.open()?);
    let quiet = cli.quiet;
    let code = command(&atlas, cli.command, quiet)?;
    if !quiet {
        output::notes(&atlas);
    }
    Ok(code)
}

fn command(
    atlas: &std::sync::Arc<Atlas>,
    command: Command,
    quiet: bool,
) -> Result<ExitCode, output::CliError> {
    let (path, text) = match command {
        Command::Snapshots { format, output } => {
            let snapshots = atlas.snapshots();
            let text = match format {
                ListFormat::Json => output::json(&snapshots)?,
                ListFormat::Csv => frontline::text::csv(&snapshots),
                ListFormat::Table => {
                    let mut table = Table::new(["id", "from", "until", "label"]);
                    for s in &snapshots {
                        let until = s.until.map_or("-".to_owned(), |d| d.to_string());
                        table.row([s.id.clone(), s.date.to_string(), until, s.label.clone()]);
                    }
                    table.render()
                }
            };
            (output.output, text)
        }
        Command::Stats {
            at,
            by_de_jure: true,
            format,
            output,
        } => {
            let rows = atlas.at(at)?.area_by_de_jure();
            let text = match format {
                ListFormat::Json => output::json(&rows)?,
                ListFormat::Csv => frontline::text::csv(&rows),
                ListFormat::Table => {
                    let mut table = Table::new(["controller", "de jure", "km²"]);
                    for row in &rows {
                        table.row([
                            row.controller.clone(),
                            row.country.clone(),
                            format!("{:.1}", row.area_km2),
                        ]);
                    }
                    table.render()
                }
            };
            (output.output, text)
        }
        Command::Stats {
            at, format, output, ..
        } => {
            let stats = atlas.at(at)?.stats();
            let text = match format {
                ListFormat::Json => output::json(&stats)?,
                ListFormat::Csv => stats.to_csv(),
                ListFormat::Table => output::stats_table(&stats),
            };
            (output.output, text)
        }
        Command::Locate {
            lat,
            lon,
            place,
            at,
            format,
            output,
        } => {
            let point = match (place, lat, lon) {
                (Some(name), _, _) => atlas.place(&name)?.point,
                (None, Some(lat), Some(lon)) => Point::new(lon, lat),
                _ => unreachable!("clap requires --place or both --lat and --lon"),
            };
            let location = atlas.locate(point, at)?;
            let text = match format {
                ReportFormat::Json => output::json(&location)?,
                ReportFormat::Table => output::location_table(&location),
            };
            (output.output, text)
        }
        Command::Export {
            at,
            layer,
            format,
            precision,
            output: Output { output: path },
        } => {
            let mut collection = atlas.at(at)?.export(layer);
            export::round_coordinates(&mut collection, precision.decimals);
            if format.is_none() && parquet::is_parquet(&path) {
                parquet::export(&collection, &path)?;
                return Ok(ExitCode::SUCCESS);
            }
            let format = match format {
                Some(ExportFormat::Geojson) => export::Format::GeoJson,
                Some(ExportFormat::Csv) => export::Format::CsvWkt,
                Some(ExportFormat::Fgb) => export::Format::FlatGeobuf,
                None => output::export_format(&path)?,
            };
            // FlatGeobuf names its layer: after the file, else after the layer.
            let layer_name = Layer::ALL
                .iter()
                .find(|(_, l)| *l == layer)
                .map_or("layer", |(name, _)| name);
            let name = match path.file_stem() {
                Some(stem) if path.as_os_str() != "-" => stem.to_string_lossy(),
                _ => layer_name.into(),
            };
            print_or_write(&path, &export::encode(&collection, format, &name)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Timeline {
            format,
            precision,
            output: path,
        } => {
            let mut collection = atlas.zones_timeline()?;
            export::round_coordinates(&mut collection, precision.decimals);
            if format.is_none() && parquet::is_parquet(&path) {
                parquet::export(&collection, &path)?;
                return Ok(ExitCode::SUCCESS);
            }
            let format = match format {
                Some(ExportFormat::Geojson) => export::Format::GeoJson,
                Some(ExportFormat::Csv) => export::Format::CsvWkt,
                Some(ExportFormat::Fgb) => export::Format::FlatGeobuf,
                None => output::export_format(&path)?,
            };
            print_or_write(&path, &export::encode(&collection, format, "zones")?)?;
            return Ok(ExitCode::SUCCESS);
        }
        #[cfg(feature = "sql")]
        Command::Sql(args) => {
            sql::run(std::sync::Arc::clone(atlas), args)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Diff {
            from,
            to,
            by,
            format,
            output,
        } => {
            let mut diff = atlas.diff(from, to)?;
            if by.is_some() {
                diff = diff.with_rayons(atlas);
            }
            let text = match format {
                DiffFormat::Json => output::json(&diff)?,
                DiffFormat::Csv => diff.to_csv(),
                DiffFormat::Geojson => format!("{}\n", diff.to_geojson()),
                DiffFormat::Table => output::diff_table(&diff),
            };
            (output.output, text)
        }
        Command::Series {
            from,
            to,
            format,
            output,
        } => {
            let series = atlas.series(from, to)?;
            if !quiet {
                output::note_clamped(&series);
            }
            let text = match format {
                ListFormat::Json => output::json(&series)?,
                ListFormat::Csv => series.to_csv(),
                ListFormat::Table => output::series_table(&series),
            };
            (output.output, text)
        }
        Command::Render {
            at,
            from,
            to,
            output: path,
            look,
            no_labels,
            bbox,
            projection,
        } => {
            let mut options = frontline_render::MapOptions::new()
                .size(look.width, look.height)
                .labels(!no_labels);
            options.bbox = bbox;
            options.title = look.title;
            options.projection = projection;
            let svg = match (at, from, to) {
                (Some(at), _, _) => frontline_render::render_map(&atlas.at(at)?, &options),
                (None, Some(from), Some(to)) => {
                    frontline_render::render_diff(&atlas.diff(from, to)?, atlas, &options)
                }
                _ => unreachable!("clap requires --at or both --from and --to"),
            };
            output::picture(&path, svg)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Chart {
            from,
            to,
            output: path,
            look,
        } => {
            let mut options = frontline_render::ChartOptions::new().size(look.width, look.height);
            options.title = look.title;
            let series = atlas.series(from, to)?;
            if !quiet {
                output::note_clamped(&series);
            }
            let svg = frontline_render::render_chart(&series, atlas, to, &options);
            output::picture(&path, svg)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Animate {
            from,
            to,
            every,
            output: path,
        } => {
            animate::run(atlas, from.zip(to), every, &path)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Classify {
            input,
            output: path,
            input_format,
            lat_col,
            lon_col,
            date_col,
            at,
        } => {
            let date = match (date_col, at) {
                (Some(column), _) => frontline::classify::DateSource::Column(column),
                (None, Some(day)) => frontline::classify::DateSource::Fixed(day),
                _ => unreachable!("clap requires --date-col or --at"),
            };
            let options = frontline::classify::ClassifyOptions::new(date)
                .lat_col(lat_col)
                .lon_col(lon_col);
            let format = match input_format {
                Some(InputFormat::Csv) => frontline::classify::InputFormat::Csv,
                Some(InputFormat::Geojson) => frontline::classify::InputFormat::GeoJson,
                None => frontline::classify::InputFormat::from_path(&input),
            };
            let summary = if parquet::is_parquet(&input) {
                parquet::classify(atlas, &input, &path, &options)?
            } else {
                output::classify(atlas, &input, &path, format, &options, quiet)?
            };
            if !quiet {
                output::classify_summary(&summary);
            }
            return Ok(ExitCode::SUCCESS);
        }
        Command::Route {
            id,
            at,
            exposure_km,
            format,
            output,
        } => {
            let report = atlas.route_report(&id, at, exposure_km)?;
            let text = match format {
                GeoFormat::Json => output::json(&report)?,
                GeoFormat::Geojson => format!("{}\n", report.to_geojson()),
                GeoFormat::Table => output::route_table(&report),
            };
            (output.output, text)
        }
        Command::Reach {
            from,
            to,
            at,
            side,
            format,
            output,
        } => {
            let reach = atlas.reach(&from, &to, at, &side)?;
            let text = match format {
                GeoFormat::Json => output::json(&reach)?,
                GeoFormat::Geojson => format!("{}\n", reach.to_geojson()),
                GeoFormat::Table => output::reach_table(&reach),
            };
            (output.output, text)
        }
        Command::Routes { format, output } => {
            let routes = atlas.route_summaries();
            let text = match format {
                ListFormat::Json => output::json(&routes)?,
                ListFormat::Csv => frontline::text::csv(&routes),
                ListFormat::Table => output::routes_table(&routes),
            };
            (output.output, text)
        }
        Command::Validate { .. } | Command::Completions { .. } | Command::Man { .. } => {
            unreachable!("handled before the data is opened")
        }
        #[cfg(feature = "serve")]
        Command::Serve(args) => return serve::serve(std::sync::Arc::clone(atlas), &args),
        #[cfg(feature = "serve")]
        Command::Atlas(args) => {
            serve::write_atlas(atlas, &args)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    print_or_write(&path, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn layer_values_come_from_the_library() {
        let command = Cli::command();
        let export = command.find_subcommand("export").unwrap();
        let layer = export
            .get_arguments()
            .find(|a| a.get_id() == "layer")
            .unwrap();
        let values: Vec<String> = layer
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_owned())
            .collect();
        let expected: Vec<&str> = Layer::ALL.iter().map(|(name, _)| *name).collect();
        assert_eq!(values, expected);
    }
}
