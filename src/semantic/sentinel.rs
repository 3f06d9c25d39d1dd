//! Sentinel mode: the `sentinel <sub> ...` lines of a Sentinel config, checked the way
//! redis-server started with `--sentinel` (or as `redis-sentinel`) checks them.

use super::special::LateError;
use crate::catalog::Catalog;

/// What the sentinel lines declared so far (masters by name, ...).
#[derive(Debug, Default)]
pub struct SentinelState {}

impl SentinelState {
    pub fn new(_catalog: &Catalog) -> Self {
        SentinelState {}
    }
}

/// Check one `sentinel` line in sentinel mode; `args` are the values after `sentinel`.
/// `Err` is redis-server's message when it rejects the line at once (≤6.0); from 6.2 lines are
/// queued and checked in [`finish`].
pub fn check_line(
    _state: &mut SentinelState,
    _catalog: &Catalog,
    _line_id: usize,
    _args: &[Vec<u8>],
) -> Result<(), String> {
    Ok(())
}

/// Errors of the queued sentinel lines (6.2+), in the order redis-server replays them.
pub fn finish(_state: &SentinelState, _catalog: &Catalog) -> Vec<LateError> {
    Vec::new()
}
