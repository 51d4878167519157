//! Printing results: JSON, aligned tables, and files written atomically.

use std::io::Write;
use std::path::Path;

use frontline::stats::Stats;
use frontline::validate::Report;
use frontline::Location;
use frontline::{Diff, Series};

/// Pretty JSON with a final newline, as the library writes it for every
/// front end.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    frontline::text::json(value).map_err(|e| CliError::Output(format!("JSON output: {e}")))
}

/// Writes `bytes`, exactly, to standard output for `-`, else to the file
/// (see [`frontline::io::write_atomic`]).
pub fn print_or_write(path: &Path, bytes: &[u8]) -> frontline::Result<()> {
    if path.as_os_str() == "-" {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|source| frontline::Error::Io {
                path: "standard output".into(),
                source,
            })
    } else {
        frontline::io::write_atomic(path, bytes)
    }
}

/// A plain text table with left-aligned columns.
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<const N: usize>(header: [&str; N]) -> Self {
        Table {
            rows: vec![header.iter().map(|h| h.to_string()).collect()],
        }
    }

    pub fn row<const N: usize>(&mut self, cells: [String; N]) {
        self.rows.push(cells.to_vec());
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &self.rows {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

pub fn stats_table(stats: &Stats) -> String {
    let mut out = format!("{} (snapshot {})\n", stats.date, stats.snapshot);
    let mut table = Table::new(["controller", "name", "area_km2"]);
    for c in &stats.controllers {
        table.row([c.id.clone(), c.name.clone(), format!("{:.1}", c.area_km2)]);
    }
    for o in &stats.overlays {
        table.row([
            format!("overlay {}", o.id),
            String::new(),
            format!("{:.1}", o.area_km2),
        ]);
    }
    out.push_str(&table.render());
    out
}

pub fn location_table(location: &Location) -> String {
    let or_none = |value: &Option<String>| {
        value
            .clone()
            .unwrap_or_else(|| "(outside the region)".to_owned())
    };
    let mut table = Table::new(["date", &location.date.to_string()]);
    table.row([
        "lat, lon".to_owned(),
        format!("{}, {}", location.lat, location.lon),
    ]);
    table.row(["controller".to_owned(), or_none(&location.controller)]);
    table.row(["de_jure".to_owned(), or_none(&location.de_jure)]);
    table.row(["rayon".to_owned(), or_none(&location.rayon)]);
    table.row(["overlays".to_owned(), location.overlays.join(", ")]);
    let near = |n: &Option<frontline::nearest::Nearby>| {
        n.as_ref()
            .map_or("-".to_owned(), |n| format!("{} ({:.2} km)", n.id, n.km))
    };
    table.row([
        "nearest other side".to_owned(),
        near(&location.nearest_other),
    ]);
    table.row(["nearest route".to_owned(), near(&location.nearest_route)]);
    table.render()
}

pub fn validation(report: &Report, format: crate::ReportFormat) -> Result<String, CliError> {
    if format == crate::ReportFormat::Json {
        return json(report);
    }
    let mut out = String::new();
    for problem in &report.problems {
        out.push_str(&format!("problem: {problem}\n"));
    }
    let counts: Vec<String> = report
        .counts
        .iter()
        .map(|(layer, n)| format!("{n} {layer}"))
        .collect();
    if !counts.is_empty() {
        out.push_str(&format!("read {}\n", counts.join(", ")));
    }
    for p in &report.partitions {
        out.push_str(&format!(
            "snapshot {}: gaps {:.5} km², outside {:.5} km², overlaps {:.5} km²\n",
            p.snapshot, p.gap_km2, p.outside_km2, p.overlap_km2
        ));
    }
    if report.is_ok() {
        out.push_str("ok: no problems\n");
    } else {
        out.push_str(&format!("{} problem(s)\n", report.problems.len()));
    }
    Ok(out)
}

pub fn diff_table(diff: &Diff) -> String {
    let mut out = format!("{} -> {}\n", diff.from, diff.to);
    let mut table = Table::new(["from", "to", "area_km2"]);
    for t in &diff.transitions {
        table.row([t.from.clone(), t.to.clone(), format!("{:.1}", t.area_km2)]);
        for part in t.by_rayon.iter().flatten() {
            table.row([
                String::new(),
                format!("  in {}", part.rayon),
                format!("{:.1}", part.area_km2),
            ]);
        }
    }
    table.row([
        "unchanged".to_owned(),
        String::new(),
        format!("{:.1}", diff.unchanged_km2),
    ]);
    table.row([
        "total".to_owned(),
        String::new(),
        format!("{:.1}", diff.total_km2),
    ]);
    out.push_str(&table.render());
    out
}

/// One row per date: date, snapshot and km² per controller.
pub fn series_table(series: &Series) -> String {
    let mut rows = vec![["date", "snapshot"]
        .into_iter()
        .map(str::to_owned)
        .chain(series.controllers.iter().cloned())
        .collect::<Vec<_>>()];
    for row in &series.rows {
        rows.push(
            [row.date.to_string(), row.snapshot.clone()]
                .into_iter()
                .chain(row.areas_km2.iter().map(|a| format!("{a:.1}")))
                .collect(),
        );
    }
    Table { rows }.render()
}

/// The routes with validity and length.
pub fn routes_table(routes: &[frontline::route::RouteSummary]) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map_or("-".to_owned(), |d| d.to_string());
    let mut table = Table::new(["id", "from", "until", "km", "name"]);
    for r in routes {
        table.row([
            r.id.clone(),
            day(r.valid_from),
            day(r.valid_to),
            format!("{:.1}", r.length_km),
            r.name.clone(),
        ]);
    }
    table.render()
}

/// The completion script for `shell`, from the command's definitions.
pub fn completions(shell: crate::Shell) -> Vec<u8> {
    use clap::CommandFactory;
    use clap_complete::Shell;
    let shell = match shell {
        crate::Shell::Bash => Shell::Bash,
        crate::Shell::Zsh => Shell::Zsh,
        crate::Shell::Fish => Shell::Fish,
        crate::Shell::Powershell => Shell::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::Cli::command(), "frontline", &mut script);
    script
}

/// The roff manual page of `frontline`, or of one of its commands
/// (`frontline-COMMAND`).
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, CliError> {
    use clap::CommandFactory;
    let mut cli = crate::Cli::command();
    // Propagates the global options and the version to the commands.
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => {
            let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
            let Some(sub) = cli.find_subcommand(name) else {
                return Err(CliError::Output(format!(
                    "man: unknown command {name:?}: expected one of {}",
                    names.join(", ")
                )));
            };
            let title = format!("frontline-{}", sub.get_name());
            sub.clone().name(title.clone()).display_name(title)
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .source(format!("frontline {}", env!("CARGO_PKG_VERSION")))
        .render(&mut roff)
        .map_err(|e| CliError::Output(format!("man page: {e}")))?;
    Ok(roff)
}

/// Says on standard error that a series starts later than asked.
pub fn note_clamped(series: &Series) {
    if let (Some(asked), Some(first)) = (series.clamped_from, series.rows.first()) {
        eprintln!(
            "note: the data starts on {}: the series starts there, not on {asked}",
            first.date
        );
    }
}

/// On standard error, what reading the data repaired, skipped or found
/// odd (dated archives), the way `validate` lists it.
pub fn notes(atlas: &frontline::Atlas) {
    for repair in atlas.repairs() {
        eprintln!("repaired: {repair}");
    }
    for problem in atlas.unreadable() {
        eprintln!("skipped: {problem}");
    }
    for warning in atlas.warnings() {
        eprintln!("warning: {warning}");
    }
}

pub fn archive_validation(
    reports: &[frontline::archive::FileReport],
    format: crate::ReportFormat,
) -> Result<String, CliError> {
    if format == crate::ReportFormat::Json {
        return json(reports);
    }
    let mut table = Table::new([
        "file", "date", "features", "area_km2", "repairs", "problems",
    ]);
    for r in reports {
        let date = r.date.map_or("-".to_owned(), |d| d.to_string());
        table.row([
            r.file.clone(),
            date,
            r.features.to_string(),
            format!("{:.3}", r.area_km2),
            r.repairs.len().to_string(),
            r.problems.len().to_string(),
        ]);
    }
    let mut out = table.render();
    for r in reports {
        for repair in &r.repairs {
            out.push_str(&format!("repaired: {repair}\n"));
        }
        for problem in &r.problems {
            out.push_str(&format!("problem: {problem}\n"));
        }
        for warning in &r.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
    }
    let bad = reports.iter().filter(|r| !r.problems.is_empty()).count();
    let odd = reports.iter().filter(|r| !r.warnings.is_empty()).count();
    out.push_str(&format!(
        "{} file(s), {} with problems, {} with warnings\n",
        reports.len(),
        bad,
        odd
    ));
    Ok(out)
}

/// Any error a command can end with; printed as one line.
#[derive(Debug)]
pub enum CliError {
    Frontline(frontline::Error),
    Render(frontline_render::RenderError),
    Output(String),
}

impl CliError {
    /// The next step, for a library error the command line can help with.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::Frontline(error) => crate::hint::hint(error),
            _ => None,
        }
    }

    /// Writing failed because the reader of the output has gone.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Frontline(frontline::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Frontline(e) => e.fmt(f),
            CliError::Render(e) => e.fmt(f),
            CliError::Output(e) => f.write_str(e),
        }
    }
}

