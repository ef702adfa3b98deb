//! SeatSync's configuration: one typed struct, loaded once at start from environment variables
//! and an optional TOML file, validated as a whole. A bad or missing value stops the server with
//! a message naming the key and what is expected.
//!
//! Every key is an environment variable (`SEATSYNC_…`, plus the conventional `DATABASE_URL`). The
//! TOML file, named by `SEATSYNC_CONFIG`, uses the same names in lower case without the prefix
//! (`bind_addr = "0.0.0.0:3000"`); the environment wins over the file.

use std::{collections::BTreeMap, fmt, net::SocketAddr};

use seatsync_domain::RoleMap;
use seatsync_integrations::SecretsKey;
use url::Url;

/// A secret: kept out of `Debug` output and logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: PostgreSQL connection URL.
    pub database_url: Secret,
    /// `SEATSYNC_DATABASE_MAX_CONNECTIONS`: pool size (default 10).
    pub database_max_connections: u32,
    /// `SEATSYNC_BIND_ADDR`: address the HTTP server listens on (default 127.0.0.1:3000).
    pub bind_addr: SocketAddr,
    /// `SEATSYNC_PUBLIC_URL`: the URL people use to reach SeatSync; sign-in redirects there and
    /// cookies are `Secure` when it is https (default http://127.0.0.1:3000).
    pub public_url: Url,
    /// `SEATSYNC_SESSION_SECRET`: at least 32 characters; signs the session cookie.
    pub session_secret: Secret,
    /// `SEATSYNC_SESSION_IDLE_MINUTES`: a session ends after this long without a request (default 480).
    pub session_idle_minutes: i64,
    /// `SEATSYNC_SESSION_MAX_HOURS`: a session ends this long after sign-in, however active
    /// (default 12).
    pub session_max_hours: i64,
    pub oidc: OidcConfig,
    /// `SEATSYNC_BOOTSTRAP_ADMIN_EMAIL`: made Admin at first sign-in, whatever Entra ID says.
    pub bootstrap_admin_email: Option<String>,
    /// The integrations' environment variables (`SEATSYNC_PARTNER_CENTER_CLIENT_ID`, … as
    /// `seatsync_domain::integration` lists them), checked here; they win over the values saved
    /// on the Integrations page.
    pub integration_env: IntegrationEnv,
    /// `SEATSYNC_SECRETS_KEY`: encrypts the secrets saved on the Integrations page (32 random
    /// bytes, base64 or hex). Without it, secrets can only come from the environment.
    pub secrets_key: Option<SecretsKey>,
    /// `SEATSYNC_SECRETS_KEY_PREVIOUS`: during a key rotation, the key being replaced.
    pub previous_secrets_key: Option<SecretsKey>,
    pub sync: SyncConfig,
    /// `SEATSYNC_PAGE_CACHE_SECONDS` (default 30; 0 turns it off) and `SEATSYNC_PAGE_CACHE_MB`
    /// (default 64): how long a rendered page may be served again while nothing changes, and
    /// the memory all kept pages may take (see `page_cache`).
    pub page_cache: crate::page_cache::PageCacheConfig,
    /// `SEATSYNC_LINK_LIFETIME_DAYS`: how long a reduction link (in a ticket, or made on the
    /// Alerts page) works (default 7, 1 to 90).
    pub link_lifetime: chrono::Duration,
}

/// The integrations' variables as the environment sets them. Some are secrets, so `Debug` shows
/// only which are set.
#[derive(Clone, Default)]
pub struct IntegrationEnv(pub BTreeMap<String, String>);

