//! A directory of a test's own under the system's temp dir, removed with
//! everything in it when the value is dropped (also when the test fails), so
//! that test runs leave nothing behind. The core crate's tests have the same
//! helper: a package's tests cannot reach into another package.

#![allow(dead_code)] // each test binary uses a part of it

use std::path::Path;

/// A fresh, empty directory; dereferences to its path.
#[derive(Debug)]
pub struct Scratch(tempfile::TempDir);

/// A new directory named `frontline-{name}-…` (a unique suffix added).
pub fn scratch(name: &str) -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix(&format!("frontline-{name}-"))
            .tempdir()
            .expect("a temp dir can be made"),
    )
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.path().as_os_str()
    }
}
