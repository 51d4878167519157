//! `frontline-data`: rebuilds the bundled dataset from its sources.
//!
//! ```text
//! cargo run -p frontline-data --release            # write crates/frontline-karabakh/geojson/ and data/SOURCES.md
//! cargo run -p frontline-data --release -- --check # fail if either differs
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let check = std::env::args().any(|a| a == "--check");
    let files = match frontline_data::build(&root.join("data/sources")) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let out = frontline_data::Layout::of_repository(&root);
    if check {
        return match frontline_data::differences(&files, &out) {
            differences if differences.is_empty() => {
                println!(
                    "crates/frontline-karabakh/geojson and data/SOURCES.md are what the sources build ({} files)",
                    files.len()
                );
                ExitCode::SUCCESS
            }
            differences => {
                for d in differences {
                    eprintln!("differs: {d}");
                }
                eprintln!("regenerate with: cargo run -p frontline-data --release");
                ExitCode::from(1)
            }
        };
    }
    match frontline_data::write(&files, &out) {
        Ok(()) => {
            println!(
                "wrote {} files to {} and {}",
                files.len(),
                out.geojson.display(),
                out.data.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
