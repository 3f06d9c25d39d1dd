use clap::Parser;

fn main() {
    let cli = redlint::cli::Cli::parse();
    let status = match redlint::cli::run(cli) {
        Ok(status) => status,
        Err(e) => {
            eprintln!("redlint: error: {e}");
            2
        }
    };
    std::process::exit(status);
}
