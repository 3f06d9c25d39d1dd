//! The effective configuration: every line read the way redis-server reads it (includes spliced
//! in place, aliases resolved, repeats applied per the catalog), the validity of each line for the
//! target version, and the value the server will actually run with.

pub mod acl;
mod analysis;
mod arglist;
pub mod cmdline;
pub mod deployment;
pub mod detect;
mod environment;
pub mod facts;
pub mod files;
mod loader;
mod model;
pub mod secrets;
pub mod sentinel;
pub mod special;
mod startup;
pub mod values;
mod view;

pub use analysis::{Analysis, CheckOptions, LateError};
pub use arglist::ArgList;
pub use loader::analyze;
pub use model::{
    Entry, LineOrigin, Model, Origin, Provenance, SavePoint, ServerState, Setting, same_word,
};
pub use startup::refusals as startup_refusals;
pub use view::ServerView;
