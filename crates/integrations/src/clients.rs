//! The vendor clients, built from the integrations' resolved values.

use std::{sync::Arc, time::Duration};

use seatsync_db::PgPool;
use seatsync_domain::kinds::IntegrationKey;
use seatsync_licence_sync::LicenceSync;
use seatsync_vendors::{
    automate::{Automate, AutomateSettings, HttpAutomate},
    autotask::{Autotask, AutotaskSettings, HttpAutotask},
    auvik::{Auvik, AuvikSettings, Counting, HttpAuvik},
    connectwise::{ConnectWise, ConnectWiseSettings, HttpConnectWise},
    datto_rmm::{DattoRmm, DattoRmmSettings, HttpDattoRmm},
    duo::{Duo, DuoSettings, HttpDuo},
    graph::{GraphSettings, HttpGraph},
    halo::{Halo, HaloSettings, HttpHalo},
    http::RetryPolicy,
    huntress::{AgentCounting, HttpHuntress, Huntress, HuntressSettings},
    ninjaone::{HttpNinjaOne, NinjaOne, NinjaOneSettings},
    partner_center::{HttpPartnerCenter, PartnerCenterSettings},
    pax8::{HttpPax8, Pax8, Pax8Settings},
    sentinelone::{CustomerLevel, HttpSentinelOne, SentinelOne, SentinelOneSettings},
    smtp::{Mailer, SmtpMailer, SmtpSecurity, SmtpSettings},
};
use url::Url;

use crate::{ClientSlots, IntegrationsError, Resolved};

/// Puts a client built from `resolved` into each slot (or empties it when its integration is not
/// configured). Clients already handed out finish their work with the settings they had.
pub(crate) fn rebuild(
    pool: &PgPool,
    resolved: &Resolved,
    slots: &ClientSlots,
    concurrency: usize,
) -> Result<(), IntegrationsError> {
    slots.licence_sync.set(licence_sync(pool, resolved, concurrency)?);
    slots.autotask.set(autotask(resolved)?);
    slots.pax8.set(pax8(resolved)?);
    slots.connectwise.set(connectwise(resolved)?);
    slots.halo.set(halo(resolved)?);
    slots.mailer.set(mailer(resolved)?);
    slots.datto_rmm.set(datto_rmm(resolved)?);
    slots.huntress.set(huntress(resolved)?);
    slots.ninjaone.set(ninjaone(resolved)?);
    slots.sentinelone.set(sentinelone(resolved)?);
    slots.automate.set(automate(resolved)?);
    slots.duo.set(duo(resolved)?);
    slots.auvik.set(auvik(resolved)?);
    Ok(())
}

/// A URL field's value; a stored value that no longer parses counts as not configured (it was
/// checked when saved, so this only guards against hand-edited rows).
fn url(resolved: &Resolved, key: IntegrationKey, field: &str) -> Option<Url> {
    let text = resolved.get(key, field)?;
    match Url::parse(text) {
        Ok(u) => Some(u),
        Err(e) => {
            tracing::error!(integration = key.as_str(), field, error = %e, "a stored address does not parse; the integration is left unconfigured");
            None
        }
    }
}

fn text(resolved: &Resolved, key: IntegrationKey, field: &str) -> Option<String> {
    resolved.get(key, field).map(str::to_string)
}

fn http_client(integration: &'static str, idle_per_host: usize) -> Result<reqwest::Client, IntegrationsError> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(idle_per_host)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| IntegrationsError::Client { integration, error: e.to_string() })
}

/// The licence sync, when Partner Center and Graph are both configured.
fn licence_sync(
    pool: &PgPool,
    resolved: &Resolved,
    concurrency: usize,
) -> Result<Option<Arc<LicenceSync>>, IntegrationsError> {
    use IntegrationKey::{Graph, PartnerCenter};
    if !resolved.is_configured(PartnerCenter) || !resolved.is_configured(Graph) {
        return Ok(None);
    }
    let (Some(base_url), Some(login_url), Some(graph_url)) = (
        url(resolved, PartnerCenter, "base_url"),
        url(resolved, PartnerCenter, "login_url"),
        url(resolved, Graph, "base_url"),
    ) else {
        return Ok(None);
    };
    let (Some(tenant), Some(client_id), Some(secret), Some(refresh), Some(graph_id), Some(graph_secret)) = (
        text(resolved, PartnerCenter, "partner_tenant_id"),
        text(resolved, PartnerCenter, "client_id"),
        text(resolved, PartnerCenter, "client_secret"),
        text(resolved, PartnerCenter, "refresh_token"),
        text(resolved, Graph, "client_id"),
        text(resolved, Graph, "client_secret"),
    ) else {
        return Ok(None);
    };
    let http = http_client("Microsoft", concurrency * 2)?;
    let policy = RetryPolicy::default();
    let partner_center = HttpPartnerCenter::new(
        PartnerCenterSettings {
            base_url,
            login_url: login_url.clone(),
            partner_tenant_id: tenant,
            client_id,
            client_secret: secret,
            refresh_token: refresh,
        },
        http.clone(),
        policy.clone(),
    );
    let graph = HttpGraph::new(
        GraphSettings { base_url: graph_url, login_url, client_id: graph_id, client_secret: graph_secret },
        http,
        policy,
    );
    Ok(Some(LicenceSync::new(pool.clone(), partner_center, graph, concurrency)))
}

