//! Where a dataset's files come from: the embedded copy or a directory.

use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Result};

/// The files of a dataset, by path relative to its root.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DataSource {
    /// Compiled into the library (the `embedded` feature: the
    /// `frontline-karabakh` crate).
    Embedded,
    /// A directory on disk holding `manifest.json`.
    Directory(PathBuf),
}

impl DataSource {
    /// Reads one file as text; problems name the file.
    pub fn read(&self, relative: &str) -> Result<String, Problem> {
        match self {
            DataSource::Embedded => embedded_file(relative)
                .map(|text| text.strip_prefix('\u{feff}').unwrap_or(text).to_owned())
                .ok_or_else(|| Problem::file(relative, "not in the embedded dataset")),
            DataSource::Directory(root) => {
                let path = root.join(relative);
                std::fs::read(&path)
                    .map_err(|error| {
                        Problem::file(relative, format!("cannot read {}: {error}", path.display()))
                    })
                    .and_then(|mut bytes| {
                        // A byte order mark, as some editors write, is not
                        // part of the JSON.
                        if bytes.starts_with(crate::ingest::UTF8_BOM) {
                            bytes.drain(..crate::ingest::UTF8_BOM.len());
                        }
                        String::from_utf8(bytes).map_err(|error| {
                            Problem::file(
                                relative,
                                format!(
                                    "expected UTF-8 text, found an invalid byte at offset {}",
                                    error.utf8_error().valid_up_to()
                                ),
                            )
                        })
                    })
            }
        }
    }

    /// Whether there is any data to read (an empty embedded set is not).
    pub(crate) fn check_present(&self) -> Result<()> {
        match self {
            DataSource::Embedded if embedded_file("manifest.json").is_none() => {
                Err(Error::NoEmbeddedDataset)
            }
            DataSource::Directory(root) if !root.join("manifest.json").is_file() => {
                Err(Error::Io {
                    path: root.join("manifest.json"),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no dataset manifest here: expected a directory holding manifest.json",
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    /// The directory, for a dataset on disk.
    pub fn directory(&self) -> Option<&Path> {
        match self {
            DataSource::Directory(root) => Some(root),
            DataSource::Embedded => None,
        }
    }
}

#[cfg(feature = "embedded")]
fn embedded_file(relative: &str) -> Option<&'static str> {
    frontline_karabakh::file(relative)
}

#[cfg(not(feature = "embedded"))]
fn embedded_file(_relative: &str) -> Option<&'static str> {
    None
}
