//! The library's one error type. Every variant names the file, and the sheet and
//! cell where there is one, and says what was expected.

use std::path::PathBuf;

/// Why a document could not be read, converted or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or read from disk.
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a spreadsheet this tool reads (or is damaged).
    #[error("{file}: not a readable spreadsheet: {reason}")]
    Unreadable { file: String, reason: String },
    /// The file is a spreadsheet but holds nothing to read.
    #[error("{file}: {reason}")]
    Empty { file: String, reason: String },
    /// No sheet carries the labels of a known layout.
    #[error("{file}: no performance target table found: {reason}")]
    NoTable { file: String, reason: String },
    /// The labels match none of the layouts the file was compared with well enough
    /// (see [`crate::convert::MIN_CONFIDENCE`]); `closest` is the best of them.
    #[error(
        "{file}: no performance target table found: the labels match no known layout (closest: {closest} with {found} of its {wanted} labels)"
    )]
    NoLayout {
        /// The file (or files, joined with " + ") that was read.
        file: String,
        /// The id of the layout that came closest.
        closest: String,
        /// How many of that layout's labels were found.
        found: usize,
        /// How many labels that layout has.
        wanted: usize,
    },
    /// A value is not what its label requires.
    #[error("{file}: {cell}: {message}")]
    BadCell {
        file: String,
        cell: String,
        message: String,
    },
    /// The input is larger than the reader allows (zip bombs, runaway sheets).
    #[error("{file}: too large: {reason}")]
    TooLarge { file: String, reason: String },
    /// A template file is malformed.
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    /// A layout name that is neither built in nor given as a file.
    #[error("unknown layout {name:?}; known layouts: {known}")]
    UnknownLayout { name: String, known: String },
    /// The document cannot be expressed in the target layout at all.
    #[error("{message}")]
    Unsupported { message: String },
    /// Writing the output failed.
    #[error("{path}: cannot write: {reason}")]
    Write { path: String, reason: String },
}

impl Error {
    /// The CLI exit code: 2 for input that could not be read, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io { .. }
            | Error::Unreadable { .. }
            | Error::Empty { .. }
            | Error::NoTable { .. }
            | Error::NoLayout { .. }
            | Error::BadCell { .. }
            | Error::TooLarge { .. } => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
