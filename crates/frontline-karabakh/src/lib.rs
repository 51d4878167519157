//! # frontline-karabakh
//!
//! The Nagorno-Karabakh control dataset (1994–2024) that the `frontline`
//! crate compiles in with its `embedded` feature, as the files of a
//! `frontline-dataset/1` directory: `manifest.json`, the de jure, admin-1,
//! overlay, route, place and event layers, and one GeoJSON file per dated
//! snapshot. Load it with `frontline::Atlas::embedded()`; this crate only
//! holds the bytes.
//!
//! The files are built from the sources in the `frontline` repository's
//! `data/sources/` by its `frontline-data` tool; `data/README.md` and
//! `data/SOURCES.md` there say where every line comes from, how accurate it
//! is and what was corrected.
//!
//! # Licence
//!
//! The data holds OpenStreetMap borders, so it is a derived database under
//! the ODbL 1.0 (© OpenStreetMap contributors); the code of this crate is
//! MIT OR Apache-2.0.
//!
//! ```
//! let manifest = frontline_karabakh::file("manifest.json").unwrap();
//! assert!(manifest.contains("\"frontline-dataset/1\""));
//! assert!(frontline_karabakh::file("snapshots/2020-12-01.geojson").is_some());
//! assert!(frontline_karabakh::file("nowhere.geojson").is_none());
//! ```
#![warn(missing_docs)]

mod files {
    include!(concat!(env!("OUT_DIR"), "/files.rs"));
}

pub use files::FILES;

/// The contents of one file of the dataset, by its path relative to the
/// dataset's root (`manifest.json`, `snapshots/2020-12-01.geojson`, ...).
pub fn file(relative: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(path, _)| *path == relative)
        .map(|(_, text)| *text)
}
