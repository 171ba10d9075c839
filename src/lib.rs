//! jixiao (绩效) reads Chinese budget performance target tables (绩效目标表) in any
//! region's spreadsheet layout, maps them to one canonical model, validates them, and
//! writes them back out in any region's template.

#![warn(missing_docs)]

pub mod error;
pub mod grid;
pub mod model;
pub mod parse;
pub mod read;
pub mod render;
pub(crate) mod text;
pub mod write;

pub use error::{Error, Result};
pub use model::Document;
#[allow(missing_docs)]
pub mod template;
pub mod warning;

pub use template::Template;
pub use warning::Warning;
pub mod batch;
pub mod check;
pub mod convert;
#[allow(missing_docs)]
pub mod infer;
#[allow(missing_docs)]
pub mod loss;
pub mod rollforward;
