//! redlint: a linter and hardener for Redis configuration files.

pub mod syntax;
