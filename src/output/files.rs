//! Writing result files so that a folder always holds one run's results, complete.
//!
//! * A run writes into a private staging folder beside the output folder
//!   (`.NAME.akuttsim-tmp-PID-XXXXXX`); when every file is written, the staging folder takes the
//!   output folder's place in one step (an atomic exchange on Linux, two renames elsewhere),
//!   and the old results are removed. An interrupted or failed run leaves the old results as
//!   they were; two runs into one folder never mix files (the last to finish wins).
//! * Staging folders left by a process that was killed are removed by the next run in the same
//!   place.
//! * An existing output folder is replaced only when it is empty or an akuttsim result (it holds
//!   the `.akuttsim-output` marker); anything else is refused, so no user file is ever lost.
//! * Files are created with the permissions the umask gives (0644 by default), like other tools.
//!
//! Single files outside such folders (`CALIBRATION.md`, README blocks) are written with
//! [`write_atomic`]: a temporary name in the same folder, then a rename.

use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The marker file that says a folder holds akuttsim results.
pub const MARKER: &str = ".akuttsim-output";

/// An output folder that may not be used (bad input: the user names another), as opposed to
/// one that cannot be written (a failure).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Permissions asked for new files and folders; the umask then applies.
#[cfg(unix)]
fn file_mode() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666)
}

#[cfg(unix)]
fn dir_mode() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o777)
}

/// Write `bytes` to `path` atomically: a crash or Ctrl-C leaves either the old file or the new
/// one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let mut b = tempfile::Builder::new();
    b.prefix(".akuttsim-").suffix(".tmp");
    #[cfg(unix)]
    b.permissions(file_mode());
    let mut tmp = b
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// An output folder being written: files go to a staging folder until [`OutputDir::commit`].
pub struct OutputDir {
    target: PathBuf,
    staging: Option<tempfile::TempDir>,
}

fn stem_of(target: &Path) -> anyhow::Result<String> {
    let refused = |why: &str| Refused(format!("{} {why}", target.display()));
    let name = target
        .file_name()
        .ok_or_else(|| refused("is not a folder name — give e.g. --out output/romsdal"))?;
    Ok(name
        .to_str()
        .ok_or_else(|| refused("is not valid UTF-8 — use a folder name in UTF-8"))?
        .to_string())
}

impl OutputDir {
    /// Prepare to write `target`. Fails, before anything is computed, if `target` holds files
    /// that are not akuttsim results, or its parent cannot be written.
    pub fn create(target: &Path) -> anyhow::Result<OutputDir> {
        let target = std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf());
        let stem = stem_of(&target)?;
        if target.exists() {
            if !target.is_dir() {
                return Err(Refused(format!(
                    "{} exists and is not a folder — give a new folder with --out",
                    target.display()
                ))
                .into());
            }
            let mut entries = std::fs::read_dir(&target)
                .with_context(|| format!("cannot read {}", target.display()))?;
            let empty = entries.next().is_none();
            if !empty && !target.join(MARKER).exists() {
                return Err(Refused(format!(
                    "{} exists and holds files that are not akuttsim results — give a new or empty folder with --out",
                    target.display()
                ))
                .into());
            }
        }
        let parent = target.parent().unwrap_or(Path::new("/")).to_path_buf();
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
        clean_stale(&parent, &stem);
        let mut b = tempfile::Builder::new();
        let prefix = format!(".{stem}.akuttsim-tmp-{}-", std::process::id());
        b.prefix(&prefix);
        #[cfg(unix)]
        b.permissions(dir_mode());
        let staging = b
            .tempdir_in(&parent)
            .with_context(|| format!("cannot write in {}", parent.display()))?;
        std::fs::write(staging.path().join(MARKER), b"akuttsim results\n")
            .with_context(|| format!("cannot write in {}", parent.display()))?;
        Ok(OutputDir {
            target,
            staging: Some(staging),
        })
    }

    /// Where files are written until the commit.
    pub fn path(&self) -> &Path {
        self.staging.as_ref().expect("not committed yet").path()
    }

    /// The folder the results will be in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Write one file (its name may contain no folder).
    pub fn write(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.write_with(name, |w| w.write_all(bytes))
    }

    /// Write one file by streaming into it through a buffer (for files too large to build in
    /// memory first).
    pub fn write_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        let p = self.path().join(name);
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o666);
        }
        let f = o
            .open(&p)
            .with_context(|| format!("cannot write {} in {}", name, self.target.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        fill(&mut w)
            .and_then(|()| w.flush())
            .with_context(|| format!("cannot write {} in {}", name, self.target.display()))?;
        Ok(())
    }

    /// Put the results in place of `target` and remove what was there.
    pub fn commit(mut self) -> anyhow::Result<PathBuf> {
        let staging = self.staging.take().expect("committed once");
        for e in std::fs::read_dir(staging.path())? {
            e?.file_type()?; // fail early on an unreadable staging folder
        }
        let staging_path = staging.keep();
        // Sync the files before they become visible.
        for e in std::fs::read_dir(&staging_path)? {
            if let Ok(f) = std::fs::File::open(e?.path()) {
                let _ = f.sync_all();
            }
        }
        let result = swap_into_place(&staging_path, &self.target);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging_path);
        }
        result?;
        Ok(self.target.clone())
    }
}

