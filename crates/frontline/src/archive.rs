//! Dated archives: a folder of GeoJSON files, one per date, each holding the
//! ground one side held on that date, opened as an [`crate::Atlas`]
//! ([`crate::Atlas::open_archive`]) so every query works on it unchanged.
//!
//! The side holds the union of a file's polygons from the file's date until
//! the next file's. Its id is [`side_id`] of its display name; queries take
//! either.
//!
//! - **With a region** ([`ArchiveOptions::region`]) the atlas has two
//!   controllers: the side, and [`OTHER`] holding the rest of the region.
//!   Stats, series and diffs cover both.
//! - **Without a region** only the side's ground is known, and the side is
//!   the only controller: `stats` and `series` list it alone, and asking for
//!   the area of `other` is an error ([`crate::Error::UnknownId`]), not
//!   0 km². Diffs still say where the side's ground came from or went to:
//!   ground it gains or loses is a transition from or to `other`
//!   ([`crate::Atlas::rest_controller`]), which stands for "not the side's"
//!   and has no area of its own.
//!
//! Listing dates reads file names only; a snapshot's file is read when first
//! needed.

// Without the `archive` feature only what an archive atlas needs to read its
// files is compiled; the imports of the rest go unused.
#![cfg_attr(not(feature = "archive"), allow(unused_imports, dead_code))]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::{BooleanOps, MultiPolygon};
#[cfg(feature = "archive")]
use regex::Regex;

use crate::error::{Error, Problem, Result};
use crate::ingest::{read_bytes, read_polygons, Strictness};
use crate::model::{Controller, Snapshot, Territory, Zone};

/// Id of what holds whatever the side does not: a controller with a region,
/// only the other end of diff transitions without one (see the module docs).
pub const OTHER: &str = "other";

#[cfg(feature = "archive")]
/// How to read an archive: [`ArchiveOptions::new`] with the side, then the
/// setters for what differs from the defaults.
///
/// ```
/// use frontline::archive::ArchiveOptions;
/// let options = ArchiveOptions::new("Russia").skip_bad(true).region("region.geojson");
/// assert_eq!(options.side, "Russia");
/// assert!(options.skip_bad && options.date_pattern.is_none());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ArchiveOptions {
    /// Display name of the side whose ground the files hold, e.g. `Russia`.
    pub side: String,
    /// A regex with named groups `y`, `m`, `d` that finds the date in a file
    /// name; by default `YYYYMMDD`, `YYYY-MM-DD` or `YYYY_MM_DD` (the last one
    /// in the name).
    pub date_pattern: Option<String>,
    /// Refuse files that need repairs instead of repairing them.
    pub strictness: Strictness,
    /// Skip (and report) files that cannot be read instead of failing.
    pub skip_bad: bool,
    /// A GeoJSON file whose polygons are the whole region (side + other).
    pub region: Option<PathBuf>,
}

#[cfg(feature = "archive")]
impl ArchiveOptions {
    /// Options for a side with every default.
    pub fn new(side: impl Into<String>) -> Self {
        ArchiveOptions {
            side: side.into(),
            date_pattern: None,
            strictness: Strictness::Repair,
            skip_bad: false,
            region: None,
        }
    }

    /// The regex that finds the date in a file name (named groups `y`, `m`,
    /// `d`).
    pub fn date_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.date_pattern = Some(pattern.into());
        self
    }

    /// Whether files that need repairs are refused or repaired.
    pub fn strictness(mut self, strictness: Strictness) -> Self {
        self.strictness = strictness;
        self
    }

    /// Whether files that cannot be read are skipped (and reported).
    pub fn skip_bad(mut self, skip_bad: bool) -> Self {
        self.skip_bad = skip_bad;
        self
    }

    /// The GeoJSON file whose polygons are the whole region.
    pub fn region(mut self, path: impl Into<PathBuf>) -> Self {
        self.region = Some(path.into());
        self
    }
}

