use clap::Parser;
use redlint::cli::UsageError;

fn main() {
    let cli = redlint::cli::Cli::parse();
    let status = match redlint::cli::run(cli) {
        Ok(status) => status,
        Err(UsageError::Rules(e)) => {
            // A broken rule file: show the TOML with the offending span.
            eprintln!("{:?}", miette::Report::new(*e));
            2
        }
        Err(e) => {
            eprintln!("redlint: error: {e}");
            2
        }
    };
    std::process::exit(status);
}
