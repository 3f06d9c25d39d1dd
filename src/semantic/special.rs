//! Validation of the directives Redis parses with hand-written code (`special` in the catalog)
//! and of the extra validators some string directives have.

use crate::catalog::Catalog;

/// Parser state that outlives one line: the live command table that `rename-command` edits, the
/// users declared so far, and what must be checked once the whole file is read.
#[derive(Debug, Default)]
pub struct SpecialState {}

/// An error found after the whole file was read; `line_id` is the id given to `check_special`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateError {
    pub line_id: Option<usize>,
    pub message: String,
}

impl SpecialState {
    pub fn new(_catalog: &Catalog) -> Self {
        SpecialState {}
    }
}

/// Check one line of a special directive (`primary` is its primary name, `args` the decoded
/// values after arity handling). `Err` carries redis-server's message.
pub fn check_special(
    _state: &mut SpecialState,
    _catalog: &Catalog,
    _line_id: usize,
    _primary: &str,
    _args: &[Vec<u8>],
) -> Result<(), String> {
    Ok(())
}

/// Run a string directive's extra validator (catalog key `validator`).
pub fn check_validator(
    _catalog: &Catalog,
    _primary: &str,
    _validator: &str,
    _value: &[u8],
) -> Result<(), String> {
    Ok(())
}

/// Checks redis-server makes after parsing (ACL load, users with an aclfile, ...).
pub fn finish(_state: &SpecialState, _catalog: &Catalog, _aclfile_set: bool) -> Vec<LateError> {
    Vec::new()
}
