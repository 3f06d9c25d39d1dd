mod cli;
mod walk;

use clap::Parser;
use cli::{ExitStatus, UsageError};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(status) => status.into(),
        Err(UsageError::Rules(e)) => {
            // A broken rule file: show the TOML with the offending span.
            eprintln!("{:?}", miette::Report::new(*e));
            ExitStatus::Error.into()
        }
        Err(e) => {
            eprintln!("redlint: error: {e}");
            ExitStatus::Error.into()
        }
    }
}