impl From<frontline::Error> for CliError {
    fn from(e: frontline::Error) -> Self {
        CliError::Frontline(e)
    }
}

impl From<frontline_render::RenderError> for CliError {
    fn from(e: frontline_render::RenderError) -> Self {
        match e {
            frontline_render::RenderError::Frontline(e) => CliError::Frontline(e),
            e => CliError::Render(e),
        }
    }
}

/// The export format a file name asks for: by its extension; GeoJSON for
/// `-` and names without one. An unknown extension is an error.
pub fn export_format(path: &Path) -> Result<frontline::export::Format, CliError> {
    use frontline::export::Format;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase);
    match extension.as_deref() {
        None | Some("geojson" | "json") => Ok(Format::GeoJson),
        Some("csv") => Ok(Format::CsvWkt),
        Some("fgb") => Ok(Format::FlatGeobuf),
        Some(other) => Err(CliError::Output(format!(
            "{}: unknown output extension .{other}: expected .geojson, .json, .csv or .fgb (or pass --format)",
            path.display()
        ))),
    }
}

/// Writes an SVG, or its PNG rendering; the extension decides. Standard
/// output (`-`) and what is no regular file (`/dev/stdout`, a FIFO) without
/// an extension get SVG.
pub fn picture(path: &Path, svg: frontline_render::Result<String>) -> Result<(), CliError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase);
    let stream = path.as_os_str() == "-"
        || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    let bytes = match extension.as_deref() {
        Some("svg") => svg?.into_bytes(),
        Some("png") => frontline_render::svg_to_png(&svg?)?,
        None if stream => svg?.into_bytes(),
        _ => {
            return Err(CliError::Output(format!(
                "{}: expected an output file ending in .svg or .png",
                path.display()
            )))
        }
    };
    print_or_write(path, &bytes).map_err(CliError::Frontline)
}

