//! Output: one [`Reporter`] per format. Line and column are worked out here, from the spans,
//! and every reporter shows sources with their secrets masked.

mod human;
mod json;
mod reporter;

pub use human::Human;
pub use json::Json;
pub use reporter::{Counts, Reporter};
