//! Output: one [`Reporter`] per format. Line and column are worked out here, from the spans,
//! and every reporter shows sources with their secrets masked.

mod concise;
mod display;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod reporter;
mod sarif;

pub use concise::Concise;
pub use display::printable;
pub use github::Github;
pub use gitlab::Gitlab;
pub use human::{Human, Statistics};
pub use json::Json;
pub use junit::Junit;
pub use reporter::{Counts, FileStream, LineStream, MASK, Reporter};
pub use sarif::Sarif;
