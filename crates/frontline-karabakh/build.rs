//! Lists the dataset's files (`geojson/`, inside this crate, so the package
//! carries them): every `.json` and `.geojson` file below it becomes a
//! `(relative path, contents)` entry of `FILES`, compiled in with
//! `include_str!`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let data = manifest_dir.join("geojson");
    println!("cargo:rerun-if-changed={}", data.display());

    let mut files = Vec::new();
    collect(&data, &data, &mut files);
    files.sort();
    assert!(
        files
            .iter()
            .any(|(relative, _)| relative == "manifest.json"),
        "{} holds no manifest.json: the dataset is missing",
        data.display()
    );
    let mut code = String::from(
        "/// The dataset's files: path relative to its root, contents.\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for (relative, absolute) in &files {
        println!("cargo:rerun-if-changed={}", absolute.display());
        writeln!(
            code,
            "    ({relative:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push_str("];\n");
    std::fs::write(out.join("files.rs"), code).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "geojson")
        ) {
            let relative = path
                .strip_prefix(root)
                .expect("walked from root")
                .to_string_lossy()
                .replace('\\', "/");
            files.push((relative, path.canonicalize().unwrap_or(path)));
        }
    }
}
