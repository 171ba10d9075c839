//! File → grid readers.
