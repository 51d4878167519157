//! Any bytes through the messy-GeoJSON reader, repairing and strict: a
//! located error or polygons, never a panic.
#![no_main]

use frontline::ingest::{read_polygons, Strictness};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for strictness in [Strictness::Repair, Strictness::Strict] {
        if let Ok(read) = read_polygons("fuzz.geojson", data, strictness) {
            let _ = frontline::geometry::area_km2(&read.shape);
        }
    }
});
