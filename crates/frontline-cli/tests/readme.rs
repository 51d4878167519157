//! Every `frontline …` command line in README.md's code blocks runs, as
//! written, with the built binary: a README example that fails is a failing
//! test.
//!
//! Each line runs in its own scratch directory that holds links to the
//! repository's top-level entries, so the README's relative paths
//! (`tests/data/tiny`, `examples/data/points.csv`) resolve while the files it
//! writes (`-o map.png`) land in the scratch directory. `NAME=value` words
//! before the program set environment variables and a final `> FILE` sends
//! standard output to a file, as a shell would; nothing else is interpreted.
#![cfg(unix)]

#[path = "support/scratch.rs"]
mod scratch;

use std::path::Path;

use assert_cmd::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The program prefixes a README line may start with.
const PROGRAMS: [&str; 2] = ["cargo run --release --bin frontline -- ", "frontline "];

/// A command line taken from a document.
#[derive(Debug)]
struct Example {
    line: String,
    env: Vec<(String, String)>,
    args: Vec<String>,
    stdout_to: Option<String>,
}

/// Splits a shell line into words: single and double quotes group, a `#`
/// starting a word begins a comment. Operators other than a final `> FILE`
/// are refused, so an example never silently means something else here.
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '#' if word.is_none() => break,
            '\'' | '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(other) => w.push(other),
                        None => return Err("unclosed quote".into()),
                    }
                }
            }
            '|' | '<' | ';' | '&' | '`' | '$' | '(' | ')' => {
                return Err(format!(
                    "shell operator {c:?} (only a final `> FILE` is run)"
                ));
            }
            other => word.get_or_insert_with(String::new).push(other),
        }
    }
    words.extend(word);
    Ok(words)
}

/// The `frontline` command lines in the fenced code blocks of `document`.
fn examples(document: &str) -> Vec<Result<Example, String>> {
    let mut in_block = false;
    let mut found = Vec::new();
    for raw in document.lines() {
        let line = raw.trim();
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let mut words = match words(line) {
            Ok(words) => words,
            Err(error) => {
                let env_first = line
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.contains('='));
                if env_first || PROGRAMS.iter().any(|p| line.starts_with(p)) {
                    found.push(Err(format!("{line}: {error}")));
                }
                continue;
            }
        };
        let env_words = words
            .iter()
            .take_while(|w| {
                w.split_once('=').is_some_and(|(name, _)| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                })
            })
            .count();
        let rest = words[env_words..].join(" ") + " ";
        let Some(program) = PROGRAMS.iter().find(|p| rest.starts_with(*p)) else {
            continue;
        };
        let env = words
            .drain(..env_words)
            .map(|w| {
                let (name, value) = w.split_once('=').unwrap();
                (name.to_owned(), value.to_owned())
            })
            .collect();
        let mut args: Vec<String> = words
            .into_iter()
            .skip(program.split_whitespace().count())
            .collect();
        let stdout_to = match args.iter().position(|w| w == ">") {
            Some(at) if at + 2 == args.len() => {
                let file = args.pop();
                args.pop();
                file
            }
            Some(_) => {
                found.push(Err(format!("{line}: `>` must come last, before one file")));
                continue;
            }
            None => None,
        };
        found.push(Ok(Example {
            line: line.to_owned(),
            env,
            args,
            stdout_to,
        }));
    }
    found
}

/// A scratch directory with links to the repository's top-level entries.
fn scratch(name: &str) -> scratch::Scratch {
    let dir = scratch::scratch(&format!("readme-{name}"));
    for entry in std::fs::read_dir(ROOT).unwrap() {
        let entry = entry.unwrap();
        let file_name = entry.file_name();
        if file_name == "target" || file_name.to_string_lossy().starts_with('.') {
            continue;
        }
        std::os::unix::fs::symlink(entry.path(), dir.join(&file_name)).unwrap();
    }
    dir
}

/// Runs every example of `document`; the failures, each with its line.
fn run_all(document: &Path, name: &str) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(document).unwrap();
    let mut failures = Vec::new();
    let all = examples(&text);
    for (i, example) in all.iter().enumerate() {
        let example = match example {
            Ok(example) => example,
            Err(error) => {
                failures.push(error.clone());
                continue;
            }
        };
        let dir = scratch(&format!("{name}-{i}"));
        let mut cmd = Command::cargo_bin("frontline").unwrap();
        cmd.current_dir(&dir)
            .env_remove("FRONTLINE_DATA")
            .envs(example.env.iter().map(|(k, v)| (k, v)))
            .args(&example.args);
        let output = cmd.output().unwrap();
        if !output.status.success() {
            failures.push(format!(
                "{}\n  exit {:?}: {}",
                example.line,
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        } else if output.stdout.is_empty()
            && !example.args.iter().any(|a| a == "-o" || a == "--output")
        {
            failures.push(format!("{}\n  printed nothing", example.line));
        } else if let Some(file) = &example.stdout_to {
            std::fs::write(dir.join(file), &output.stdout).unwrap();
        }
    }
    (all.len(), failures)
}

#[test]
fn every_readme_command_runs() {
    let (count, failures) = run_all(&Path::new(ROOT).join("README.md"), "readme");
    assert!(count >= 20, "only {count} commands found in README.md");
    assert!(
        failures.is_empty(),
        "README.md commands that fail:\n{}",
        failures.join("\n")
    );
}

#[test]
fn lines_are_split_as_a_shell_would() {
    let found = examples(
        "text\n```sh\nfrontline stats --at 2021-06-01   # a comment\n\
         FRONTLINE_DATA=tests/data/tiny frontline snapshots\n\
         cargo run --release --bin frontline -- render --title 'A title' -o map.svg\n\
         frontline completions bash > frontline.bash\n\
         cargo test --workspace\n\
         frontline series --from 2020-01-01 --to 2021-01-01 | head\n```\n\
         frontline outside a block\n",
    );
    assert_eq!(found.len(), 5);
    let first = found[0].as_ref().unwrap();
    assert_eq!(first.args, ["stats", "--at", "2021-06-01"]);
    let second = found[1].as_ref().unwrap();
    assert_eq!(
        second.env,
        [("FRONTLINE_DATA".to_owned(), "tests/data/tiny".to_owned())]
    );
    assert_eq!(second.args, ["snapshots"]);
    let third = found[2].as_ref().unwrap();
    assert_eq!(
        third.args,
        ["render", "--title", "A title", "-o", "map.svg"]
    );
    let fourth = found[3].as_ref().unwrap();
    assert_eq!(fourth.args, ["completions", "bash"]);
    assert_eq!(fourth.stdout_to.as_deref(), Some("frontline.bash"));
    assert!(found[4]
        .as_ref()
        .unwrap_err()
        .contains("shell operator '|'"));
}

#[test]
fn a_failing_example_is_reported_with_its_line() {
    let dir = scratch::scratch("readme-doc");
    let document = dir.join("DOC.md");
    std::fs::write(
        &document,
        "```sh\nfrontline snapshots\nfrontline stats --at 1900-01-01\n```\n",
    )
    .unwrap();
    let (count, failures) = run_all(&document, "doc");
    assert_eq!(count, 2);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("frontline stats --at 1900-01-01\n  exit Some(2): error: "),
        "{}",
        failures[0]
    );
}