/// What an archive atlas needs beyond the common fields.
#[derive(Debug)]
pub(crate) struct ArchiveSettings {
    side: String,
    strictness: Strictness,
    region: Option<MultiPolygon<f64>>,
    pub(crate) skip_bad: bool,
    /// What was left out or found odd: files skipped when opening (keyed
    /// `None`), then for each file read, keyed by its date, an empty one or
    /// ground outside the region. Files are read in parallel, so the list is
    /// put in key order when it is handed out.
    pub(crate) warnings: std::sync::Mutex<Vec<(Option<NaiveDate>, Problem)>>,
}

/// A file of the archive with the date its name gives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveFile {
    /// File name, relative to the archive directory.
    pub name: String,
    /// Date from the name.
    pub date: NaiveDate,
}

/// The id a side's display name gets: lower case, `[a-z0-9_]` only.
///
/// ```
/// assert_eq!(frontline::archive::side_id("Russian Federation"), "russian_federation");
/// ```
pub fn side_id(name: &str) -> String {
    let id: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if id.is_empty() || id == OTHER {
        "side".to_owned()
    } else {
        id
    }
}

#[cfg(feature = "archive")]
/// Lists the archive's dated files, sorted by date, reading no geometry.
/// Files whose name has no date are problems (listed in the second value).
pub fn list_files(
    dir: &Path,
    date_pattern: Option<&str>,
) -> Result<(Vec<ArchiveFile>, Vec<Problem>)> {
    let pattern = date_regex(date_pattern)?;
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let lower = name.to_lowercase();
        if !(lower.ends_with(".geojson")
            || lower.ends_with(".json")
            || lower.ends_with(".geojson.gz")
            || lower.ends_with(".json.gz"))
        {
            continue;
        }
        match date_in_name(&pattern, &name) {
            Ok(date) => files.push(ArchiveFile { name, date }),
            Err(Some(text)) => problems.push(Problem::file(
                &name,
                format!("invalid date {text} in the file name: no such day"),
            )),
            Err(None) => problems.push(Problem::file(&name, "no date in the file name; expected YYYYMMDD, YYYY-MM-DD or YYYY_MM_DD, or a date pattern with groups (?P<y>…)(?P<m>…)(?P<d>…)")),
        }
    }
    files.sort_by(|a, b| a.date.cmp(&b.date).then(a.name.cmp(&b.name)));
    for pair in files.windows(2) {
        if pair[0].date == pair[1].date {
            problems.push(Problem::file(
                &pair[1].name,
                format!(
                    "same date {} as {}; keep one file per date",
                    pair[1].date, pair[0].name
                ),
            ));
        }
    }
    Ok((files, problems))
}

#[cfg(feature = "archive")]
fn date_regex(pattern: Option<&str>) -> Result<Regex> {
    let text = pattern.unwrap_or(r"(?P<y>\d{4})[-_]?(?P<m>\d{2})[-_]?(?P<d>\d{2})");
    let regex = Regex::new(text).map_err(|error| {
        // The regex crate's message spans lines (the pattern, a caret, the
        // error): keep the error's own line.
        let message = error.to_string();
        let reason = message
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix("error: "))
            .map_or_else(
                || message.split_whitespace().collect::<Vec<_>>().join(" "),
                str::to_owned,
            );
        Error::BadDatePattern {
            pattern: text.to_owned(),
            reason: format!("not a valid regex: {reason}"),
            source: Some(Box::new(error)),
        }
    })?;
    for group in ["y", "m", "d"] {
        if !regex.capture_names().flatten().any(|name| name == group) {
            return Err(Error::BadDatePattern {
                pattern: text.to_owned(),
                reason: format!("lacks the named group (?P<{group}>…); it needs y, m and d"),
                source: None,
            });
        }
    }
    Ok(regex)
}

#[cfg(feature = "archive")]
/// The last date in `name`; when the pattern matches only dates that do
/// not exist (`2022-02-30`), the last of them as `YYYY-MM-DD`.
fn date_in_name(pattern: &Regex, name: &str) -> std::result::Result<NaiveDate, Option<String>> {
    let mut invalid = None;
    let mut found = None;
    for c in pattern.captures_iter(name) {
        let number = |g: &str| c.name(g)?.as_str().parse::<u32>().ok();
        let (Some(y), Some(m), Some(d)) = (number("y"), number("m"), number("d")) else {
            continue;
        };
        match NaiveDate::from_ymd_opt(y as i32, m, d) {
            Some(date) => found = Some(date),
            None => invalid = Some(format!("{y:04}-{m:02}-{d:02}")),
        }
    }
    found.ok_or(invalid)
}

