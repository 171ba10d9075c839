//! Normalizes clear extraction artifacts in published text.
