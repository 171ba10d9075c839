//! Warnings: things a reader or converter noticed that did not stop it.

use std::fmt;

use serde::Serialize;

/// A note for the user, pointing at a cell where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `Sheet!A1` (or a range) where the thing was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// What was noticed.
    pub message: String,
}

impl Warning {
    /// A warning about the file as a whole.
    pub fn new(message: impl Into<String>) -> Warning {
        Warning {
            cell: None,
            message: message.into(),
        }
    }

    /// A warning about a cell (`Sheet!A1`) or range.
    pub fn at(cell: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            cell: Some(cell.into()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cell {
            Some(cell) => write!(f, "{cell}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}