/// Move `staging` to `target`; whatever `target` was is removed afterwards.
fn swap_into_place(staging: &Path, target: &Path) -> anyhow::Result<()> {
    if !target.exists() {
        std::fs::rename(staging, target)
            .with_context(|| format!("cannot create {}", target.display()))?;
        return Ok(());
    }
    if exchange(staging, target).is_ok() {
        // `staging` now holds the old results.
        let _ = std::fs::remove_dir_all(staging);
        return Ok(());
    }
    // No atomic exchange: move the old results aside, then the new ones in.
    let old = staging.with_extension("old");
    std::fs::rename(target, &old)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    if let Err(e) = std::fs::rename(staging, target) {
        let _ = std::fs::rename(&old, target);
        return Err(e).with_context(|| format!("cannot replace {}", target.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Exchange two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves relative paths (ours are
    // absolute); the call has no other preconditions.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Remove staging folders of `stem` in `parent` whose process is gone.
fn clean_stale(parent: &Path, stem: &str) {
    let prefix = format!(".{stem}.akuttsim-tmp-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid: Option<u32> = rest.split('-').next().and_then(|p| p.parse().ok());
        let alive = pid.is_some_and(|p| p == std::process::id() || process_alive(p));
        if !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_pid: u32) -> bool {
    true // unknown: keep it
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_replaces_old_results_whole() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("res");
        let o = OutputDir::create(&out).unwrap();
        o.write("a.txt", b"1").unwrap();
        o.write("b.txt", b"1").unwrap();
        o.commit().unwrap();
        let o = OutputDir::create(&out).unwrap();
        o.write("a.txt", b"2").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"2");
        assert!(
            !out.join("b.txt").exists(),
            "old files must not mix with new ones"
        );
        // Nothing but the results folder is left beside it.
        let names: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, vec!["res".to_string()]);
    }

    #[test]
    fn a_folder_of_other_files_is_refused_and_untouched() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("thesis.tex"), b"x").unwrap();
        let e = OutputDir::create(d.path()).err().unwrap().to_string();
        assert!(e.contains("not akuttsim results"), "{e}");
        assert!(d.path().join("thesis.tex").exists());
    }

    #[test]
    fn an_abandoned_run_leaves_the_old_results() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("res");
        let o = OutputDir::create(&out).unwrap();
        o.write("a.txt", b"1").unwrap();
        o.commit().unwrap();
        let o = OutputDir::create(&out).unwrap();
        o.write("a.txt", b"2").unwrap();
        drop(o); // interrupted
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"1");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn files_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("x.md");
        write_atomic(&f, b"x").unwrap();
        // The process umask, read without changing it (Linux).
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let mask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
            .unwrap_or(0o022);
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !mask, "mode {mode:o}");
    }
}
