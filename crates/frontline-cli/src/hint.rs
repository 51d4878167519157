//! What to do next about a library error, in the command line's terms: the
//! library states the fact, the binary says which command or flag helps.

use frontline::Error;

/// The next step for `error`, if the command line has one; printed on its
/// own line after the error.
pub fn hint(error: &Error) -> Option<String> {
    let hint = match error {
        Error::BeforeFirstSnapshot { .. } => {
            "run `frontline snapshots` with the same data options to list the dates"
        }
        Error::Dataset(problem) if problem.message.starts_with("no date in the file name") => {
            "pass --date-pattern REGEX with named groups (?P<y>…)(?P<m>…)(?P<d>…)"
        }
        Error::Dataset(problem) if problem.message.ends_with("(refused: strict reading)") => {
            "without --strict such a file is repaired instead, each repair reported"
        }
        Error::Dataset(_) => {
            "run `frontline validate` with the same data options to list every problem"
        }
        Error::NoEmbeddedDataset => "pass --data DIR, or build with the `embedded` feature",
        Error::Io { path, source }
            if source.kind() == std::io::ErrorKind::NotFound
                && path.file_name().is_some_and(|n| n == "manifest.json") =>
        {
            "--data wants a directory holding manifest.json"
        }
        _ => return None,
    };
    Some(hint.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_command_or_flag_and_plain_facts_get_none() {
        let date = frontline::parse_date("1990-01-01").unwrap();
        let before = Error::BeforeFirstSnapshot { date, first: date };
        assert!(hint(&before).unwrap().contains("frontline snapshots"));
        let undated = Error::Dataset(frontline::Problem::file(
            "notes.json",
            "no date in the file name; expected YYYYMMDD",
        ));
        assert!(hint(&undated).unwrap().starts_with("pass --date-pattern"));
        let missing = Error::Io {
            path: "/nowhere/manifest.json".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no manifest"),
        };
        assert!(hint(&missing)
            .unwrap()
            .starts_with("--data wants a directory"));
        assert!(hint(&Error::NoEmbeddedDataset)
            .unwrap()
            .contains("--data DIR"));
        assert_eq!(hint(&Error::BadDate { input: "x".into() }), None);
    }
}