/// The Autotask client, when its credentials are configured. A rebuilt client starts its own
/// count of the hour's requests; Autotask's database-wide count (read from its threshold
/// endpoint) still holds it back.
fn autotask(resolved: &Resolved) -> Result<Option<Arc<dyn Autotask>>, IntegrationsError> {
    use IntegrationKey::Autotask as At;
    let (Some(zone_url), Some(username), Some(secret), Some(integration_code)) = (
        url(resolved, At, "zone_url"),
        text(resolved, At, "username"),
        text(resolved, At, "secret"),
        text(resolved, At, "integration_code"),
    ) else {
        return Ok(None);
    };
    let share: u8 = resolved.get(At, "hourly_share").and_then(|s| s.parse().ok()).unwrap_or(50);
    let settings = AutotaskSettings {
        zone_url,
        username,
        secret,
        integration_code,
        hourly_share: f64::from(share.clamp(1, 100)) / 100.0,
        ..AutotaskSettings::default()
    };
    let client: Arc<dyn Autotask> = HttpAutotask::new(settings, http_client("Autotask", 8)?, RetryPolicy::default());
    Ok(Some(client))
}

fn pax8(resolved: &Resolved) -> Result<Option<Arc<dyn Pax8>>, IntegrationsError> {
    use IntegrationKey::Pax8 as P;
    let (Some(api_url), Some(token_url), Some(client_id), Some(client_secret)) = (
        url(resolved, P, "api_url"),
        url(resolved, P, "token_url"),
        text(resolved, P, "client_id"),
        text(resolved, P, "client_secret"),
    ) else {
        return Ok(None);
    };
    let requests_per_minute = resolved
        .get(P, "requests_per_minute")
        .and_then(|n| n.parse().ok())
        .unwrap_or(seatsync_vendors::pax8::DEFAULT_REQUESTS_PER_MINUTE);
    let settings = Pax8Settings { api_url, token_url, client_id, client_secret, requests_per_minute };
    let client: Arc<dyn Pax8> = HttpPax8::new(settings, http_client("Pax8", 8)?, RetryPolicy::default());
    Ok(Some(client))
}

fn connectwise(resolved: &Resolved) -> Result<Option<Arc<dyn ConnectWise>>, IntegrationsError> {
    use IntegrationKey::ConnectWise as Cw;
    let (Some(base_url), Some(company_id), Some(public_key), Some(private_key), Some(client_id)) = (
        url(resolved, Cw, "base_url"),
        text(resolved, Cw, "company_id"),
        text(resolved, Cw, "public_key"),
        text(resolved, Cw, "private_key"),
        text(resolved, Cw, "client_id"),
    ) else {
        return Ok(None);
    };
    let megabytes: usize = resolved.get(Cw, "max_attachment_mb").and_then(|m| m.parse().ok()).unwrap_or(10);
    let settings = ConnectWiseSettings {
        base_url,
        company_id,
        public_key,
        private_key,
        client_id,
        max_attachment_bytes: megabytes.clamp(1, 100) * 1_000_000,
    };
    let client: Arc<dyn ConnectWise> =
        HttpConnectWise::new(settings, http_client("ConnectWise Manage", 4)?, RetryPolicy::default());
    Ok(Some(client))
}

fn halo(resolved: &Resolved) -> Result<Option<Arc<dyn Halo>>, IntegrationsError> {
    use IntegrationKey::Halo as H;
    let (Some(base_url), Some(client_id), Some(client_secret)) =
        (url(resolved, H, "base_url"), text(resolved, H, "client_id"), text(resolved, H, "client_secret"))
    else {
        return Ok(None);
    };
    let megabytes: usize = resolved.get(H, "max_attachment_mb").and_then(|m| m.parse().ok()).unwrap_or(10);
    let closed_status_id = resolved.get(H, "closed_status_id").and_then(|m| m.parse().ok()).unwrap_or(9);
    let settings = HaloSettings {
        base_url,
        tenant: text(resolved, H, "tenant"),
        closed_status_id,
        client_id,
        client_secret,
        max_attachment_bytes: megabytes.clamp(1, 100) * 1_000_000,
    };
    let client: Arc<dyn Halo> = HttpHalo::new(settings, http_client("HaloPSA", 4)?, RetryPolicy::default());
    Ok(Some(client))
}