/// Runs `classify_csv` between files or standard streams, with a progress bar
/// on a terminal; a file output is written atomically.
pub fn classify(
    atlas: &frontline::Atlas,
    input: &Path,
    output: &Path,
    format: frontline::classify::InputFormat,
    options: &frontline::classify::ClassifyOptions,
    quiet: bool,
) -> Result<frontline::classify::Summary, CliError> {
    use std::io::IsTerminal;
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {human_pos} rows, {per_sec}")
                .expect("a valid template"),
        );
        bar
    });
    let progress = |rows: u64| {
        if let Some(bar) = &bar {
            bar.set_position(rows);
        }
    };
    let reader: Box<dyn std::io::Read + Send> = if input.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(input).map_err(|source| frontline::Error::Io {
                path: input.to_path_buf(),
                source,
            })?,
        )
    };
    let reader = std::io::BufReader::with_capacity(1 << 20, reader);
    let summary = classify_to(atlas, reader, output, format, options, progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // The library cannot know the names of the input and output: errors
    // about them get them here.
    let name = |path: &Path, stream: &str| {
        if path.as_os_str() == "-" {
            stream.to_owned()
        } else {
            path.display().to_string()
        }
    };
    summary.map_err(|error| match error {
        CliError::Frontline(frontline::Error::BadInput(mut problem)) => {
            problem.file = name(input, "standard input");
            CliError::Frontline(frontline::Error::BadInput(problem))
        }
        CliError::Frontline(frontline::Error::Io { path, source }) => {
            use frontline::classify::{CSV_INPUT, CSV_OUTPUT, GEOJSON_INPUT, GEOJSON_OUTPUT};
            let path = if path == Path::new(CSV_INPUT) || path == Path::new(GEOJSON_INPUT) {
                name(input, "standard input").into()
            } else if path == Path::new(CSV_OUTPUT) || path == Path::new(GEOJSON_OUTPUT) {
                name(output, "standard output").into()
            } else {
                path
            };
            CliError::Frontline(frontline::Error::Io { path, source })
        }
        CliError::Frontline(frontline::Error::Csv { source, .. }) => {
            CliError::Frontline(frontline::Error::Csv {
                input: name(input, "standard input"),
                source,
            })
        }
        other => other,
    })
}

