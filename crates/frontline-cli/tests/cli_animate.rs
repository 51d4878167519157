//! `frontline animate`: a GIF or APNG written whole, the 2020 war weekly by
//! default, and one-line errors with exit code 2 for bad requests.

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;
use predicates::prelude::*;

fn dir(name: &str) -> scratch::Scratch {
    scratch::scratch(&format!("cli-animate-{name}"))
}

fn frames(gif: &[u8]) -> Vec<u16> {
    let mut decoder = gif::DecodeOptions::new().read_info(gif).unwrap();
    let mut delays = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        delays.push(frame.delay);
    }
    delays
}

#[test]
fn the_default_is_the_war_weekly() {
    let out = dir("default");
    let file = out.join("war.gif");
    Command::cargo_bin("frontline")
        .unwrap()
        .args(["animate", "-o"])
        .arg(&file)
        .assert()
        .success();
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    // 2020-09-27 to 2020-11-10 every 7 days: 8 frames, the last held longer.
    assert_eq!(frames(&bytes), [100, 100, 100, 100, 100, 100, 100, 300]);
    // Nothing else is left in the directory (no temp file).
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn dates_and_step_and_apng() {
    let out = dir("apng");
    let gif = out.join("handovers.gif");
    Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "animate",
            "--from",
            "2020-11-10",
            "--to",
            "2020-12-12",
            "--every",
            "10",
            "-o",
        ])
        .arg(&gif)
        .assert()
        .success();
    // 11-10, 11-20, 11-30, 12-10 and 12-12.
    assert_eq!(frames(&std::fs::read(&gif).unwrap()).len(), 5);
    let apng = out.join("handovers.png");
    Command::cargo_bin("frontline")
        .unwrap()
        .args([
            "animate",
            "--from",
            "2020-11-10",
            "--to",
            "2020-12-12",
            "--every",
            "10",
            "-o",
        ])
        .arg(&apng)
        .assert()
        .success();
    let bytes = std::fs::read(&apng).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    assert_eq!(reader.info().animation_control().unwrap().num_frames, 5);
}

#[test]
fn bad_requests_exit_2_with_one_line_and_no_file() {
    let out = dir("bad");
    for (args, file, message) in [
        (
            vec!["--from", "2020-11-10", "--to", "2020-09-27"],
            "war.gif",
            "reversed interval",
        ),
        (vec!["--every", "0"], "war.gif", "step of 0 days"),
        (
            vec![],
            "war.mp4",
            "expected an animation file ending in .gif",
        ),
        (
            vec![
                "--from",
                "1990-01-01",
                "--to",
                "1995-01-01",
                "--every",
                "365",
            ],
            "early.gif",
            "no control data for 1990-01-01",
        ),
    ] {
        let path = out.join(file);
        Command::cargo_bin("frontline")
            .unwrap()
            .arg("animate")
            .args(&args)
            .arg("-o")
            .arg(&path)
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::contains(message)
                    // One line, and a hint under it where one helps.
                    .and(predicate::str::is_match("^[^\n]*\n(hint: [^\n]*\n)?$").unwrap()),
            );
        assert!(!path.exists(), "{args:?} left {}", path.display());
    }
    // --from without --to is refused by the parser.
    Command::cargo_bin("frontline")
        .unwrap()
        .args(["animate", "--from", "2020-10-01", "-o"])
        .arg(out.join("half.gif"))
        .assert()
        .code(2);
}
