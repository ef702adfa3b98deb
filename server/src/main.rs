//! `seatsync`: the SeatSync server.

use server::{config::Source, telemetry, Application, Config};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let config = match Source::from_env().and_then(|s| Config::load(&s)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("See README.md, section Configuration, for every key.");
            std::process::exit(2);
        }
    };
    telemetry::init();
    let app = match Application::build(config.clone()).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "SeatSync could not start");
            std::process::exit(1);
        }
    };
    tracing::info!(addr = %app.local_addr(), public_url = %config.public_url, "SeatSync is listening");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    };
    if let Err(e) = app.run(shutdown).await {
        tracing::error!(error = %e, "server stopped with an error");
        std::process::exit(1);
    }
}
