//! Writing outputs. A regular file (or a path that does not exist yet) is
//! replaced atomically: the bytes go to a temp file beside it, which is then
//! renamed over it, so a failed or interrupted write never leaves a partial
//! file behind; the replaced file keeps its permissions. Anything else is
//! written through, never replaced: a FIFO, a device (`/dev/null`), a
//! terminal, an inherited descriptor (`/dev/stdout`, `/dev/fd/63` from a
//! shell's process substitution). A symbolic link stays a link: the file it
//! points to is written as above.
//!
//! Temp files are named `.NAME.frontline-PID.tmp`. A program that ends on a
//! signal does so through [`exit_removing_temp_files`]; a temp file of the same target
//! left behind by a process that no longer runs is removed by the next write.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Writes `bytes` to `path`: a regular file atomically (temp file and
/// rename, keeping the file's permissions), anything else written through
/// (see the [module docs](self)). On error a regular target is untouched
/// and the temp file removed.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("frontline-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("out.txt");
/// frontline::io::write_atomic(&path, b"hello")?;
/// assert_eq!(std::fs::read(&path).unwrap(), b"hello");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), frontline::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Io`] naming `path` when the path names a directory, when the
/// target cannot be opened, or when writing fails (a full disk included).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomic`], with the content produced by `write` into the
/// temp file (or the target itself when it is written through).
///
/// # Errors
///
/// As [`write_atomic`]; an error returned by `write` comes back as
/// [`Error::Io`] naming `path`.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    match target(path).map_err(io_error)? {
        Target::Through(mut file) => write(&mut file)
            .and_then(|()| file.flush())
            .map_err(io_error),
        Target::Replace { path: real, keep } => {
            replace(&real, keep.as_ref(), write).map_err(io_error)
        }
    }
}

/// Removes the temp files of the writes in progress and ends the process with
/// `code`. For a program ending on a signal (SIGINT, SIGTERM): call it from
/// the thread that handles the signal. No write can create or rename a temp
/// file meanwhile: it waits until the process has ended.
pub fn exit_removing_temp_files(code: i32) -> ! {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    for temp in state.temps.drain(..) {
        let _ = std::fs::remove_file(temp);
    }
    std::process::exit(code)
}

/// The temp file name used for a target named `name` by process `pid`:
/// `.NAME.frontline-PID.tmp`.
///
/// ```
/// use std::ffi::OsStr;
/// assert_eq!(frontline::io::temp_name(OsStr::new("zones.fgb"), 42), ".zones.fgb.frontline-42.tmp");
/// ```
pub fn temp_name(name: &std::ffi::OsStr, pid: u32) -> OsString {
    let mut temp = OsString::from(".");
    temp.push(name);
    temp.push(format!(".frontline-{pid}.tmp"));
    temp
}

/// Temp files being written, removed by [`exit_removing_temp_files`].
struct State {
    temps: Vec<PathBuf>,
}

static STATE: Mutex<State> = Mutex::new(State { temps: Vec::new() });

/// How a path is written.
enum Target {
    /// Opened as it is and written in place.
    Through(File),
    /// Replaced atomically; `keep` holds the permissions of the file replaced.
    Replace {
        path: PathBuf,
        keep: Option<std::fs::Metadata>,
    },
}

fn names_a_directory() -> std::io::Error {
    std::io::Error::other("names a directory: expected a file path")
}

fn target(path: &Path) -> std::io::Result<Target> {
    if let Some(file) = inherited_descriptor(path)? {
        return Ok(Target::Through(file));
    }
    let text = path.as_os_str().as_encoded_bytes();
    if text.ends_with(b"/") || path.file_name().is_none() {
        return Err(names_a_directory());
    }
    let through = |path: &Path| std::fs::OpenOptions::new().write(true).open(path);
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Target::Replace {
            path: path.to_path_buf(),
            keep: None,
        }),
        Err(e) => Err(e),
        Ok(meta) if meta.is_dir() => Err(names_a_directory()),
        Ok(meta) if meta.is_file() => Ok(Target::Replace {
            path: path.to_path_buf(),
            keep: Some(meta),
        }),
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::metadata(path) {
            Ok(real) if real.is_dir() => Err(names_a_directory()),
            Ok(real) if real.is_file() => Ok(Target::Replace {
                path: std::fs::canonicalize(path)?,
                keep: Some(real),
            }),
            Ok(_) => through(path).map(Target::Through),
            // A link to nothing yet: creating through the link makes its target.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)
                .map(Target::Through),
            Err(e) => Err(e),
        },
        // FIFO, device, socket: written through.
        Ok(_) => through(path).map(Target::Through),
    }
}

/// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` name a
/// descriptor this process already has: it is written through a copy of that
/// descriptor, so a shell's `>>` still appends and a pipe or socket works.
#[cfg(unix)]
fn inherited_descriptor(path: &Path) -> std::io::Result<Option<File>> {
    use std::os::fd::BorrowedFd;
    let text = path.to_string_lossy();
    let fd: Option<i32> = match text.as_ref() {
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        other => other
            .strip_prefix("/dev/fd/")
            .or_else(|| other.strip_prefix("/proc/self/fd/"))
            .and_then(|n| n.parse().ok())
            .filter(|&n| n >= 0),
    };
    let Some(fd) = fd else {
        return Ok(None);
    };
    // SAFETY: the descriptor is only borrowed for the duplication, which
    // fails with EBADF when the process has no such descriptor open.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    let owned = borrowed.try_clone_to_owned()?;
    Ok(Some(File::from(owned)))
}

#[cfg(not(unix))]
fn inherited_descriptor(_path: &Path) -> std::io::Result<Option<File>> {
    Ok(None)
}

/// Writes a temp file beside `path` and renames it over `path`.
fn replace(
    path: &Path,
    keep: Option<&std::fs::Metadata>,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(names_a_directory)?;
    remove_stale_temps(dir, name);
    let temp = dir.join(temp_name(name, std::process::id()));
    let mut file = {
        let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
        let file = File::create(&temp)?;
        state.temps.push(temp.clone());
        file
    };
    let result = (|| {
        if let Some(meta) = keep {
            file.set_permissions(meta.permissions())?;
            keep_owner(&file, meta);
        }
        written_back_meanwhile(&mut file, write)?;
        file.sync_all()?;
        drop(file);
        Ok(())
    })();
    // Renamed or removed under the lock, so that a signal never finds the
    // temp file half gone.
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let result = result.and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    state.temps.retain(|t| t != &temp);
    result
}

/// Runs `write` on `file` while a helper thread sends what it has written
/// so far to the disk, a few megabytes at a time: the sync that makes the
/// file durable before it is renamed then waits for the last few only, not
/// for all of a large output written at the end.
fn written_back_meanwhile(
    file: &mut File,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    /// Bytes written since the last sync that start another one.
    const SYNC_BYTES: u64 = 16 << 20;
    let Ok(clone) = file.try_clone() else {
        return write(file);
    };
    let (done, finished) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut synced = 0;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                finished.recv_timeout(std::time::Duration::from_millis(20))
            {
                let Ok(len) = clone.metadata().map(|m| m.len()) else {
                    return;
                };
                if len >= synced + SYNC_BYTES {
                    // An error here is met again by the final sync.
                    if clone.sync_data().is_err() {
                        return;
                    }
                    synced = len;
                }
            }
        });
        let result = write(file);
        drop(done);
        result
    })
}

/// The replaced file's owner, where this process may set it (root may; an
/// ordinary user owns what it creates anyway).
#[cfg(unix)]
fn keep_owner(file: &File, meta: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(now) = file.metadata() {
        if (now.uid(), now.gid()) != (meta.uid(), meta.gid()) {
            let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
        }
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &File, _meta: &std::fs::Metadata) {}

/// Removes `.NAME.frontline-PID.tmp` files in `dir` whose process has ended
/// (known from `/proc`; where there is no `/proc`, nothing is removed).
fn remove_stale_temps(dir: &Path, name: &std::ffi::OsStr) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let prefix = temp_name(name, 0);
    let prefix = prefix.as_encoded_bytes();
    let prefix = &prefix[..prefix.len() - "0.tmp".len()];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let bytes = file_name.as_encoded_bytes();
        let Some(pid) = bytes
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(b".tmp"))
            .filter(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit))
            .and_then(|pid| std::str::from_utf8(pid).ok())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !proc.join(pid.to_string()).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output large enough for the helper to sync it part by part while
    /// it is written arrives whole, and no temp file stays behind.
    #[test]
    fn a_large_output_synced_while_written_arrives_whole() {
        let dir = std::env::temp_dir().join(format!("frontline-io-large-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("large.bin");
        let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        write_atomic_with(&path, |file| {
            for _ in 0..48 {
                file.write_all(&chunk)?;
                // Slow enough for the helper to wake up in between.
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Ok(())
        })
        .unwrap();
        let written = std::fs::read(&path).unwrap();
        assert_eq!(written.len(), 48 << 20);
        assert!(written.chunks(1 << 20).all(|c| c == chunk.as_slice()));
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("large.bin")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
