//! Where `-o` writes: a regular file is replaced atomically and keeps its
//! mode; FIFOs, devices, symbolic links and inherited descriptors are written
//! through; temp files are removed on a signal and after a dead run; nothing
//! is ever added to the bytes.
#![cfg(target_os = "linux")]

#[path = "support/scratch.rs"]
mod scratch;

use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;

const TINY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/tiny");

fn frontline() -> Command {
    let mut cmd = Command::cargo_bin("frontline").unwrap();
    cmd.arg("--data").arg(TINY);
    cmd
}

fn scratch(name: &str) -> scratch::Scratch {
    scratch::scratch(&format!("cli-output-{name}"))
}

/// The bytes `export` writes for the tiny dataset's zones, through a file.
fn zones(format: &str) -> Vec<u8> {
    zones_named("zones", format)
}

/// [`zones`] through a file named `STEM.FORMAT` (FlatGeobuf names its layer
/// after the file).
fn zones_named(stem: &str, format: &str) -> Vec<u8> {
    let dir = scratch(&format!("reference-{stem}-{format}"));
    let path = dir.join(format!("{stem}.{format}"));
    frontline()
        .args(["export", "--at", "2012-01-01", "--format", format, "-o"])
        .arg(&path)
        .assert()
        .success();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    bytes
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_replaced_file_keeps_its_mode() {
    let dir = scratch("mode");
    let path = dir.join("zones.geojson");
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    frontline()
        .args(["export", "--at", "2012-01-01", "-o"])
        .arg(&path)
        .assert()
        .success();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read(&path).unwrap(), zones("geojson"));
    assert_eq!(entries(&dir), ["zones.geojson"], "no temp file left");
}

#[test]
fn a_symlink_stays_a_link_and_its_target_is_written() {
    let dir = scratch("symlink");
    let target = dir.join("real.geojson");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("link.geojson");
    std::os::unix::fs::symlink("real.geojson", &link).unwrap();
    frontline()
        .args(["export", "--at", "2012-01-01", "-o"])
        .arg(&link)
        .assert()
        .success();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("real.geojson")
    );
    assert_eq!(std::fs::read(&target).unwrap(), zones("geojson"));
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(entries(&dir), ["link.geojson", "real.geojson"]);
}

#[test]
fn a_fifo_is_written_through() {
    let dir = scratch("fifo");
    let fifo = dir.join("out.fgb");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Open for reading and writing so that neither side blocks, and reading
    // never waits: what the run wrote is in the pipe when it has ended.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(0o4000) // O_NONBLOCK
        .open(&fifo)
        .unwrap();
    frontline()
        .args(["export", "--at", "2012-01-01", "-o"])
        .arg(&fifo)
        .assert()
        .success();
    let mut got = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match std::io::Read::read(&mut reader, &mut buffer) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(got, zones_named("out", "fgb"));
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn dev_stdout_and_inherited_descriptors_are_written_through() {
    for (path, stem) in [
        ("/dev/stdout", "stdout"),
        ("/dev/fd/1", "1"),
        ("/proc/self/fd/1", "1"),
    ] {
        let output = frontline()
            .args([
                "export",
                "--at",
                "2012-01-01",
                "-o",
                path,
                "--format",
                "fgb",
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.stdout, zones_named(stem, "fgb"), "{path}");
    }
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn dev_null_is_written_through() {
    frontline()
        .args(["export", "--at", "2012-01-01", "-o", "/dev/null"])
        .assert()
        .success();
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn process_substitution_is_written_through() {
    let dir = scratch("procsub");
    let out = dir.join("copied.csv");
    let binary = assert_cmd::cargo::cargo_bin("frontline");
    let script = format!(
        "'{}' --data '{TINY}' export --at 2012-01-01 --format csv -o >(cat > '{}')",
        binary.display(),
        out.display()
    );
    let status = std::process::Command::new("bash")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(status.success());
    let expected = zones("csv");
    let start = Instant::now();
    while std::fs::read(&out).unwrap_or_default() != expected {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "got {:?}",
            String::from_utf8_lossy(&std::fs::read(&out).unwrap_or_default())
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn standard_output_gets_the_bytes_and_nothing_more() {
    for format in ["fgb", "csv", "geojson"] {
        let output = frontline()
            .args([
                "export",
                "--at",
                "2012-01-01",
                "--format",
                format,
                "-o",
                "-",
            ])
            .output()
            .unwrap();
        assert!(output.status.success());
        assert_eq!(output.stdout, zones(format), "{format}");
    }
    let fgb = zones("fgb");
    assert_eq!(&fgb[..3], b"fgb");
    assert_ne!(fgb.last(), Some(&b'\n'));
}

#[test]
fn a_signal_removes_the_temp_file() {
    let dir = scratch("signal");
    let out = dir.join("points.csv");
    // Reading standard input that stays open keeps the run writing.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("frontline"))
        .args(["--data", TINY, "classify", "-", "--at", "2012-01-01", "-o"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let temp = format!(".points.csv.frontline-{}.tmp", child.id());
    let start = Instant::now();
    while !entries(&dir).contains(&temp) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{:?}",
            entries(&dir)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Held open until the run has ended (waiting would close it, and the
    // run would end on an empty input instead of the signal).
    let stdin = child.stdin.take();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15));
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    drop(stdin);
}

#[test]
fn a_stale_temp_file_of_a_dead_run_is_removed() {
    let dir = scratch("stale");
    // No process has a number this high (Linux's limit is 2^22).
    let stale = ".zones.csv.frontline-999999999.tmp";
    let other = ".other.csv.frontline-999999999.tmp";
    let foreign = ".zones.csv.999999999.tmp";
    for name in [stale, other, foreign] {
        std::fs::write(dir.join(name), "half").unwrap();
    }
    frontline()
        .args(["export", "--at", "2012-01-01", "-o"])
        .arg(dir.join("zones.csv"))
        .assert()
        .success();
    assert_eq!(entries(&dir), [other, foreign, "zones.csv"]);
}