impl fmt::Debug for IntegrationEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// The licence sync job.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// `SEATSYNC_LICENCE_SYNC_CRON`: when the scheduled sync runs, as a cron expression with
    /// seconds, in UTC (default `0 0 2 * * *`, nightly at 02:00).
    pub licence_cron: cron::Schedule,
    /// `SEATSYNC_SYNC_ON_FIRST_START`: run a licence sync when SeatSync starts and has never
    /// synced, so a new installation shows data at once (default true).
    pub on_first_start: bool,
    /// `SEATSYNC_SYNC_CONCURRENCY`: vendor requests the licence sync keeps in flight at once
    /// (default 16).
    pub concurrency: usize,
    /// `SEATSYNC_DEMO_SETUP_TENANTS`: on a database where no mapping was ever changed, SeatSync
    /// maps this many tenants (the surest suggestions) and their exactly fitting offers itself
    /// once the first sync is done, so a demo shows prices and contracts at once (default 0:
    /// never; `scripts/demo` sets 5). See `demo.rs`.
    pub demo_setup_tenants: usize,
    /// `SEATSYNC_AUTOTASK_REFRESH_CRON`: when Autotask's companies and services are re-read
    /// (default hourly, `0 15 * * * *`).
    pub autotask_refresh_cron: cron::Schedule,
    /// `SEATSYNC_CONTRACT_SYNC_CRON`: when contracts are brought in line with Partner Center
    /// (default nightly at 03:00 UTC, after the licence sync).
    pub contract_sync_cron: cron::Schedule,
    /// `SEATSYNC_CONTRACT_RESUME_CRON`: when contract creations stopped half-way are looked for
    /// and carried to their end (default every minute, `0 * * * * *`).
    pub contract_resume_cron: cron::Schedule,
    /// `SEATSYNC_DELIVERY_RESUME_CRON`: when tickets and e-mails stopped half-way are looked for
    /// and carried to their end (default every minute, at second 30: `30 * * * * *`).
    pub delivery_resume_cron: cron::Schedule,
    /// `SEATSYNC_LICENCE_ALERTS_CRON`: when Pax8 is read and every tenant's reducible seats are
    /// found (default daily at 06:00 UTC: `0 0 6 * * *`).
    pub licence_alerts_cron: cron::Schedule,
    /// `SEATSYNC_BILLING_REPORT_CRON`: when the billing count report is made (default 07:00 UTC
    /// on the first of each month: `0 0 7 1 * *`).
    pub billing_report_cron: cron::Schedule,
    /// `SEATSYNC_JOB_LEASE_SECONDS`: a running job's heartbeat interval; when its instance stops,
    /// another instance takes the run over after this long without a heartbeat (default 30).
    pub job_lease: std::time::Duration,
    /// `SEATSYNC_JOB_POLL_SECONDS`: how often an idle instance looks for runs to take over (new
    /// runs wake it at once) and for integration settings saved on another instance (default 10).
    pub job_poll: std::time::Duration,
}

/// Sign-in through Microsoft Entra ID (OpenID Connect, authorization code with PKCE).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// `SEATSYNC_OIDC_AUTHORITY`: the issuer, e.g. `https://login.microsoftonline.com/<tenant-id>/v2.0`.
    pub authority: Url,
    /// `SEATSYNC_OIDC_CLIENT_ID`: the app registration's application (client) id.
    pub client_id: String,
    /// `SEATSYNC_OIDC_CLIENT_SECRET`.
    pub client_secret: Secret,
    /// `SEATSYNC_OIDC_ROLE_MAP`: app-role values to SeatSync roles
    /// (default `SeatSync.Admin=admin,SeatSync.Editor=editor,SeatSync.Viewer=viewer`).
    pub role_map: RoleMap,
}

/// One problem with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub key: String,
    pub expected: String,
}

/// Every problem found, so the operator can fix them all in one go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "SeatSync cannot start: the configuration has {} problem(s):", self.problems.len())?;
        for p in &self.problems {
            writeln!(f, "  {}: {}", p.key, p.expected)?;
        }
        Ok(())
    }
}

/// Raw key/value source: the environment over the optional TOML file.
pub struct Source {
    values: BTreeMap<String, String>,
}

