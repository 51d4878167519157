//! Any bytes as the GeoJSON input of `classify` (on the tiny dataset): a
//! located error or a valid FeatureCollection with one feature out per
//! feature in, never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use frontline::classify::{classify_geojson, DateSource};
use frontline::Atlas;
use libfuzzer_sys::fuzz_target;

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| Atlas::open(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/tiny")).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let mut output = Vec::new();
    if let Ok(summary) = classify_geojson(atlas(), data, &mut output, &DateSource::Column("date".into()), |_| {}) {
        assert_eq!(summary.rows, summary.errors + summary.per_controller.values().sum::<u64>());
        // Members as raw text: a number beyond f64 in a feature's
        // properties is written back as it came, which JSON allows and a
        // `serde_json::Value` cannot hold.
        type Raw = Box<serde_json::value::RawValue>;
        let out: BTreeMap<String, Raw> = serde_json::from_slice(&output).expect("the output is JSON");
        assert_eq!(out["type"].get(), "\"FeatureCollection\"");
        let features: Vec<Raw> = serde_json::from_str(out["features"].get()).expect("features are an array");
        assert_eq!(features.len(), summary.rows as usize);
    }
});
