//! `frontline`: a thin command line over the `frontline` library. Every
//! command parses its arguments, makes one library call and prints the result.

/// `print!` to standard output that never panics: when the reader has gone
/// (`| head`) the process ends quietly, as a pipeline expects.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))
    };
}

/// `println!` after the manner of [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        out!($($arg)*);
        out!("\n");
    }};
}

mod animate;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use frontline::archive::ArchiveOptions;
use frontline::export::{self, Layer};
use frontline::ingest::Strictness;
use frontline::{parse_date, Atlas, DataSource};
use geo::Point;

use output::{print_or_write, Table};

/// Territorial control maps: who holds what, where, and since when.
#[derive(Parser)]
#[command(name = "frontline", version, about, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    data: DataArgs,
    #[command(subcommand)]
    command: Command,
}

/// Where the data comes from: the bundled dataset, a dataset directory, or a
/// dated archive of one side's ground.
#[derive(clap::Args)]
struct DataArgs {
    /// Load the dataset from this directory (holding manifest.json) instead of
    /// the bundled Nagorno-Karabakh one.
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "archive")]
    data: Option<PathBuf>,
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
        ArchiveOptions {
            side: self.side.clone().unwrap_or_default(),
            date_pattern: self.date_pattern.clone(),
            strictness: if self.strict {
                Strictness::Strict
            } else {
                Strictness::Repair
            },
            skip_bad: self.skip_bad,
            region: self.region.clone(),
        }
    }

    fn open(&self) -> frontline::Result<Atlas> {
        match (&self.archive, &self.data) {
            (Some(dir), _) => Atlas::open_archive(dir, &self.archive_options()),
            (None, Some(dir)) => Atlas::load(DataSource::Directory(dir.clone())),
            (None, None) => Atlas::load(DataSource::Embedded),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Table,
    Json,
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SeriesFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// List the dated snapshots of the dataset.
    Snapshots {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Area held by each controller on a date (geodesic, km²).
    Stats {
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        at: chrono::NaiveDate,
        /// Break each side's ground down by de jure territory (whose land it holds).
        #[arg(long)]
        by_de_jure: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Who holds a point on a date, and whose territory it is.
    Locate {
        /// Latitude, degrees north.
        #[arg(
            long,
            requires = "lon",
            conflicts_with = "place",
            allow_negative_numbers = true
        )]
        lat: Option<f64>,
        /// Longitude, degrees east.
        #[arg(long, requires = "lat", allow_negative_numbers = true)]
        lon: Option<f64>,
        /// A bundled place by name, id or alias (e.g. Khankendi).
        #[arg(long, required_unless_present = "lat")]
        place: Option<String>,
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        at: chrono::NaiveDate,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Write a layer as it stands on a date: RFC 7946 GeoJSON, CSV with WKT,
    /// or FlatGeobuf (opens directly in QGIS, geopandas and DuckDB).
    Export {
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        at: chrono::NaiveDate,
        /// zones, overlays, routes, places, de_jure or admin1.
        #[arg(long, default_value = "zones", value_parser = layer)]
        layer: Layer,
        /// Output format; by default from the file extension (.geojson, .json,
        /// .csv, .fgb; GeoJSON for standard output or a name without one).
        #[arg(long, value_enum)]
        format: Option<ExportFormat>,
        /// Output file, or - for standard output.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
    /// What changed hands between two dates (geodesic km² per transition).
    Diff {
        /// First date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        from: chrono::NaiveDate,
        /// Second date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        to: chrono::NaiveDate,
        /// Break each transition down by admin-1 unit.
        #[arg(long, value_parser = ["rayon"])]
        by: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: DiffFormat,
        /// Output file, or - for standard output.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
    /// Area per controller at every change of control between two dates.
    Series {
        /// First date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        from: chrono::NaiveDate,
        /// Last date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        to: chrono::NaiveDate,
        #[arg(long, value_enum, default_value = "csv")]
        format: SeriesFormat,
    },
    /// Draw the control map on a date (--at), or the diff map between two
    /// dates (--from, --to), as SVG or PNG (chosen by the output's extension).
    Render {
        /// Date of the map, YYYY-MM-DD.
        #[arg(long, value_parser = date, required_unless_present_all = ["from", "to"], conflicts_with_all = ["from", "to"])]
        at: Option<chrono::NaiveDate>,
        /// First date of a diff map.
        #[arg(long, value_parser = date, requires = "to")]
        from: Option<chrono::NaiveDate>,
        /// Second date of a diff map.
        #[arg(long, value_parser = date, requires = "from")]
        to: Option<chrono::NaiveDate>,
        /// Output file: .svg or .png.
        #[arg(short, long)]
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
        #[arg(long)]
        projection: Option<String>,
    },
    /// Step chart of the area each side held over time, with the dated events.
    Chart {
        /// First date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        from: chrono::NaiveDate,
        /// Last date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        to: chrono::NaiveDate,
        /// Output file: .svg or .png.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        look: Look,
    },
    /// Animate the control map from one date to another, a frame a step, with
    /// the areas and the events of each step, as GIF or APNG (by the output's
    /// extension: .gif, .png, .apng); by default the 2020 war, weekly.
    Animate {
        /// First frame's date (default: the start of the dataset's longest offensive).
        #[arg(long, value_parser = date, requires = "to")]
        from: Option<chrono::NaiveDate>,
        /// Last frame's date.
        #[arg(long, value_parser = date, requires = "from")]
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
    #[command(group(clap::ArgGroup::new("when").required(true).args(["date_col", "at"])))]
    Classify {
        /// Input CSV or GeoJSON, or - for standard input.
        input: PathBuf,
        /// Output, in the input's format, or - for standard output.
        #[arg(short, long)]
        output: PathBuf,
        /// Input format [default: from the extension: .geojson/.json, else csv].
        #[arg(long, value_enum)]
        input_format: Option<InputFormat>,
        /// CSV column holding latitudes.
        #[arg(long, default_value = "lat")]
        lat_col: String,
        /// CSV column holding longitudes.
        #[arg(long, default_value = "lon")]
        lon_col: String,
        /// Column (GeoJSON: property) holding each row's date (YYYY-MM-DD).
        #[arg(long)]
        date_col: Option<String>,
        /// One date for every row.
        #[arg(long, value_parser = date)]
        at: Option<chrono::NaiveDate>,
    },
    /// A route on a date: through whose ground it runs, whether it is open,
    /// its corridor share and its exposure to other sides' ground.
    Route {
        /// Route id (see `frontline routes`).
        id: String,
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        at: chrono::NaiveDate,
        /// Exposure: length within this many km of ground held by another side.
        #[arg(long, default_value_t = 2.0, value_name = "KM", allow_negative_numbers = true, value_parser = distance_km)]
        exposure_km: f64,
        #[arg(long, value_enum, default_value = "table")]
        format: DiffFormat,
    },
    /// Can a traveller of one side get from one place to another on a date?
    Reach {
        /// Start place (name, id or alias).
        #[arg(long)]
        from: String,
        /// End place.
        #[arg(long)]
        to: String,
        /// Date, YYYY-MM-DD.
        #[arg(long, value_parser = date)]
        at: chrono::NaiveDate,
        /// The traveller's side (a controller id, e.g. armenia).
        #[arg(long = "as", id = "traveller", value_name = "SIDE")]
        side: String,
        #[arg(long, value_enum, default_value = "table")]
        format: DiffFormat,
    },
    /// List the routes with their validity and length.
    Routes {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Check a dataset: every file, feature, id, polygon and partition.
    Validate {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
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

fn layer(text: &str) -> Result<Layer, String> {
    text.parse().map_err(|e: frontline::Error| e.to_string())
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
    remove_temp_files_on_signals();
    let cli = match Cli::try_parse() {
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
    match run(cli) {
        Ok(code) => code,
        // The reader of standard output has gone (`| head`): nothing is wrong.
        Err(error) if error.is_broken_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, output::CliError> {
    cli.data.check()?;
    if let (Command::Validate { format }, Some(dir)) = (&cli.command, &cli.data.archive) {
        let reports = frontline::archive::validate_archive(dir, &cli.data.archive_options())?;
        output::archive_validation(&reports, *format == Format::Json);
        let bad = reports.iter().any(|r| !r.problems.is_empty());
        return Ok(if bad {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    if let Command::Validate { format } = cli.command {
        let source = cli
            .data
            .data
            .map_or(DataSource::Embedded, DataSource::Directory);
        let report = Atlas::validate(source)?;
        output::validation(&report, format == Format::Json);
        return Ok(if report.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let atlas = cli.data.open()?;
    let code = command(&atlas, cli.command)?;
    output::notes(&atlas);
    Ok(code)
}

fn command(atlas: &Atlas, command: Command) -> Result<ExitCode, output::CliError> {
    match command {
        Command::Snapshots { format } => {
            let snapshots = atlas.snapshots();
            match format {
                Format::Json => output::json(&snapshots),
                Format::Table => {
                    let mut table = Table::new(["id", "from", "until", "label"]);
                    for s in &snapshots {
                        let until = s.until.map_or("-".to_owned(), |d| d.to_string());
                        table.row([s.id.clone(), s.date.to_string(), until, s.label.clone()]);
                    }
                    table.print();
                }
            }
        }
        Command::Stats {
            at,
            by_de_jure: true,
            format,
        } => {
            let rows = atlas.at(at)?.area_by_de_jure();
            match format {
                Format::Json => output::json(&rows),
                Format::Table => {
                    let mut table = Table::new(["controller", "de jure", "km²"]);
                    for row in &rows {
                        table.row([
                            row.controller.clone(),
                            row.country.clone(),
                            format!("{:.1}", row.area_km2),
                        ]);
                    }
                    table.print();
                }
            }
        }
        Command::Stats { at, format, .. } => {
            let stats = atlas.at(at)?.stats();
            match format {
                Format::Json => output::json(&stats),
                Format::Table => output::stats_table(&stats),
            }
        }
        Command::Locate {
            lat,
            lon,
            place,
            at,
            format,
        } => {
            let point = match (place, lat, lon) {
                (Some(name), _, _) => atlas.place(&name)?.point,
                (None, Some(lat), Some(lon)) => Point::new(lon, lat),
                _ => unreachable!("clap requires --place or both --lat and --lon"),
            };
            let location = atlas.locate(point, at)?;
            match format {
                Format::Json => output::json(&location),
                Format::Table => output::location_table(&location),
            }
        }
        Command::Export {
            at,
            layer,
            format,
            output: path,
        } => {
            let format = match format {
                Some(ExportFormat::Geojson) => export::Format::GeoJson,
                Some(ExportFormat::Csv) => export::Format::CsvWkt,
                Some(ExportFormat::Fgb) => export::Format::FlatGeobuf,
                None => output::export_format(&path)?,
            };
            let collection = atlas.at(at)?.export(layer);
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
        }
        Command::Diff {
            from,
            to,
            by,
            format,
            output: path,
        } => {
            let mut diff = atlas.diff(from, to)?;
            if by.is_some() {
                diff = diff.with_rayons(atlas);
            }
            let text = match format {
                DiffFormat::Json => output::to_json(&diff),
                DiffFormat::Geojson => diff.to_geojson().to_string(),
                DiffFormat::Table => output::diff_table(&diff),
            };
            print_or_write(&path, format!("{}\n", text.trim_end()).as_bytes())?;
        }
        Command::Series { from, to, format } => {
            let series = atlas.series(from, to)?;
            output::note_clamped(&series);
            match format {
                SeriesFormat::Json => output::json(&output::series_json(&series)),
                SeriesFormat::Csv => out!("{}", output::series_csv(&series)),
            }
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
            let options = frontline_render::MapOptions {
                width: look.width,
                height: look.height,
                bbox,
                title: look.title,
                labels: !no_labels,
                projection,
            };
            let svg = match (at, from, to) {
                (Some(at), _, _) => frontline_render::render_map(&atlas.at(at)?, &options),
                (None, Some(from), Some(to)) => {
                    frontline_render::render_diff(&atlas.diff(from, to)?, atlas, &options)
                }
                _ => unreachable!("clap requires --at or both --from and --to"),
            };
            output::picture(&path, svg)?;
        }
        Command::Chart {
            from,
            to,
            output: path,
            look,
        } => {
            let options = frontline_render::ChartOptions {
                width: look.width,
                height: look.height,
                title: look.title,
            };
            let series = atlas.series(from, to)?;
            output::note_clamped(&series);
            let svg = frontline_render::render_chart(&series, atlas, to, &options);
            output::picture(&path, svg)?;
        }
        Command::Animate {
            from,
            to,
            every,
            output: path,
        } => animate::run(atlas, from.zip(to), every, &path)?,
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
            let options = frontline::classify::ClassifyOptions {
                lat_col,
                lon_col,
                date,
            };
            let format = match input_format {
                Some(InputFormat::Csv) => frontline::classify::InputFormat::Csv,
                Some(InputFormat::Geojson) => frontline::classify::InputFormat::GeoJson,
                None => frontline::classify::InputFormat::from_path(&input),
            };
            let summary = output::classify(atlas, &input, &path, format, &options)?;
            output::classify_summary(&summary);
        }
        Command::Route {
            id,
            at,
            exposure_km,
            format,
        } => {
            let report = atlas.route_report(&id, at, exposure_km)?;
            match format {
                DiffFormat::Json => output::json(&report),
                DiffFormat::Geojson => outln!("{}", output::route_geojson(&report)),
                DiffFormat::Table => output::route_table(&report),
            }
        }
        Command::Reach {
            from,
            to,
            at,
            side,
            format,
        } => {
            let reach = atlas.reach(&from, &to, at, &side)?;
            match format {
                DiffFormat::Json => output::json(&reach),
                DiffFormat::Geojson => outln!("{}", output::reach_geojson(&reach)),
                DiffFormat::Table => output::reach_table(&reach),
            }
        }
        Command::Routes { format } => {
            let rows: Vec<serde_json::Value> = atlas
                .routes()
                .iter()
                .map(|r| serde_json::json!({"id": r.id, "name": r.name, "valid_from": r.validity.from, "valid_to": r.validity.to, "corridor": r.corridor, "length_km": frontline::geometry::length_km(&r.line)}))
                .collect();
            match format {
                Format::Json => output::json(&rows),
                Format::Table => {
                    let mut table = Table::new(["id", "from", "until", "km", "name"]);
                    for r in atlas.routes() {
                        let day = |d: Option<chrono::NaiveDate>| {
                            d.map_or("-".to_owned(), |d| d.to_string())
                        };
                        table.row([
                            r.id.clone(),
                            day(r.validity.from),
                            day(r.validity.to),
                            format!("{:.1}", frontline::geometry::length_km(&r.line)),
                            r.name.clone(),
                        ]);
                    }
                    table.print();
                }
            }
        }
        Command::Validate { .. } => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}
