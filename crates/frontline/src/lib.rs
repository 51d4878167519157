//! # frontline
//!
//! Territorial control maps as data: for any date, who holds a point (de
//! facto) and whose territory it is (de jure); how much ground each side
//! holds; what changed between two dates; and the layers to draw the map.
//!
//! An [`Atlas`] is a dataset of dated [`Snapshot`]s whose zones partition a
//! region, plus de jure borders, admin-1 units, dated overlays, routes, places
//! and events. The bundled Nagorno-Karabakh dataset (1994–2023) is compiled in
//! with the default `embedded` feature; [`Atlas::open`] reads any directory in
//! the same format (`data/FORMAT.md`).
//!
//! ```
//! use frontline::{Atlas, parse_date};
//! use frontline::geo::Point;
//!
//! let atlas = Atlas::embedded()?;
//! let shusha = Point::new(46.7499, 39.7601);
//! assert_eq!(atlas.locate(shusha, parse_date("2000-01-01")?)?.controller.as_deref(), Some("nkr"));
//! assert_eq!(atlas.locate(shusha, parse_date("2021-06-01")?)?.controller.as_deref(), Some("azerbaijan"));
//!
//! let view = atlas.at(parse_date("1994-05-12")?)?;
//! let held = view.area_km2("nkr")?;
//! assert!((10_800.0..12_200.0).contains(&held), "{held}");
//! # Ok::<(), frontline::Error>(())
//! ```
//!
//! # Features
//!
//! All on by default; with `default-features = false` the library keeps
//! point location, stats, diffs, series, GeoJSON and CSV export, classify
//! and validation, and compiles none of the dependencies below.
//!
//! | feature | what it adds | compiles |
//! | --- | --- | --- |
//! | `embedded` | the bundled Nagorno-Karabakh dataset, [`Atlas::embedded`] | `frontline-karabakh` (the data) |
//! | `export-fgb` | FlatGeobuf output (`export::Format::FlatGeobuf`; without it, [`Error::NotInBuild`]) | flatgeobuf, geozero |
//! | `routes` | route reports and reachability: the `route` and `reach` modules | petgraph |
//! | `archive` | dated archives: `Atlas::open_archive` and the `archive` module; turns on `gzip` | regex |
//! | `gzip` | `.gz` files and gzip input to classify (without it, [`Error::NotInBuild`] or an error naming the feature) | flate2 |
#![warn(missing_docs)]

pub mod archive;
pub mod atlas;
pub mod classify;
pub mod diff;
pub mod error;
pub mod export;
mod feature_stream;
pub mod geometry;
pub mod index;
pub mod ingest;
pub mod io;
mod layer;
pub mod model;
mod names;
pub mod nearest;
#[cfg(feature = "routes")]
pub mod reach;
#[cfg(feature = "routes")]
pub mod route;
pub mod series;
pub mod source;
pub mod stats;
#[cfg(test)]
mod testing;
pub mod text;
pub mod validate;

// The foreign crates whose types the API takes and returns, so users need
// not pin the same versions themselves.
pub use chrono;
pub use geo;
pub use geojson;

pub use atlas::{Atlas, AtlasBuilder, Location, SnapshotInfo, View};
pub use diff::{Diff, Transition};
pub use error::{Error, Problem, Result};
pub use model::{
    Admin1, Controller, Event, Overlay, Place, Route, Snapshot, Territory, Validity, Zone,
};
pub use series::Series;
pub use source::DataSource;

/// Parses an ISO `YYYY-MM-DD` date.
///
/// ```
/// let date = frontline::parse_date("2020-11-10")?;
/// assert_eq!(date.to_string(), "2020-11-10");
/// assert!(frontline::parse_date("10/11/2020").is_err());
/// assert!(frontline::parse_date("2021-02-29").is_err());
/// assert!(frontline::parse_date("2020-1-011").is_err());
/// # Ok::<(), frontline::Error>(())
/// ```
pub fn parse_date(text: &str) -> Result<chrono::NaiveDate> {
    // By hand: batch jobs parse a date per row, and a format string costs
    // more than the rest of the row.
    let bytes = text.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes[range].iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let date = (bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-')
        .then(|| {
            let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
            chrono::NaiveDate::from_ymd_opt(y as i32, m, d)
        })
        .flatten();
    date.ok_or_else(|| Error::BadDate {
        input: text.to_owned(),
    })
}

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
