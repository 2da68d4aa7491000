//! Problems found in input files, and the error that carries them.
//!
//! Every check of every input reports into a [`Problems`] collector instead of stopping at the
//! first problem, so a user sees everything that is wrong at once. A [`Problem`] names the field
//! (`legevakt[2].doctors[0].from`), what is wrong and how to fix it.

use std::fmt;

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path of the field, e.g. `satellites[0].host` (or `file.csv:12.minutes` for a table row).
    pub path: String,
    /// What is wrong and how to fix it ("… — …").
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Collects problems with their paths.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Record a problem at `path`.
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Number of problems so far (to tell whether a check added any).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No problems?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Has a problem been reported at `path` or below it?
    pub fn any_under(&self, path: &str) -> bool {
        self.0.iter().any(|p| {
            p.path == path
                || p.path
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
    }

    /// Add every problem of another collector, with `prefix` before each path.
    pub fn extend_prefixed(&mut self, prefix: &str, other: Vec<Problem>, suffix: &str) {
        for q in other {
            self.push(
                format!("{prefix}{}", q.path),
                format!("{}{suffix}", q.message),
            );
        }
    }

    /// The problems found.
    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }

    /// The problems found so far.
    pub fn as_slice(&self) -> &[Problem] {
        &self.0
    }

    /// `Ok(value)` when no problem was found, else the error for `file`.
    pub fn finish<T>(self, file: &str, value: impl FnOnce() -> T) -> Result<T, LoadError> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(LoadError::Invalid {
                file: file.to_string(),
                problems: self.0,
            })
        }
    }
}

/// Why an input file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all. The cause is part of the message (and not repeated as
    /// a `source`, so that an error chain prints it once).
    #[error("cannot read {file}: {cause} — check the path")]
    Io {
        /// File.
        file: String,
        /// Cause, as the operating system states it.
        cause: String,
    },
    /// The file was read but has problems (all of them listed).
    #[error("{file}: {} problem{} found:\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" },
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// File.
        file: String,
        /// Every problem.
        problems: Vec<Problem>,
    },
}

impl LoadError {
    /// The error of a file that cannot be read.
    pub fn io(file: &std::path::Path, e: &std::io::Error) -> LoadError {
        LoadError::Io {
            file: file.display().to_string(),
            cause: e.to_string(),
        }
    }

    /// A single problem in `file`.
    pub fn one(file: &str, path: impl Into<String>, message: impl Into<String>) -> LoadError {
        LoadError::Invalid {
            file: file.to_string(),
            problems: vec![Problem {
                path: path.into(),
                message: message.into(),
            }],
        }
    }

    /// The problems of an invalid file (none for an unreadable one).
    pub fn problems(&self) -> &[Problem] {
        match self {
            LoadError::Invalid { problems, .. } => problems,
            LoadError::Io { .. } => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_under_matches_whole_segments() {
        let mut p = Problems::default();
        p.push("zones[3].population", "x");
        assert!(p.any_under("zones"));
        assert!(p.any_under("zones[3]"));
        assert!(!p.any_under("zone"));
        assert!(!p.any_under("zones[3].pop"));
    }

    #[test]
    fn io_error_names_its_cause_once() {
        let e = LoadError::io(
            std::path::Path::new("x.toml"),
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        let chain = format!("{:#}", anyhow::Error::from(e));
        assert_eq!(chain.matches("not found").count(), 1, "{chain}");
    }
}