impl Source {
    /// Reads the process environment and, when `SEATSYNC_CONFIG` names one, the TOML file.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_pairs(std::env::vars())
    }

    /// Builds a source from explicit pairs (as if they were the environment).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = pairs.into_iter().collect();
        let mut values = BTreeMap::new();
        if let Some(path) = env.get("SEATSYNC_CONFIG").filter(|p| !p.is_empty()) {
            let problem = |expected: String| ConfigError {
                problems: vec![ConfigProblem { key: "SEATSYNC_CONFIG".into(), expected }],
            };
            let text = std::fs::read_to_string(path)
                .map_err(|e| problem(format!("a readable TOML file; reading '{path}' failed: {e}")))?;
            let table: toml::Table = text.parse().map_err(|e| problem(format!("valid TOML in '{path}': {e}")))?;
            for (k, v) in table {
                let value = match v {
                    toml::Value::String(s) => s,
                    other => other.to_string(),
                };
                let key = if k.eq_ignore_ascii_case("database_url") {
                    "DATABASE_URL".to_string()
                } else {
                    format!("SEATSYNC_{}", k.to_ascii_uppercase())
                };
                values.insert(key, value);
            }
        }
        for (k, v) in env {
            if k == "DATABASE_URL" || k.starts_with("SEATSYNC_") {
                values.insert(k, v);
            }
        }
        Ok(Self { values })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// Collects problems while reading keys, so all are reported at once.
struct Reader<'a> {
    source: &'a Source,
    problems: Vec<ConfigProblem>,
}

impl Reader<'_> {
    fn problem(&mut self, key: &str, expected: impl Into<String>) {
        self.problems.push(ConfigProblem { key: key.into(), expected: expected.into() });
    }

    fn optional(&self, key: &str) -> Option<String> {
        self.source.get(key).map(str::to_string)
    }

    /// A required value; when missing, the problem is recorded and an empty placeholder
    /// returned (the load fails as a whole, so the placeholder is never used).
    fn required(&mut self, key: &str, expected: &str) -> String {
        self.optional(key).unwrap_or_else(|| {
            self.problem(key, format!("is required: {expected}"));
            String::new()
        })
    }

    fn parse_url(&mut self, key: &str, raw: &str) -> Option<Url> {
        match Url::parse(raw) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            _ => {
                self.problem(key, format!("an absolute http(s) URL, got '{raw}'"));
                None
            }
        }
    }

    /// A URL with a default (the vendor's real public endpoint).
    fn url(&mut self, key: &str, default: &str) -> Url {
        let raw = self.optional(key).unwrap_or_else(|| default.to_string());
        self.parse_url(key, &raw).unwrap_or_else(placeholder_url)
    }

    fn cron(&mut self, key: &str, default: &str) -> cron::Schedule {
        let text = self.optional(key).unwrap_or_else(|| default.into());
        text.parse::<cron::Schedule>().unwrap_or_else(|e| {
            self.problem(key, format!("a cron expression with seconds such as '{default}' ({e})"));
            default.parse().expect("the default schedule is valid")
        })
    }

    fn number<T: std::str::FromStr>(&mut self, key: &str, default: T, expected: &str) -> T {
        match self.optional(key) {
            None => default,
            Some(raw) => raw.parse().unwrap_or_else(|_| {
                self.problem(key, format!("{expected}, got '{raw}'"));
                default
            }),
        }
    }
}

/// Stands in for a URL that failed validation; never used, because the load then fails.
fn placeholder_url() -> Url {
    Url::parse("http://invalid.invalid/").expect("a constant, valid URL")
}

/// What `scripts/demo` puts in the session secrets it generates: such a secret is public
/// knowledge in effect (anyone with the demo can make one), so it is refused for a server other
/// people reach.
pub const DEMO_SECRET_MARKER: &str = "demo-only";

/// Whether a URL names this machine only (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

