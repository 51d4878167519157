//! Any bytes as the CSV input of `classify` (on the tiny dataset): every row
//! comes out, never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use frontline::classify::{classify_csv, ClassifyOptions, DateSource};
use frontline::Atlas;
use libfuzzer_sys::fuzz_target;

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| Atlas::open(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/tiny")).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let options = ClassifyOptions::new(DateSource::Column("date".into()));
    let mut output = Vec::new();
    if let Ok(summary) = classify_csv(atlas(), data, &mut output, &options, |_| {}) {
        assert_eq!(summary.rows, summary.errors + summary.per_controller.values().sum::<u64>());
    }
});
