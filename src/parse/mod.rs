//! Parsers for the text inside cells: indicator values and extraction artifacts.

pub mod clean;
pub mod notes;
pub mod numbered;
pub mod value;
pub mod value_parts;