const DEFAULT_LICENCE_CRON: &str = "0 0 2 * * *";
const DEFAULT_AUTOTASK_REFRESH_CRON: &str = "0 15 * * * *";
const DEFAULT_CONTRACT_SYNC_CRON: &str = "0 0 3 * * *";
const DEFAULT_CONTRACT_RESUME_CRON: &str = "0 * * * * *";
const DEFAULT_DELIVERY_RESUME_CRON: &str = "30 * * * * *";
const DEFAULT_LICENCE_ALERTS_CRON: &str = "0 0 6 * * *";
const DEFAULT_BILLING_REPORT_CRON: &str = "0 0 7 1 * *";
const DEFAULT_ROLE_MAP: &str = "SeatSync.Admin=admin,SeatSync.Editor=editor,SeatSync.Viewer=viewer";

impl Config {
    /// Reads and validates everything; the error lists every problem found.
    pub fn load(source: &Source) -> Result<Config, ConfigError> {
        let mut r = Reader { source, problems: Vec::new() };

        let database_url =
            r.required("DATABASE_URL", "a PostgreSQL URL such as postgres://user@127.0.0.1:5432/seatsync");
        let postgres_url = database_url.starts_with("postgres://") || database_url.starts_with("postgresql://");
        if !database_url.is_empty() && !postgres_url {
            r.problem("DATABASE_URL", "a URL starting with postgres:// or postgresql://");
        }
        let database_max_connections =
            r.number("SEATSYNC_DATABASE_MAX_CONNECTIONS", 10u32, "a whole number of connections");
        if database_max_connections == 0 {
            r.problem("SEATSYNC_DATABASE_MAX_CONNECTIONS", "at least 1");
        }
        let bind_addr = r.number(
            "SEATSYNC_BIND_ADDR",
            SocketAddr::from(([127, 0, 0, 1], 3000)),
            "HOST:PORT such as 127.0.0.1:3000",
        );
        let public_url = r.url("SEATSYNC_PUBLIC_URL", "http://127.0.0.1:3000");
        let session_secret = r.required(
            "SEATSYNC_SESSION_SECRET",
            "a random string of at least 32 characters (e.g. openssl rand -hex 32)",
        );
        if !session_secret.is_empty() && session_secret.chars().count() < 32 {
            r.problem("SEATSYNC_SESSION_SECRET", "at least 32 characters");
        }
        if session_secret.contains(DEMO_SECRET_MARKER) && !is_loopback(&public_url) {
            r.problem(
                "SEATSYNC_SESSION_SECRET",
                format!("a secret of your own: this one is the demo's (it contains '{DEMO_SECRET_MARKER}'), which is refused unless SEATSYNC_PUBLIC_URL is a loopback address"),
            );
        }
        let session_idle_minutes = r.number("SEATSYNC_SESSION_IDLE_MINUTES", 480i64, "a whole number of minutes");
        if !(5..=60 * 24 * 30).contains(&session_idle_minutes) {
            r.problem("SEATSYNC_SESSION_IDLE_MINUTES", "between 5 and 43200 minutes");
        }
        let session_max_hours = r.number("SEATSYNC_SESSION_MAX_HOURS", 12i64, "a whole number of hours");
        if !(1..=24 * 30).contains(&session_max_hours) {
            r.problem("SEATSYNC_SESSION_MAX_HOURS", "between 1 and 720 hours");
        } else if session_idle_minutes > session_max_hours * 60 {
            r.problem("SEATSYNC_SESSION_IDLE_MINUTES", format!("at most SEATSYNC_SESSION_MAX_HOURS ({session_max_hours} h): a session cannot stay idle longer than it may live"));
        }

        let authority = r.required(
            "SEATSYNC_OIDC_AUTHORITY",
            "the sign-in authority, e.g. https://login.microsoftonline.com/<your-tenant-id>/v2.0",
        );
        let authority = if authority.is_empty() {
            placeholder_url()
        } else {
            r.parse_url("SEATSYNC_OIDC_AUTHORITY", &authority).unwrap_or_else(placeholder_url)
        };
        let client_id = r.required("SEATSYNC_OIDC_CLIENT_ID", "the Entra app registration's application (client) id");
        let client_secret = r.required("SEATSYNC_OIDC_CLIENT_SECRET", "a client secret of that app registration");
        let role_map_text = r.optional("SEATSYNC_OIDC_ROLE_MAP").unwrap_or_else(|| DEFAULT_ROLE_MAP.into());
        let role_map = RoleMap::parse(&role_map_text).unwrap_or_else(|e| {
            r.problem(
                "SEATSYNC_OIDC_ROLE_MAP",
                format!("CLAIM_VALUE=viewer|editor|admin pairs separated by commas ({e})"),
            );
            RoleMap::parse(DEFAULT_ROLE_MAP).expect("the default role map is valid")
        });
        let bootstrap_admin_email = r.optional("SEATSYNC_BOOTSTRAP_ADMIN_EMAIL");
        if bootstrap_admin_email.as_ref().is_some_and(|e| !e.contains('@')) {
            r.problem("SEATSYNC_BOOTSTRAP_ADMIN_EMAIL", "an e-mail address");
        }

        let mut integration_env = IntegrationEnv::default();
        for (_, spec) in seatsync_domain::integration::all_fields() {
            let Some(raw) = r.optional(spec.env) else { continue };
            match spec.check(&raw) {
                Ok(value) => {
                    if spec.kind == seatsync_domain::integration::FieldKind::Url {
                        r.parse_url(spec.env, &value);
                    }
                    integration_env.0.insert(spec.env.to_string(), value);
                }
                Err(problem) => r.problem(spec.env, problem),
            }
        }
        let mut key = |var: &str| {
            let raw = r.optional(var)?;
            SecretsKey::parse(&raw).map_err(|e| r.problem(var, e)).ok()
        };
        let secrets_key = key(seatsync_integrations::SECRETS_KEY_VAR);
        let previous_secrets_key = key(seatsync_integrations::PREVIOUS_SECRETS_KEY_VAR);
        if previous_secrets_key.is_some() && secrets_key.is_none() {
            r.problem(
                seatsync_integrations::SECRETS_KEY_VAR,
                format!(
                    "is required when {} is set: it is the key the secrets move to",
                    seatsync_integrations::PREVIOUS_SECRETS_KEY_VAR
                ),
            );
        }
        let licence_cron = r.cron("SEATSYNC_LICENCE_SYNC_CRON", DEFAULT_LICENCE_CRON);
        let concurrency = r.number("SEATSYNC_SYNC_CONCURRENCY", 16usize, "a whole number of requests");
        if !(1..=256).contains(&concurrency) {
            r.problem("SEATSYNC_SYNC_CONCURRENCY", "between 1 and 256");
        }
        let on_first_start = r.number("SEATSYNC_SYNC_ON_FIRST_START", true, "true or false");
        let demo_setup_tenants = r.number("SEATSYNC_DEMO_SETUP_TENANTS", 0usize, "a whole number of tenants");
        let contract_resume_cron = r.cron("SEATSYNC_CONTRACT_RESUME_CRON", DEFAULT_CONTRACT_RESUME_CRON);
        let delivery_resume_cron = r.cron("SEATSYNC_DELIVERY_RESUME_CRON", DEFAULT_DELIVERY_RESUME_CRON);
        let licence_alerts_cron = r.cron("SEATSYNC_LICENCE_ALERTS_CRON", DEFAULT_LICENCE_ALERTS_CRON);
        let billing_report_cron = r.cron("SEATSYNC_BILLING_REPORT_CRON", DEFAULT_BILLING_REPORT_CRON);
        let lease_seconds = r.number("SEATSYNC_JOB_LEASE_SECONDS", 30.0f64, "a number of seconds");
        if !(0.5..=600.0).contains(&lease_seconds) {
            r.problem("SEATSYNC_JOB_LEASE_SECONDS", "between 0.5 and 600 seconds");
        }
        let poll_seconds = r.number("SEATSYNC_JOB_POLL_SECONDS", 10.0f64, "a number of seconds");
        if !(0.1..=600.0).contains(&poll_seconds) {
            r.problem("SEATSYNC_JOB_POLL_SECONDS", "between 0.1 and 600 seconds");
        }
        let sync = SyncConfig {
            licence_cron,
            autotask_refresh_cron: r.cron("SEATSYNC_AUTOTASK_REFRESH_CRON", DEFAULT_AUTOTASK_REFRESH_CRON),
            contract_sync_cron: r.cron("SEATSYNC_CONTRACT_SYNC_CRON", DEFAULT_CONTRACT_SYNC_CRON),
            concurrency,
            on_first_start,
            demo_setup_tenants,
            contract_resume_cron,
            delivery_resume_cron,
            licence_alerts_cron,
            billing_report_cron,
            job_lease: std::time::Duration::from_secs_f64(lease_seconds.clamp(0.5, 600.0)),
            job_poll: std::time::Duration::from_secs_f64(poll_seconds.clamp(0.1, 600.0)),
        };
        let page_cache_seconds = r.number("SEATSYNC_PAGE_CACHE_SECONDS", 30u64, "a whole number of seconds");
        if page_cache_seconds > 600 {
            r.problem("SEATSYNC_PAGE_CACHE_SECONDS", "at most 600: pages say how long ago things happened");
        }
        let page_cache_mb = r.number("SEATSYNC_PAGE_CACHE_MB", 64usize, "a whole number of megabytes");
        if !(1..=4096).contains(&page_cache_mb) {
            r.problem("SEATSYNC_PAGE_CACHE_MB", "between 1 and 4096");
        }
        let page_cache = crate::page_cache::PageCacheConfig {
            max_age: std::time::Duration::from_secs(page_cache_seconds),
            max_bytes: page_cache_mb * 1024 * 1024,
        };

        let link_days = r.number("SEATSYNC_LINK_LIFETIME_DAYS", 7i64, "a whole number of days");
        if !(1..=90).contains(&link_days) {
            r.problem("SEATSYNC_LINK_LIFETIME_DAYS", "between 1 and 90 days");
        }

        if !r.problems.is_empty() {
            return Err(ConfigError { problems: r.problems });
        }
        Ok(Config {
            database_url: Secret(database_url),
            database_max_connections,
            bind_addr,
            public_url,
            session_secret: Secret(session_secret),
            session_idle_minutes,
            session_max_hours,
            oidc: OidcConfig { authority, client_id, client_secret: Secret(client_secret), role_map },
            bootstrap_admin_email,
            integration_env,
            secrets_key,
            previous_secrets_key,
            sync,
            page_cache,
            link_lifetime: chrono::Duration::days(link_days.clamp(1, 90)),
        })
    }

