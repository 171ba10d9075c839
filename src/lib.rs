//! jixiao (绩效) reads Chinese budget performance target tables (绩效目标表) in any
//! region's spreadsheet layout, maps them to one canonical model, validates them, and
//! writes them back out in any region's template.
//!
//! # The pipeline
//!
//! 1. **Read** ([`read`]): a file (xlsx, xls, ods, an HTML table export, CSV or TSV,
//!    told apart by content) becomes a [`grid::Workbook`]: sheets of cells that know
//!    their merged areas.
//! 2. **Model** ([`template`], [`convert`]): the workbook's layout is detected (or given)
//!    and its template reads the grid into a [`Document`], the canonical model
//!    ([`model`]), whose JSON form is a public interface.
//! 3. **Check** ([`check`]): sums, spending schedules, dates, indicator values and
//!    classes are validated; each [`check::Finding`] points at a cell.
//! 4. **Write** ([`convert::render_outputs`], [`render`], [`mod@write`]): a template renders
//!    the document into a form, written as xlsx or CSV; or the document is written as
//!    canonical JSON. What the target layout cannot hold is listed in a
//!    [`loss::LossReport`].
//!
//! [`convert`] ties the steps together ([`convert::load`], [`convert::render_outputs`],
//! [`convert::save`]); [`batch`] runs them over a folder tree and [`rollforward`] moves
//! a table to a new budget year.
//!
//! # Example
//!
//! ```
//! use std::path::Path;
//!
//! use jixiao::Template;
//! use jixiao::convert::{self, Format, ReadOptions, WriteOptions};
//! use jixiao::write::CsvEncoding;
//!
//! let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/luan_2023.xlsx"));
//! let loaded = convert::load(path, &ReadOptions::default())?;
//! let doc = &loaded.document;
//! println!("{} project(s) in layout {}", doc.projects.len(), doc.source.layout);
//! assert_eq!(doc.projects.len(), 2);
//!
//! // Validate it.
//! let findings = jixiao::check::check(doc);
//! println!("{}", jixiao::check::Counts::of(&findings));
//!
//! // Write it in the national layout, as xlsx bytes …
//! let options = WriteOptions {
//!     format: Format::Xlsx,
//!     template: Some(Template::builtin("national")?),
//!     embed: true,
//!     csv_encoding: CsvEncoding::Utf8Bom,
//! };
//! let rendered = convert::render_outputs(doc, &options)?;
//! assert!(rendered.outputs[0].bytes.starts_with(b"PK"));
//!
//! // … or as canonical JSON.
//! let json = convert::to_json(doc);
//! assert!(json.contains("\"schema\": \"jixiao/1\""));
//! # Ok::<(), jixiao::Error>(())
//! ```

#![warn(missing_docs)]

pub mod batch;
pub mod check;
pub mod collect;
pub mod convert;
pub mod draft;
pub mod error;
pub mod explain;
pub mod grid;
pub mod infer;
pub mod loss;
pub mod model;
pub mod parse;
pub mod pool;
pub mod read;
pub mod render;
pub mod rollforward;
pub mod serve;
pub mod template;
pub(crate) mod text;
pub mod units;
pub mod warning;
pub mod write;

pub use error::{Error, Result};
pub use model::Document;
pub use template::Template;
pub use warning::Warning;