/// Classifies `reader` into standard output for `-`, else atomically into
/// the file.
fn classify_to(
    atlas: &frontline::Atlas,
    reader: impl std::io::Read + Send,
    output: &Path,
    format: frontline::classify::InputFormat,
    options: &frontline::classify::ClassifyOptions,
    progress: impl FnMut(u64),
) -> Result<frontline::classify::Summary, CliError> {
    Ok(if output.as_os_str() == "-" {
        frontline::classify::classify(
            atlas,
            reader,
            std::io::BufWriter::new(std::io::stdout().lock()),
            format,
            options,
            progress,
        )?
    } else {
        let mut result = None;
        let mut failure = None;
        let written = frontline::io::write_atomic_with(output, |file| {
            match frontline::classify::classify(
                atlas,
                reader,
                std::io::BufWriter::with_capacity(1 << 20, file),
                format,
                options,
                progress,
            ) {
                Ok(summary) => {
                    result = Some(summary);
                    Ok(())
                }
                Err(error) => {
                    let message = error.to_string();
                    failure = Some(error);
                    Err(std::io::Error::other(message))
                }
            }
        });
        if let Some(error) = failure {
            return Err(error.into());
        }
        written?;
        result.expect("set when the write succeeded")
    })
}

pub fn classify_summary(summary: &frontline::classify::Summary) {
    let per: Vec<String> = summary
        .per_controller
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    eprintln!(
        "{} rows, {} with errors; {}",
        summary.rows,
        summary.errors,
        if per.is_empty() {
            "none classified".to_owned()
        } else {
            per.join(", ")
        }
    );
}

pub fn route_table(report: &frontline::route::RouteReport) -> String {
    let mut out = format!(
        "{} on {}: {:.1} km, {:?}{}\n",
        report.id,
        report.date,
        report.length_km,
        report.status,
        if report.status_events.is_empty() {
            String::new()
        } else {
            format!(" ({})", report.status_events.join(", "))
        }
    );
    if let Some(share) = report.in_corridor_share {
        out.push_str(&format!("in its corridor: {:.1} %\n", share * 100.0));
    }
    out.push_str(&format!(
        "within {} km of another side's ground: {:.1} km\n",
        report.exposure_within_km, report.exposure_km
    ));
    let mut table = Table::new(["from_km", "km", "controller", "de_jure", "overlays"]);
    for s in &report.segments {
        table.row([
            format!("{:.1}", s.from_km),
            format!("{:.2}", s.length_km),
            s.controller.clone().unwrap_or_else(|| "-".into()),
            s.de_jure.clone().unwrap_or_else(|| "-".into()),
            s.overlays.join(", "),
        ]);
    }
    out.push_str(&table.render());
    out
}

pub fn reach_table(reach: &frontline::reach::Reach) -> String {
    let mut out = String::new();
    if reach.reachable {
        out.push_str(&format!(
            "{} → {} on {} for {}: reachable, {:.1} km\n",
            reach.from,
            reach.to,
            reach.date,
            reach.side,
            reach.length_km.unwrap_or(0.0)
        ));
        out.push_str(&format!("via: {}\n", reach.path.join(" → ")));
    } else {
        out.push_str(&format!(
            "{} → {} on {} for {}: not reachable\n",
            reach.from, reach.to, reach.date, reach.side
        ));
        out.push_str(&format!(
            "why: {}\n",
            reach.reason.clone().unwrap_or_default()
        ));
        if !reach.path.is_empty() {
            out.push_str(&format!("the road there: {}\n", reach.path.join(" → ")));
        }
    }
    out
}
