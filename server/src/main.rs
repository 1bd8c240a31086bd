use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use lanyard_server::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    if let Err(msg) = config.validate() {
        Config::command()
            .error(clap::error::ErrorKind::ArgumentConflict, msg)
            .exit();
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "lanyard_server=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let signal = match shutdown_signal() {
        Ok(signal) => signal,
        Err(err) => {
            eprintln!("lanyard-server: cannot install signal handlers: {err}");
            return ExitCode::FAILURE;
        }
    };
    let server = match lanyard_server::start(&config).await {
        Ok(server) => server,
        Err(err) => {
            eprintln!("lanyard-server: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Other tools wait for exactly this line.
    println!("lanyard-server listening on {}", server.url());
    let _ = std::io::stdout().flush();
    signal.await;
    tracing::info!("shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are registered when this is called, not
/// when the future is first polled: call it before announcing the address, so that a supervisor
/// that signals right after reading the line never kills us the default way.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    })
}