/// How long the mail server has for each step of a conversation.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

fn mailer(resolved: &Resolved) -> Result<Option<Arc<dyn Mailer>>, IntegrationsError> {
    use IntegrationKey::Smtp;
    if !resolved.is_configured(Smtp) {
        return Ok(None);
    }
    let (Some(host), Some(port), Some(security), Some(from)) = (
        text(resolved, Smtp, "host"),
        resolved.get(Smtp, "port").and_then(|p| p.parse::<u16>().ok()),
        resolved.get(Smtp, "security").and_then(SmtpSecurity::parse),
        text(resolved, Smtp, "from"),
    ) else {
        return Ok(None);
    };
    let settings = SmtpSettings {
        host,
        port,
        security,
        username: text(resolved, Smtp, "username"),
        password: text(resolved, Smtp, "password"),
        from,
        timeout: SMTP_TIMEOUT,
    };
    let mailer: Arc<dyn Mailer> = SmtpMailer::new(settings)
        .map_err(|e| IntegrationsError::Client { integration: "SMTP", error: e.to_string() })?;
    Ok(Some(mailer))
}

/// Datto RMM, Huntress and NinjaOne do not say how long to wait after a 429 (Datto and Huntress
/// count a sliding minute): the retries wait out a good part of a minute rather than the usual
/// half second. A `Retry-After`, where one comes, is still honoured.
fn minute_window_policy() -> RetryPolicy {
    RetryPolicy { base_delay: Duration::from_secs(10), max_delay: Duration::from_secs(60), ..RetryPolicy::default() }
}

fn per_minute(resolved: &Resolved, key: IntegrationKey, default: u32) -> u32 {
    resolved.get(key, "requests_per_minute").and_then(|n| n.parse().ok()).unwrap_or(default)
}

fn datto_rmm(resolved: &Resolved) -> Result<Option<Arc<dyn DattoRmm>>, IntegrationsError> {
    use IntegrationKey::DattoRmm as D;
    let (Some(api_url), Some(api_key), Some(api_secret)) =
        (url(resolved, D, "api_url"), text(resolved, D, "api_key"), text(resolved, D, "api_secret"))
    else {
        return Ok(None);
    };
    let settings = DattoRmmSettings {
        api_url,
        api_key,
        api_secret,
        requests_per_minute: per_minute(resolved, D, 300),
        count_suspended: resolved.get(D, "suspended").is_none_or(|v| v.trim() != "leave out"),
    };
    let client: Arc<dyn DattoRmm> = HttpDattoRmm::new(settings, http_client("Datto RMM", 2)?, minute_window_policy());
    Ok(Some(client))
}

fn huntress(resolved: &Resolved) -> Result<Option<Arc<dyn Huntress>>, IntegrationsError> {
    use IntegrationKey::Huntress as H;
    let (Some(base_url), Some(api_key), Some(api_secret)) =
        (url(resolved, H, "base_url"), text(resolved, H, "api_key"), text(resolved, H, "api_secret"))
    else {
        return Ok(None);
    };
    let settings = HuntressSettings {
        base_url,
        api_key,
        api_secret,
        requests_per_minute: per_minute(resolved, H, 60),
        agents: resolved.get(H, "agents").and_then(AgentCounting::parse).unwrap_or_default(),
    };
    let client: Arc<dyn Huntress> = HttpHuntress::new(settings, http_client("Huntress", 2)?, minute_window_policy());
    Ok(Some(client))
}

fn ninjaone(resolved: &Resolved) -> Result<Option<Arc<dyn NinjaOne>>, IntegrationsError> {
    use IntegrationKey::NinjaOne as N;
    let (Some(base_url), Some(client_id), Some(client_secret)) =
        (url(resolved, N, "base_url"), text(resolved, N, "client_id"), text(resolved, N, "client_secret"))
    else {
        return Ok(None);
    };
    let page_size = resolved
        .get(N, "page_size")
        .and_then(|n| n.parse().ok())
        .unwrap_or(seatsync_vendors::ninjaone::DEFAULT_PAGE_SIZE);
    let settings = NinjaOneSettings {
        base_url,
        client_id,
        client_secret,
        page_size,
        psa_company_field: text(resolved, N, "psa_company_field"),
        requests_per_minute: per_minute(resolved, N, seatsync_vendors::ninjaone::DEFAULT_REQUESTS_PER_MINUTE),
    };
    let client: Arc<dyn NinjaOne> = HttpNinjaOne::new(settings, http_client("NinjaOne", 2)?, minute_window_policy());
    Ok(Some(client))
}

