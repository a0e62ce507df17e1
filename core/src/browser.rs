//! The browser model (being written).
