//! `seatsync-sim`: runs the vendor simulator on its own port.
//!
//! ```text
//! seatsync-sim [--addr 127.0.0.1:4010] [--tenants 40] [--seed N] [--latency-ms 0]
//!              [--client-id ID] [--client-secret SECRET] [--public-url URL] [--autotask-hourly-limit 10000]
//!              [--smtp-addr 127.0.0.1:4025]
//!              [--fault path=/v1/customers*,kind=throttle,retry_after=2,times=3]...
//! ```

use seatsync_sim::{spawn, SimConfig};

fn usage() -> ! {
    eprintln!("usage: seatsync-sim [--addr HOST:PORT] [--tenants N] [--first-tenant-subscriptions N] [--seed N] [--latency-ms MS] [--client-id ID] [--client-secret S] [--public-url URL] [--autotask-hourly-limit N] [--smtp-addr HOST:PORT] [--fault RULE]...");
    eprintln!("  RULE: path=/v1/customers*[,method=GET][,contains=TEXT],kind=latency|throttle|status|timeout|malformed|lost_response[,ms=N][,retry_after=S][,status=N][,times=N]");
    std::process::exit(2)
}

fn parse_args() -> (String, SimConfig) {
    let mut config = SimConfig::default();
    let mut addr = "127.0.0.1:4010".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        let number = |v: String| {
            v.parse::<u64>().unwrap_or_else(|_| {
                eprintln!("{flag}: '{v}' is not a whole number");
                usage()
            })
        };
        match flag.as_str() {
            "--addr" => addr = value(),
            "--tenants" => config.tenants = number(value()) as usize,
            "--first-tenant-subscriptions" => config.first_tenant_subscriptions = Some(number(value()) as usize),
            "--seed" => config.seed = number(value()),
            "--latency-ms" => config.latency_ms = number(value()),
            "--client-id" => config.client_id = value(),
            "--client-secret" => config.client_secret = value(),
            "--public-url" => config.public_url = Some(value()),
            "--autotask-hourly-limit" => config.autotask_hourly_limit = number(value()),
            "--smtp-addr" => {
                config.smtp_addr = Some(value().parse().unwrap_or_else(|_| {
                    eprintln!("--smtp-addr: expected HOST:PORT");
                    usage()
                }))
            }
            "--fault" => match value().parse() {
                Ok(rule) => config.faults.push(rule),
                Err(e) => {
                    eprintln!("--fault: {e}");
                    usage()
                }
            },
            "-h" | "--help" => usage(),
            other => {
                eprintln!("unknown flag {other}");
                usage()
            }
        }
    }
    (addr, config)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let (addr, config) = parse_args();
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let tenants = config.tenants;
    let handle = spawn(config, listener).await?;
    let users = handle.sim.msp().demo_users.iter().map(|u| u.email.clone()).collect::<Vec<_>>().join(", ");
    tracing::info!(url = %handle.base_url, smtp = %handle.smtp_addr, authority = %handle.authority(), tenants, demo_users = %users, "vendor simulator ready");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