    /// Whether cookies must be `Secure`.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Vec<(String, String)> {
        [
            ("DATABASE_URL", "postgres://postgres@127.0.0.1/seatsync"),
            ("SEATSYNC_SESSION_SECRET", "0123456789abcdef0123456789abcdef"),
            ("SEATSYNC_OIDC_AUTHORITY", "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"),
            ("SEATSYNC_OIDC_CLIENT_ID", "client"),
            ("SEATSYNC_OIDC_CLIENT_SECRET", "secret"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn load(pairs: Vec<(String, String)>) -> Result<Config, ConfigError> {
        Config::load(&Source::from_pairs(pairs)?)
    }

    #[test]
    fn defaults_are_local_and_safe() {
        let c = load(minimal()).unwrap();
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:3000");
        assert!(!c.is_https());
        assert_eq!(c.session_idle_minutes, 480);
        assert!(c.integration_env.0.is_empty());
        assert!(c.secrets_key.is_none());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let mut pairs = minimal();
        pairs.push(("SEATSYNC_AUTOTASK_SECRET".into(), "autotask-password-0123456789abcdef".into()));
        let c = load(pairs).unwrap();
        assert!(!format!("{c:?}").contains("autotask-password"));
        let text = format!("{c:?}");
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(!text.contains("postgres://"), "{text}");
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let mut pairs = minimal();
        pairs.push(("SEATSYNC_PUBLIC_URL".into(), "https://seatsync.msp.example".into()));
        assert!(load(pairs).unwrap().is_https());
    }

    #[test]
    fn blank_values_count_as_missing() {
        let mut pairs = minimal();
        pairs.retain(|(k, _)| k != "SEATSYNC_OIDC_CLIENT_ID");
        pairs.push(("SEATSYNC_OIDC_CLIENT_ID".into(), "   ".into()));
        let err = load(pairs).unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert_eq!(err.problems[0].key, "SEATSYNC_OIDC_CLIENT_ID");
    }

    #[test]
    fn the_demo_secret_is_refused_off_this_machine() {
        let demo = |url: &str| {
            let mut pairs = minimal();
            pairs.retain(|(k, _)| k != "SEATSYNC_SESSION_SECRET");
            pairs.push(("SEATSYNC_SESSION_SECRET".into(), "demo-only-0123456789abcdef0123456789abcdef".into()));
            pairs.push(("SEATSYNC_PUBLIC_URL".into(), url.into()));
            load(pairs)
        };
        assert!(demo("http://127.0.0.1:3000").is_ok());
        assert!(demo("http://localhost:3000").is_ok());
        assert!(demo("http://[::1]:3000").is_ok());
        let err = demo("https://seatsync.msp.example").unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert_eq!(err.problems[0].key, "SEATSYNC_SESSION_SECRET");
        assert!(err.problems[0].expected.contains("demo"), "{}", err.problems[0].expected);
    }

    #[test]
    fn sessions_have_an_idle_and_an_absolute_limit() {
        let c = load(minimal()).unwrap();
        assert_eq!((c.session_idle_minutes, c.session_max_hours), (480, 12));
        let mut pairs = minimal();
        pairs.push(("SEATSYNC_SESSION_MAX_HOURS".into(), "4".into()));
        let err = load(pairs).unwrap_err();
        assert_eq!(err.problems[0].key, "SEATSYNC_SESSION_IDLE_MINUTES", "480 idle minutes exceed 4 hours");
    }

    #[test]
    fn integration_variables_are_checked_at_start() {
        let mut pairs = minimal();
        pairs.push(("SEATSYNC_SMTP_PORT".into(), "seven".into()));
        pairs.push(("SEATSYNC_PAX8_API_URL".into(), "api.pax8.com".into()));
        pairs.push(("SEATSYNC_GRAPH_CLIENT_ID".into(), " graph-app ".into()));
        let err = load(pairs.clone()).unwrap_err();
        let keys: Vec<&str> = err.problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["SEATSYNC_PAX8_API_URL", "SEATSYNC_SMTP_PORT"]);
        pairs.retain(|(k, _)| !k.starts_with("SEATSYNC_PAX8") && !k.starts_with("SEATSYNC_SMTP"));
        let c = load(pairs).unwrap();
        assert_eq!(c.integration_env.0.get("SEATSYNC_GRAPH_CLIENT_ID").map(String::as_str), Some("graph-app"));
    }

    #[test]
    fn a_bad_secrets_key_is_named() {
        let mut pairs = minimal();
        pairs.push(("SEATSYNC_SECRETS_KEY".into(), "not-a-key".into()));
        let err = load(pairs).unwrap_err();
        assert_eq!(err.problems[0].key, "SEATSYNC_SECRETS_KEY");
        assert!(err.problems[0].expected.contains("openssl rand -base64 32"), "{:?}", err.problems);

        let mut pairs = minimal();
        pairs.push(("SEATSYNC_SECRETS_KEY_PREVIOUS".into(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into()));
        let err = load(pairs).unwrap_err();
        assert_eq!(err.problems[0].key, "SEATSYNC_SECRETS_KEY", "a rotation needs the new key");
    }

    #[test]
    fn the_secrets_key_stays_out_of_debug_output() {
        let mut pairs = minimal();
        pairs.push(("SEATSYNC_SECRETS_KEY".into(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into()));
        let c = load(pairs).unwrap();
        assert!(c.secrets_key.is_some());
        assert!(!format!("{c:?}").contains("AAECAwQF"));
    }
}