fn sentinelone(resolved: &Resolved) -> Result<Option<Arc<dyn SentinelOne>>, IntegrationsError> {
    use IntegrationKey::SentinelOne as S;
    let (Some(base_url), Some(api_token)) = (url(resolved, S, "base_url"), text(resolved, S, "api_token")) else {
        return Ok(None);
    };
    let settings = SentinelOneSettings {
        base_url,
        api_token,
        requests_per_minute: per_minute(resolved, S, seatsync_vendors::sentinelone::DEFAULT_REQUESTS_PER_MINUTE),
        page_size: seatsync_vendors::sentinelone::MAX_PAGE_SIZE,
        customer_level: resolved.get(S, "customer_level").and_then(CustomerLevel::parse).unwrap_or_default(),
    };
    // SentinelOne says how long to wait after a 429 (Retry-After), so the usual policy serves.
    let client: Arc<dyn SentinelOne> =
        HttpSentinelOne::new(settings, http_client("SentinelOne", 2)?, RetryPolicy::default());
    Ok(Some(client))
}

fn automate(resolved: &Resolved) -> Result<Option<Arc<dyn Automate>>, IntegrationsError> {
    use IntegrationKey::Automate as A;
    let (Some(server_url), Some(client_id), Some(username), Some(password)) = (
        url(resolved, A, "server_url"),
        text(resolved, A, "client_id"),
        text(resolved, A, "username"),
        text(resolved, A, "password"),
    ) else {
        return Ok(None);
    };
    let settings = AutomateSettings {
        server_url,
        client_id,
        username,
        password,
        requests_per_minute: per_minute(resolved, A, 120),
    };
    // Automate documents no limit and sends no Retry-After: the usual backoff fits.
    let client: Arc<dyn Automate> =
        HttpAutomate::new(settings, http_client("ConnectWise Automate", 2)?, RetryPolicy::default());
    Ok(Some(client))
}

fn duo(resolved: &Resolved) -> Result<Option<Arc<dyn Duo>>, IntegrationsError> {
    use IntegrationKey::Duo as D;
    let (Some(api_url), Some(integration_key), Some(secret_key)) =
        (url(resolved, D, "api_url"), text(resolved, D, "integration_key"), text(resolved, D, "secret_key"))
    else {
        return Ok(None);
    };
    let settings = DuoSettings {
        api_url,
        integration_key,
        secret_key,
        requests_per_minute: per_minute(resolved, D, seatsync_vendors::duo::DEFAULT_REQUESTS_PER_MINUTE),
        users_page_size: seatsync_vendors::duo::DEFAULT_USERS_PAGE_SIZE,
        read_editions: resolved.get(D, "editions").is_none_or(|v| v.trim() != "no"),
    };
    // Duo sends no Retry-After; its own clients back off 1, 2, 4 ... 32 seconds with jitter.
    let policy = RetryPolicy {
        max_attempts: 7,
        base_delay: Duration::from_secs(2),
        max_delay: Duration::from_secs(32),
        ..RetryPolicy::default()
    };
    let client: Arc<dyn Duo> = HttpDuo::new(settings, http_client("Cisco Duo", 2)?, policy);
    Ok(Some(client))
}

fn auvik(resolved: &Resolved) -> Result<Option<Arc<dyn Auvik>>, IntegrationsError> {
    use IntegrationKey::Auvik as A;
    let (Some(base_url), Some(username), Some(api_key)) =
        (url(resolved, A, "base_url"), text(resolved, A, "username"), text(resolved, A, "api_key"))
    else {
        return Ok(None);
    };
    let settings = AuvikSettings {
        base_url,
        username,
        api_key,
        page_size: resolved
            .get(A, "page_size")
            .and_then(|n| n.parse().ok())
            .unwrap_or(seatsync_vendors::auvik::DEFAULT_PAGE_SIZE),
        requests_per_minute: per_minute(resolved, A, seatsync_vendors::auvik::DEFAULT_REQUESTS_PER_MINUTE),
        counting: resolved.get(A, "counting").and_then(Counting::parse).unwrap_or_default(),
    };
    // Auvik documents no Retry-After: a 429 backs off as under a per-minute window.
    let client: Arc<dyn Auvik> = HttpAuvik::new(settings, http_client("Auvik", 2)?, minute_window_policy());
    Ok(Some(client))
}
