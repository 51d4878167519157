//! Errors: each one names the culprit and what was expected. Messages state
//! the fact in the library's own terms (no command-line flags or commands:
//! the `frontline` binary adds its hints).

use std::fmt;
use std::path::PathBuf;

/// Where in a dataset a problem was found: file, feature index, field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// File the problem is in, relative to the dataset root.
    pub file: String,
    /// Index of the feature in the file's `features` array, when it is about one.
    pub feature: Option<usize>,
    /// The property or member at fault, when it is about one.
    pub field: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl Problem {
    /// A problem with a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            feature: None,
            field: None,
            message: message.into(),
        }
    }

    /// A problem with one field of one feature.
    pub fn feature(
        file: impl Into<String>,
        feature: usize,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            feature: Some(feature),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl std::error::Error for Problem {}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(index) = self.feature {
            write!(f, ": feature {index}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why gzip input is refused by a build without the `gzip` feature.
#[cfg(not(feature = "gzip"))]
pub(crate) const NOT_IN_BUILD_GZIP: &str =
    "gzip-compressed input, and this build reads no gzip (frontline's `gzip` feature)";

/// Everything that can go wrong in this library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A date string is not ISO `YYYY-MM-DD`.
    #[error("invalid date {input:?}: expected YYYY-MM-DD, e.g. 2020-12-01")]
    BadDate {
        /// The text that was given.
        input: String,
    },
    /// The dataset has no snapshot in force on this date.
    #[error("no control data for {date}: the dataset starts on {first}")]
    BeforeFirstSnapshot {
        /// The date asked for.
        date: chrono::NaiveDate,
        /// The first snapshot's date.
        first: chrono::NaiveDate,
    },
    /// An interval whose start is after its end.
    #[error("reversed interval: it starts on {from}, after its end on {to}")]
    ReversedInterval {
        /// The start asked for.
        from: chrono::NaiveDate,
        /// The end asked for.
        to: chrono::NaiveDate,
    },
    /// A distance is negative or not a number.
    #[error("invalid {what} {km} km: expected a number of km ≥ 0")]
    BadDistance {
        /// Which distance (`exposure distance`, ...).
        what: &'static str,
        /// The value given.
        km: f64,
    },
    /// A coordinate is outside WGS 84's range or not a number; the message
    /// names the value (`latitude NaN is outside [-90, 90]`).
    #[error("invalid coordinate: {0}")]
    BadCoordinate(String),
    /// No place has this name, id or alias.
    #[error("unknown place {name:?}{}", suggest(.suggestions))]
    UnknownPlace {
        /// The name asked for.
        name: String,
        /// Close names that do exist.
        suggestions: Vec<String>,
    },
    /// No layer, snapshot, controller... has this id.
    #[error("unknown {kind} {id:?}{}", suggest(.suggestions))]
    UnknownId {
        /// What kind of thing was looked up (`layer`, `controller`, ...).
        kind: &'static str,
        /// The id asked for.
        id: String,
        /// Ids that do exist (or close ones).
        suggestions: Vec<String>,
    },
    /// A dataset file is malformed; the first problem found (see
    /// [`crate::Atlas::validate`] for all of them).
    #[error("invalid dataset: {0}")]
    Dataset(Problem),
    /// Values given to [`crate::AtlasBuilder`] do not make a valid dataset:
    /// every problem found, each located as in a dataset (the layer stands
    /// for the file).
    #[error("invalid dataset: {}", list_problems(.0))]
    Problems(Vec<Problem>),
    /// An input to classify cannot be read past this point.
    #[error("invalid input: {0}")]
    BadInput(Problem),
    /// A CSV input cannot be parsed past this point.
    #[error("{input}: {source}")]
    Csv {
        /// The input ([`crate::classify::CSV_INPUT`] unless a caller named it).
        input: String,
        /// What the CSV reader said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An archive's date pattern is not a usable regex, or lacks a group.
    #[error("bad date pattern {pattern:?}: {reason}")]
    BadDatePattern {
        /// The pattern given.
        pattern: String,
        /// What is wrong with it, in one line.
        reason: String,
        /// The regex compiler's error, when it would not compile.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A batch call was given an output slice of another length than its
    /// input (one answer slot per input is required).
    #[error("batch of {inputs} inputs given {slots} answer slots: expected one slot per input")]
    BatchLength {
        /// Length of the input slice.
        inputs: usize,
        /// Length of the output slice.
        slots: usize,
    },
    /// A capability this build was compiled without (a cargo feature of
    /// frontline that is off).
    #[error("{what} is not in this build: it needs frontline's `{feature}` feature")]
    NotInBuild {
        /// What was asked for (`FlatGeobuf output`, ...).
        what: &'static str,
        /// The cargo feature that provides it.
        feature: &'static str,
    },
    /// No embedded dataset was compiled in.
    #[error("this build has no embedded dataset (the `embedded` feature is off)")]
    NoEmbeddedDataset,
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

fn list_problems(problems: &[Problem]) -> String {
    let list: Vec<String> = problems.iter().map(Problem::to_string).collect();
    match list.len() {
        1 => list.join(""),
        n => format!("{n} problems: {}", list.join("; ")),
    }
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean: {}?)", suggestions.join(", "))
    }
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
