//! `check-backend`: checks a cookie-session backend against what Lanyard needs. See `--help`, or the README's
//! "Check your backend". Exit code 0 when nothing failed, 1 when a check failed, 2 when the checks could not
//! run (bad input, unreachable backend, no built app).

use lanyard_e2e::check::args::{self, Parsed};
use lanyard_e2e::check::run;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match args::parse(&argv) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("check-backend: {e}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    match run::run(&args).await {
        Ok(report) => {
            println!("{}", report.summary());
            ExitCode::from(report.exit_code())
        }
        Err(run::Setup(e)) => {
            eprintln!("check-backend: {e}");
            ExitCode::from(2)
        }
    }
}
