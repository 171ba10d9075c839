//! Rendered form → file writers.
