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
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a spreadsheet this tool reads (or is damaged).
    #[error("{file}: not a readable spreadsheet: {reason}")]
    Unreadable {
        /// The file (or files, joined with " + ") that was read.
        file: String,
        /// Why, e.g. "a PDF document, not a spreadsheet".
        reason: String,
    },
    /// The file is a spreadsheet but holds nothing to read.
    #[error("{file}: {reason}")]
    Empty {
        /// The file (or files, joined with " + ") that was read.
        file: String,
        /// What is missing, e.g. "the file is empty".
        reason: String,
    },
    /// No sheet carries the labels of a known layout.
    #[error("{file}: no performance target table found: {reason}")]
    NoTable {
        /// The file (or files, joined with " + ") that was read.
        file: String,
        /// Why no table was found.
        reason: String,
    },
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
        /// The file (or files, joined with " + ") that was read.
        file: String,
        /// Where: `Sheet!A1`, or "line 3 column 7" in JSON.
        cell: String,
        /// What was expected.
        message: String,
    },
    /// The input is larger than the reader allows (zip bombs, runaway sheets).
    #[error("{file}: too large: {reason}")]
    TooLarge {
        /// The file (or files, joined with " + ") that was read.
        file: String,
        /// Which limit was passed (see the limits in [`crate::read`]).
        reason: String,
    },
    /// A template file is malformed.
    #[error("template {name}: {message}")]
    Template {
        /// The template file (or built-in id).
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// A layout name that is neither built in nor given as a file.
    #[error("unknown layout {name:?}; known layouts: {known}")]
    UnknownLayout {
        /// The name as given.
        name: String,
        /// The built-in layout ids, comma separated.
        known: String,
    },
    /// The document cannot be expressed in the target layout at all.
    #[error("{message}")]
    Unsupported {
        /// What cannot be done, and why.
        message: String,
    },
    /// Writing the output failed.
    #[error("{path}: cannot write: {reason}")]
    Write {
        /// The file that could not be written (`"<stdout>"` for standard output).
        path: String,
        /// What went wrong.
        reason: String,
    },
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

/// The library's result type: [`Error`] unless said otherwise.
pub type Result<T, E = Error> = std::result::Result<T, E>;
