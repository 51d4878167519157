//! Any bytes as a dataset layer: the tiny dataset with one file replaced by
//! the input, loaded and queried; a located error or an answer, never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 7] = ["manifest.json", "de_jure.geojson", "admin1.geojson", "overlays.geojson", "routes.geojson", "places.geojson", "snapshots/2010-01-01.geojson"];

fn workdir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("frontline-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("snapshots")).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    let tiny = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/tiny");
    let dir = workdir();
    let target = FILES[selector as usize % FILES.len()];
    for name in FILES.iter().chain(["events.geojson", "snapshots/2000-01-01.geojson"].iter()) {
        let bytes = if *name == target { input.to_vec() } else { std::fs::read(tiny.join(name)).unwrap() };
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    if let Ok(atlas) = frontline::Atlas::open(dir) {
        if let Ok(date) = frontline::parse_date("2012-01-01") {
            if let Ok(view) = atlas.at(date) {
                let _ = view.stats();
                let _ = view.locate(geo::Point::new(0.5, 0.5));
            }
        }
    }
    let _ = frontline::Atlas::validate(frontline::DataSource::Directory(dir.clone()));
});
