//! redlint: a linter and hardener for Redis configuration files.
//!
//! Data flows one way: bytes → [`syntax`] tree → [`semantic`] effective config → rules →
//! diagnostics → edits → output.

pub mod catalog;
pub mod syntax;
pub mod version;