#[cfg(feature = "archive")]
/// An archive as the atlas needs it: what [`crate::Atlas::open_archive`]
/// makes an atlas of.
#[derive(Debug)]
pub(crate) struct Opened {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) controllers: Vec<Controller>,
    pub(crate) territories: Vec<Territory>,
    /// The dated files, by date.
    pub(crate) files: Vec<ArchiveFile>,
    pub(crate) settings: ArchiveSettings,
}

#[cfg(feature = "archive")]
/// Lists an archive's files and reads its region (see the module docs);
/// no snapshot is read.
pub(crate) fn open(dir: &Path, options: &ArchiveOptions) -> Result<Opened> {
    let (files, problems) = list_files(dir, options.date_pattern.as_deref())?;
    if let (Some(problem), false) = (problems.first(), options.skip_bad) {
        return Err(Error::Dataset(problem.clone()));
    }
    // Only under --skip-bad: each skipped file is said.
    let skipped: Vec<Problem> = problems
        .iter()
        .map(|p| Problem {
            message: format!("{} (skipped)", p.message),
            ..p.clone()
        })
        .collect();
    let duplicates: Vec<&str> = problems.iter().map(|p| p.file.as_str()).collect();
    let files: Vec<ArchiveFile> = files
        .into_iter()
        .filter(|f| !duplicates.contains(&f.name.as_str()))
        .collect();
    if files.is_empty() {
        return Err(Error::Dataset(Problem::file(
            dir.display().to_string(),
            "expected GeoJSON files with a date in their names (.geojson, .json, .geojson.gz)",
        )));
    }
    let region = read_region(options)?;
    let side = side_id(&options.side);
    // `other` is a controller only where its ground is known: with a region.
    let mut controllers = vec![Controller {
        id: side.clone(),
        name: options.side.trim().to_owned(),
        colour: "#d55e00".into(),
        allies: Vec::new(),
    }];
    if region.is_some() {
        controllers.push(Controller {
            id: OTHER.into(),
            name: "Other".into(),
            colour: "#bbbbbb".into(),
            allies: Vec::new(),
        });
    }
    let territories = region
        .iter()
        .map(|shape| Territory {
            country: OTHER.into(),
            name: "Region".into(),
            shape: shape.clone(),
            source: options
                .region
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            accuracy: "as given".into(),
        })
        .collect();
    Ok(Opened {
        name: dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        description: format!("Dated archive: ground held by {}", options.side.trim()),
        controllers,
        territories,
        files,
        settings: ArchiveSettings {
            side,
            strictness: options.strictness,
            region,
            skip_bad: options.skip_bad,
            warnings: std::sync::Mutex::new(skipped.into_iter().map(|p| (None, p)).collect()),
        },
    })
}

#[cfg(feature = "archive")]
/// The region of `--region`, if any.
fn read_region(options: &ArchiveOptions) -> Result<Option<MultiPolygon<f64>>> {
    let Some(path) = &options.region else {
        return Ok(None);
    };
    let name = path.display().to_string();
    let bytes = read_bytes(path, &name).map_err(Error::Dataset)?;
    Ok(Some(
        read_polygons(&name, &bytes, options.strictness)
            .map_err(Error::Dataset)?
            .shape,
    ))
}

impl ArchiveSettings {
    /// `other` holds the rest when no region bounds it.
    pub(crate) fn rest(&self) -> Option<&str> {
        self.region.is_none().then_some(OTHER)
    }

