//! The binary refuses to start on bad configuration and names the key.

use std::process::Command;

fn run_with(env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_seatsync"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn missing_keys_are_all_named() {
    let (code, stderr) = run_with(&[]);
    assert_eq!(code, 2, "{stderr}");
    for key in [
        "DATABASE_URL",
        "SEATSYNC_SESSION_SECRET",
        "SEATSYNC_OIDC_AUTHORITY",
        "SEATSYNC_OIDC_CLIENT_ID",
        "SEATSYNC_OIDC_CLIENT_SECRET",
    ] {
        assert!(stderr.contains(key), "{key} should be named in:\n{stderr}");
    }
}

#[test]
fn bad_values_say_what_is_expected() {
    let (code, stderr) = run_with(&[
        ("DATABASE_URL", "mysql://nope"),
        ("SEATSYNC_SESSION_SECRET", "short"),
        ("SEATSYNC_OIDC_AUTHORITY", "not a url"),
        ("SEATSYNC_OIDC_CLIENT_ID", "x"),
        ("SEATSYNC_OIDC_CLIENT_SECRET", "y"),
        ("SEATSYNC_BIND_ADDR", "localhost"),
        ("SEATSYNC_GRAPH_URL", "ftp://graph"),
        ("SEATSYNC_OIDC_ROLE_MAP", "SeatSync.Admin=boss"),
        ("SEATSYNC_SMTP_PORT", "seventy"),
        ("SEATSYNC_PAGE_CACHE_SECONDS", "3600"),
        ("SEATSYNC_PAGE_CACHE_MB", "lots"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    for (key, expected) in [
        ("DATABASE_URL", "postgres://"),
        ("SEATSYNC_SESSION_SECRET", "at least 32 characters"),
        ("SEATSYNC_OIDC_AUTHORITY", "absolute http(s) URL"),
        ("SEATSYNC_BIND_ADDR", "HOST:PORT"),
        ("SEATSYNC_GRAPH_URL", "absolute http(s) URL"),
        ("SEATSYNC_OIDC_ROLE_MAP", "'boss' is not a role"),
        ("SEATSYNC_SMTP_PORT", "TCP port"),
        ("SEATSYNC_PAGE_CACHE_SECONDS", "at most 600"),
        ("SEATSYNC_PAGE_CACHE_MB", "whole number of megabytes"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key}:")))
            .unwrap_or_else(|| panic!("{key} not named in:\n{stderr}"));
        assert!(line.contains(expected), "{key}: expected '{expected}' in '{line}'");
    }
}

#[test]
fn toml_file_is_read_and_environment_wins() {
    let dir = std::env::temp_dir().join(format!("seatsync-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seatsync.toml");
    std::fs::write(&file, "session_secret = \"short\"\nbind_addr = \"nonsense\"\n").unwrap();
    let (code, stderr) =
        run_with(&[("SEATSYNC_CONFIG", file.to_str().unwrap()), ("SEATSYNC_BIND_ADDR", "127.0.0.1:0")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("SEATSYNC_SESSION_SECRET: at least 32 characters"), "{stderr}");
    assert!(!stderr.contains("SEATSYNC_BIND_ADDR"), "the environment overrides the file: {stderr}");

    std::fs::write(&file, "this is = = not toml").unwrap();
    let (code, stderr) = run_with(&[("SEATSYNC_CONFIG", file.to_str().unwrap())]);
    assert_eq!(code, 2);
    assert!(stderr.contains("SEATSYNC_CONFIG: valid TOML"), "{stderr}");
}