    /// The snapshot of the archive file `file` in `dir`, dated `date`: its id
    /// is the date, its label the file name.
    pub(crate) fn read_snapshot(
        &self,
        dir: &Path,
        file: &str,
        date: NaiveDate,
    ) -> Result<Snapshot, Problem> {
        let bytes = read_bytes(&dir.join(file), file)?;
        let read = read_polygons(file, &bytes, self.strictness)?;
        let zone = |controller: &str, shape| Zone {
            controller: controller.to_owned(),
            shape,
            source: file.to_owned(),
            accuracy: "as given by the archive file".into(),
        };
        let warnings = file_warnings(file, &read, self.region.as_ref());
        let zones = match &self.region {
            Some(region) => vec![
                zone(&self.side, read.shape.intersection(region)),
                zone(OTHER, region.difference(&read.shape)),
            ],
            None => vec![zone(&self.side, read.shape)],
        };
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(warnings.into_iter().map(|w| (Some(date), w)));
        Ok(Snapshot {
            id: date.to_string(),
            date,
            label: file.to_owned(),
            zones,
            repairs: read.repairs,
        })
    }
}

/// What is odd about a file that was read: no features at all, ground
/// outside the region (left out of every figure).
fn file_warnings(
    file: &str,
    read: &crate::ingest::Polygons,
    region: Option<&MultiPolygon<f64>>,
) -> Vec<Problem> {
    let mut warnings = Vec::new();
    if read.features == 0 {
        warnings.push(Problem::file(
            file,
            "no features: the side holds no ground on this date",
        ));
    }
    if let Some(region) = region {
        let outside = crate::geometry::area_km2(&read.shape.difference(region));
        if outside >= crate::validate::PARTITION_TOLERANCE_KM2 {
            let total = crate::geometry::area_km2(&read.shape);
            warnings.push(Problem::file(
                file,
                if outside >= total - crate::validate::PARTITION_TOLERANCE_KM2 {
                    format!("none of its {total:.3} km² lies in the region: left out")
                } else {
                    format!(
                        "{outside:.3} km² of its {total:.3} km² lie outside the region: left out"
                    )
                },
            ));
        }
    }
    warnings
}

/// What `validate --archive` reports for one file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct FileReport {
    /// File name.
    pub file: String,
    /// Date from the name, if any.
    pub date: Option<NaiveDate>,
    /// Features read.
    pub features: usize,
    /// Geodesic area of the side's ground, km².
    pub area_km2: f64,
    /// Repairs made.
    pub repairs: Vec<Problem>,
    /// Why the file cannot be used, if it cannot.
    pub problems: Vec<Problem>,
    /// What is odd but usable: no features, ground outside the region.
    pub warnings: Vec<Problem>,
}

#[cfg(feature = "archive")]
/// Reads every file of an archive and reports on each, in date order; files
/// without a date come last.
pub fn validate_archive(dir: &Path, options: &ArchiveOptions) -> Result<Vec<FileReport>> {
    let (files, problems) = list_files(dir, options.date_pattern.as_deref())?;
    let region = read_region(options)?;
    let mut reports: Vec<FileReport> = files
        .iter()
        .map(|f| {
            let read = read_bytes(&dir.join(&f.name), &f.name)
                .and_then(|bytes| read_polygons(&f.name, &bytes, options.strictness));
            let mut report = FileReport {
                file: f.name.clone(),
                date: Some(f.date),
                features: 0,
                area_km2: 0.0,
                repairs: Vec::new(),
                problems: Vec::new(),
                warnings: Vec::new(),
            };
            match read {
                Ok(read) => {
                    report.warnings = file_warnings(&f.name, &read, region.as_ref());
                    report.features = read.features;
                    report.area_km2 = crate::geometry::area_km2(&read.shape);
                    report.repairs = read.repairs;
                }
                Err(problem) => report.problems.push(problem),
            }
            report
        })
        .collect();
    for problem in problems {
        match reports.iter_mut().find(|r| r.file == problem.file) {
            Some(report) => report.problems.push(problem),
            None => reports.push(FileReport {
                file: problem.file.clone(),
                date: None,
                features: 0,
                area_km2: 0.0,
                repairs: Vec::new(),
                problems: vec![problem],
                warnings: Vec::new(),
            }),
        }
    }
    Ok(reports)
}
