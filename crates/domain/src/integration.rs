//! The integrations an Admin configures in the app: each one's fields, how a field's value is
//! checked, and which value wins when the environment and the database both hold one.
//!
//! One catalogue serves the server's start-up check of environment variables, the Integrations
//! page's form and the building of the vendor clients, so a field cannot be known to one of them
//! and missing from another.

use crate::kinds::IntegrationKey;

/// How a field's value is entered and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// An absolute http(s) URL.
    Url,
    /// Stored encrypted, never shown again once set.
    Secret,
    Email,
    /// A TCP port, 1 to 65535.
    Port,
    /// A whole percentage, 1 to 100.
    Percent,
    /// One of a fixed list of spellings.
    Choice(&'static [&'static str]),
    /// A whole number of megabytes, 1 to 100.
    Megabytes,
    /// Requests a minute, 1 to 100,000.
    PerMinute,
    /// A record's id in the vendor's system: a whole number from 1.
    RecordId,
}

/// One setting of an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Its name in requests and in the database (`client_secret`).
    pub name: &'static str,
    pub label: &'static str,
    /// The environment variable that sets it and wins over the stored value.
    pub env: &'static str,
    pub kind: FieldKind,
    /// The integration cannot be used without it.
    pub required: bool,
    /// Used when neither the environment nor the database sets the field.
    pub default: Option<&'static str>,
    pub help: &'static str,
}

impl FieldSpec {
    pub fn is_secret(&self) -> bool {
        self.kind == FieldKind::Secret
    }

    /// The value as it will be stored (trimmed), or what is wrong with it in words.
    pub fn check(&self, raw: &str) -> Result<String, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(format!("{} is empty.", self.label));
        }
        match self.kind {
            FieldKind::Text | FieldKind::Secret => {
                if value.chars().any(char::is_control) {
                    return Err(format!("{} contains a control character.", self.label));
                }
            }
            FieldKind::Url => {
                let scheme_end = value.find("://");
                let ok = scheme_end.is_some_and(|i| {
                    let scheme = &value[..i];
                    let rest = &value[i + 3..];
                    (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
                        && !rest.is_empty()
                        && !rest.starts_with('/')
                        && !value.contains(char::is_whitespace)
                });
                if !ok {
                    return Err(format!(
                        "{} must be an absolute http(s) URL such as https://host/path, not '{value}'.",
                        self.label
                    ));
                }
            }
            FieldKind::Email => {
                let at = value.find('@');
                let ok = at.is_some_and(|i| i > 0 && i + 1 < value.len() && value[i + 1..].contains('.'))
                    && !value.contains(char::is_whitespace);
                if !ok {
                    return Err(format!("{} must be an e-mail address such as billing@your-msp.example.", self.label));
                }
            }
            FieldKind::Port => {
                if !value.parse::<u16>().is_ok_and(|p| p > 0) {
                    return Err(format!("{} must be a TCP port between 1 and 65535, not '{value}'.", self.label));
                }
            }
            FieldKind::Percent => {
                if !value.parse::<u8>().is_ok_and(|p| (1..=100).contains(&p)) {
                    return Err(format!("{} must be a whole percentage between 1 and 100, not '{value}'.", self.label));
                }
            }
            FieldKind::Megabytes => {
                if !value.parse::<u8>().is_ok_and(|m| (1..=100).contains(&m)) {
                    return Err(format!(
                        "{} must be a whole number of megabytes between 1 and 100, not '{value}'.",
                        self.label
                    ));
                }
            }
            FieldKind::PerMinute => {
                if !value.parse::<u32>().is_ok_and(|n| (1..=100_000).contains(&n)) {
                    return Err(format!(
                        "{} must be a whole number of requests a minute between 1 and 100000, not '{value}'.",
                        self.label
                    ));
                }
            }
            FieldKind::RecordId => {
                if !value.parse::<i64>().is_ok_and(|n| n > 0) {
                    return Err(format!("{} must be a record's id, a whole number from 1, not '{value}'.", self.label));
                }
            }
            FieldKind::Choice(choices) => {
                if let Some(choice) = choices.iter().find(|c| c.eq_ignore_ascii_case(value)) {
                    return Ok(choice.to_string());
                }
                return Err(format!("{} must be one of {}, not '{value}'.", self.label, choices.join(", ")));
            }
        }
        Ok(value.to_string())
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueSource {
    /// Its environment variable (which wins, so existing installations keep working).
    Environment,
    /// Saved on the Integrations page.
    Stored,
    /// The catalogue's default.
    Default,
    /// Nowhere.
    Unset,
}

/// The value a field takes: the environment over the stored value over the default.
pub fn resolve<'a>(
    spec: &FieldSpec,
    environment: Option<&'a str>,
    stored: Option<&'a str>,
) -> (Option<&'a str>, ValueSource) {
    let present = |v: Option<&'a str>| v.filter(|v| !v.trim().is_empty());
    if let Some(v) = present(environment) {
        (Some(v), ValueSource::Environment)
    } else if let Some(v) = present(stored) {
        (Some(v), ValueSource::Stored)
    } else if let Some(v) = spec.default {
        (Some(v), ValueSource::Default)
    } else {
        (None, ValueSource::Unset)
    }
}

/// The spellings of SMTP's `security` field.
pub const SMTP_SECURITY: &[&str] = &["starttls", "tls", "none"];

const fn field(
    name: &'static str,
    label: &'static str,
    env: &'static str,
    kind: FieldKind,
    required: bool,
    default: Option<&'static str>,
    help: &'static str,
) -> FieldSpec {
    FieldSpec { name, label, env, kind, required, default, help }
}

use FieldKind::{Email, Percent, Port, Secret, Text, Url};

const PARTNER_CENTER: &[FieldSpec] = &[
    field(
        "partner_tenant_id",
        "Partner tenant id",
        "SEATSYNC_PARTNER_TENANT_ID",
        Text,
        true,
        None,
        "Your own (the MSP's) Entra tenant id.",
    ),
    field(
        "client_id",
        "Application (client) id",
        "SEATSYNC_PARTNER_CENTER_CLIENT_ID",
        Text,
        true,
        None,
        "The app registration consented for Partner Center (secure application model).",
    ),
    field(
        "client_secret",
        "Client secret",
        "SEATSYNC_PARTNER_CENTER_CLIENT_SECRET",
        Secret,
        true,
        None,
        "A secret of that app registration.",
    ),
    field(
        "refresh_token",
        "Refresh token",
        "SEATSYNC_PARTNER_CENTER_REFRESH_TOKEN",
        Secret,
        true,
        None,
        "The App+User refresh token from the consent of an Admin Agent.",
    ),
    field(
        "base_url",
        "API address",
        "SEATSYNC_PARTNER_CENTER_URL",
        Url,
        true,
        Some("https://api.partnercenter.microsoft.com"),
        "Change only for a sovereign cloud.",
    ),
    field(
        "login_url",
        "Sign-in address",
        "SEATSYNC_ENTRA_LOGIN_URL",
        Url,
        true,
        Some("https://login.microsoftonline.com"),
        "Entra ID's token host, also used for Graph.",
    ),
];

const GRAPH: &[FieldSpec] = &[
    field(
        "client_id",
        "Application (client) id",
        "SEATSYNC_GRAPH_CLIENT_ID",
        Text,
        true,
        None,
        "The multi-tenant app consented in each customer tenant (GDAP).",
    ),
    field(
        "client_secret",
        "Client secret",
        "SEATSYNC_GRAPH_CLIENT_SECRET",
        Secret,
        true,
        None,
        "A secret of that app registration.",
    ),
    field(
        "base_url",
        "API address",
        "SEATSYNC_GRAPH_URL",
        Url,
        true,
        Some("https://graph.microsoft.com"),
        "Change only for a sovereign cloud.",
    ),
];

const AUTOTASK: &[FieldSpec] = &[
    field(
        "username",
        "API user name",
        "SEATSYNC_AUTOTASK_USERNAME",
        Text,
        true,
        None,
        "An API-only user (security level 'API User (system)').",
    ),
    field(
        "secret",
        "API user secret",
        "SEATSYNC_AUTOTASK_SECRET",
        Secret,
        true,
        None,
        "The password of that API user.",
    ),
    field(
        "integration_code",
        "Tracking identifier",
        "SEATSYNC_AUTOTASK_INTEGRATION_CODE",
        Secret,
        true,
        None,
        "The API tracking identifier (integration code) of that user.",
    ),
    field(
        "zone_url",
        "Zone discovery address",
        "SEATSYNC_AUTOTASK_ZONE_URL",
        Url,
        true,
        Some("https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation"),
        "Where SeatSync asks which zone your database is in.",
    ),
    field(
        "hourly_share",
        "Share of the hourly request limit (%)",
        "SEATSYNC_AUTOTASK_HOURLY_SHARE",
        Percent,
        true,
        Some("50"),
        "Other integrations share Autotask's 10,000 requests an hour.",
    ),
];

const PAX8: &[FieldSpec] = &[
    field(
        "client_id",
        "Client id",
        "SEATSYNC_PAX8_CLIENT_ID",
        Text,
        true,
        None,
        "From Pax8's Integrations page (API credentials).",
    ),
    field(
        "client_secret",
        "Client secret",
        "SEATSYNC_PAX8_CLIENT_SECRET",
        Secret,
        true,
        None,
        "Shown once by Pax8 when the credentials are made.",
    ),
    field("api_url", "API address", "SEATSYNC_PAX8_API_URL", Url, true, Some("https://api.pax8.com/v1"), ""),
    field(
        "token_url",
        "Token address",
        "SEATSYNC_PAX8_TOKEN_URL",
        Url,
        true,
        Some("https://token-manager.pax8.com/oauth/token"),
        "",
    ),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_PAX8_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("1000"),
        "Pax8 does not publish its limit; partners report about 1,000 a minute. Lower it if Pax8 often answers 429.",
    ),
];

const CONNECTWISE: &[FieldSpec] = &[
    field(
        "company_id",
        "Company id",
        "SEATSYNC_CONNECTWISE_COMPANY_ID",
        Text,
        true,
        None,
        "The company id you sign in to ConnectWise Manage with.",
    ),
    field(
        "public_key",
        "Public key",
        "SEATSYNC_CONNECTWISE_PUBLIC_KEY",
        Text,
        true,
        None,
        "Of an API member's key pair.",
    ),
    field(
        "private_key",
        "Private key",
        "SEATSYNC_CONNECTWISE_PRIVATE_KEY",
        Secret,
        true,
        None,
        "Of the same key pair.",
    ),
    field(
        "client_id",
        "Client id",
        "SEATSYNC_CONNECTWISE_CLIENT_ID",
        Text,
        true,
        None,
        "From ConnectWise's developer portal, sent with every request.",
    ),
    field(
        "base_url",
        "API address",
        "SEATSYNC_CONNECTWISE_URL",
        Url,
        true,
        Some("https://api-na.myconnectwise.net/v4_6_release/apis/3.0"),
        "Your region's host: api-na, api-eu or api-au.",
    ),
    field(
        "max_attachment_mb",
        "Largest file to attach (MB)",
        "SEATSYNC_CONNECTWISE_MAX_ATTACHMENT_MB",
        FieldKind::Megabytes,
        true,
        Some("10"),
        "ConnectWise does not publish its limit; raise it if your server takes larger files.",
    ),
];

const HALO: &[FieldSpec] = &[
    field(
        "base_url",
        "Instance address",
        "SEATSYNC_HALO_URL",
        Url,
        true,
        None,
        "Such as https://yourcompany.halopsa.com.",
    ),
    field(
        "client_id",
        "Client id",
        "SEATSYNC_HALO_CLIENT_ID",
        Text,
        true,
        None,
        "Of an application with 'Client ID and Secret (Services)' authentication.",
    ),
    field("client_secret", "Client secret", "SEATSYNC_HALO_CLIENT_SECRET", Secret, true, None, ""),
    field("tenant", "Tenant", "SEATSYNC_HALO_TENANT", Text, false, None, "Hosted HaloPSA only: your tenant name."),
    field(
        "max_attachment_mb",
        "Largest file to attach (MB)",
        "SEATSYNC_HALO_MAX_ATTACHMENT_MB",
        FieldKind::Megabytes,
        true,
        Some("10"),
        "HaloPSA does not publish its API's limit; raise it if your instance takes larger files.",
    ),
    field(
        "closed_status_id",
        "Closed status id",
        "SEATSYNC_HALO_CLOSED_STATUS_ID",
        FieldKind::RecordId,
        true,
        Some("9"),
        "The status SeatSync closes its tickets with: 9 is Halo's built-in Closed.",
    ),
];

const SMTP: &[FieldSpec] = &[
    field("host", "Server", "SEATSYNC_SMTP_HOST", Text, true, None, "Such as smtp.office365.com."),
    field(
        "port",
        "Port",
        "SEATSYNC_SMTP_PORT",
        Port,
        true,
        Some("587"),
        "587 for STARTTLS, 465 for TLS from the start.",
    ),
    field(
        "security",
        "Encryption",
        "SEATSYNC_SMTP_SECURITY",
        FieldKind::Choice(SMTP_SECURITY),
        true,
        Some("starttls"),
        "starttls, tls (implicit, port 465) or none (only on a trusted network).",
    ),
    field("from", "From address", "SEATSYNC_SMTP_FROM", Email, true, None, "The sender of SeatSync's messages."),
    field(
        "username",
        "User name",
        "SEATSYNC_SMTP_USERNAME",
        Text,
        false,
        None,
        "Leave blank when the server needs no sign-in.",
    ),
    field("password", "Password", "SEATSYNC_SMTP_PASSWORD", Secret, false, None, ""),
];

const DATTO_RMM: &[FieldSpec] = &[
    field(
        "api_url",
        "API URL",
        "SEATSYNC_DATTO_RMM_API_URL",
        Url,
        true,
        None,
        "As Datto RMM shows it under Setup › Users once API keys are made, such as https://concord-api.centrastage.net.",
    ),
    field("api_key", "API key", "SEATSYNC_DATTO_RMM_API_KEY", Text, true, None, "Of an API user (Setup › Users)."),
    field("api_secret", "API secret key", "SEATSYNC_DATTO_RMM_API_SECRET", Secret, true, None, "Shown once by Datto RMM."),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_DATTO_RMM_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("300"),
        "Datto RMM allows 600 a minute for the whole account, shared by every integration; SeatSync takes half.",
    ),
    field(
        "suspended",
        "Suspended devices",
        "SEATSYNC_DATTO_RMM_SUSPENDED",
        FieldKind::Choice(&["count", "leave out"]),
        true,
        Some("count"),
        "Whether a device suspended in Datto RMM is still billed to its customer.",
    ),
];
const HUNTRESS: &[FieldSpec] = &[
    field(
        "base_url",
        "API address",
        "SEATSYNC_HUNTRESS_URL",
        Url,
        true,
        Some("https://api.huntress.io/v1"),
        "Huntress has one address for every account.",
    ),
    field(
        "api_key",
        "API key",
        "SEATSYNC_HUNTRESS_API_KEY",
        Text,
        true,
        None,
        "From your Huntress account's API Credentials page.",
    ),
    field("api_secret", "API secret", "SEATSYNC_HUNTRESS_API_SECRET", Secret, true, None, "Shown once by Huntress."),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_HUNTRESS_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("60"),
        "Huntress allows 60 a minute for the whole account.",
    ),
    field(
        "agents",
        "Agents counted",
        "SEATSYNC_HUNTRESS_AGENTS",
        FieldKind::Choice(HUNTRESS_AGENTS),
        true,
        Some("billable"),
        "billable: what Huntress bills each organization for (one request per organization, at 60 a minute); all: every agent installed, from the organization list alone.",
    ),
];
const HUNTRESS_AGENTS: &[&str] = &["billable", "all"];

const NINJAONE: &[FieldSpec] = &[
    field(
        "base_url",
        "Instance address",
        "SEATSYNC_NINJAONE_URL",
        Url,
        true,
        Some("https://app.ninjarmm.com"),
        "Where your NinjaOne runs: https://app.ninjarmm.com (US), or us2, eu, ca, oc or fed .ninjarmm.com.",
    ),
    field(
        "client_id",
        "Client ID",
        "SEATSYNC_NINJAONE_CLIENT_ID",
        Text,
        true,
        None,
        "Of a client app under Administration › Apps › API › Client App IDs: API Services (machine-to-machine), Client Credentials, scope Monitoring.",
    ),
    field(
        "client_secret",
        "Client secret",
        "SEATSYNC_NINJAONE_CLIENT_SECRET",
        Secret,
        true,
        None,
        "Shown once by NinjaOne when the client app is made.",
    ),
    field(
        "psa_company_field",
        "PSA company custom field",
        "SEATSYNC_NINJAONE_PSA_COMPANY_FIELD",
        Text,
        false,
        None,
        "The organization custom field holding the Autotask company's id, if you keep one; otherwise organizations are placed on the NinjaOne organizations page.",
    ),
    field(
        "page_size",
        "Page size",
        "SEATSYNC_NINJAONE_PAGE_SIZE",
        FieldKind::Choice(&["100", "250", "500", "1000"]),
        true,
        Some("1000"),
        "Records asked for per request. NinjaOne documents no largest page; SeatSync reads every page whatever size it gets.",
    ),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_NINJAONE_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("120"),
        "NinjaOne publishes no limit; SeatSync spreads its requests under this and waits when NinjaOne answers 429.",
    ),
];
const SENTINELONE_CUSTOMERS: &[&str] = &["site", "account"];
const SENTINELONE: &[FieldSpec] = &[
    field(
        "base_url",
        "Console address",
        "SEATSYNC_SENTINELONE_URL",
        Url,
        true,
        None,
        "Your management console, such as https://usea1-acme.sentinelone.net.",
    ),
    field(
        "api_token",
        "API token",
        "SEATSYNC_SENTINELONE_API_TOKEN",
        Secret,
        true,
        None,
        "Of a service user that may view sites and agents. Tokens expire on the date set when made: renew it here before then.",
    ),
    field(
        "customer_level",
        "A customer is a",
        "SEATSYNC_SENTINELONE_CUSTOMER_LEVEL",
        FieldKind::Choice(SENTINELONE_CUSTOMERS),
        true,
        Some("site"),
        "site (the usual: one account for the MSP, a site per customer) or account (each customer an account of its own).",
    ),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_SENTINELONE_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("1200"),
        "SentinelOne allows 25 a second on its agent list; 1,200 a minute stays under it.",
    ),
];
const AUTOMATE: &[FieldSpec] = &[
    field(
        "server_url",
        "Server address",
        "SEATSYNC_AUTOMATE_URL",
        Url,
        true,
        None,
        "Your Automate server, such as https://yourcompany.hostedrmm.com (SeatSync adds /cwa/api/v1).",
    ),
    field(
        "client_id",
        "ClientID",
        "SEATSYNC_AUTOMATE_CLIENT_ID",
        Text,
        true,
        None,
        "Your ConnectWise developer ClientID (a GUID from developer.connectwise.com); required since Automate 2020.11.",
    ),
    field(
        "username",
        "User name",
        "SEATSYNC_AUTOMATE_USERNAME",
        Text,
        true,
        None,
        "Of an integrator login (a non-interactive API user); a user who signs in with two-factor codes cannot be used.",
    ),
    field("password", "Password", "SEATSYNC_AUTOMATE_PASSWORD", Secret, true, None, ""),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_AUTOMATE_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("120"),
        "Automate publishes no limit; SeatSync keeps its few requests a run gentle on your server.",
    ),
];
const DUO_EDITIONS: &[&str] = &["yes", "no"];
const DUO: &[FieldSpec] = &[
    field(
        "api_url",
        "API hostname",
        "SEATSYNC_DUO_API_URL",
        Url,
        true,
        None,
        "The parent account's API hostname with https:// in front, such as https://api-xxxxxxxx.duosecurity.com (Admin Panel › Applications › your Accounts API application).",
    ),
    field(
        "integration_key",
        "Integration key",
        "SEATSYNC_DUO_INTEGRATION_KEY",
        Text,
        true,
        None,
        "Of the Accounts API application in the parent (MSP) account; it reads every child account, which needs no application of its own.",
    ),
    field("secret_key", "Secret key", "SEATSYNC_DUO_SECRET_KEY", Secret, true, None, "Of the same application."),
    field(
        "editions",
        "Split users by edition",
        "SEATSYNC_DUO_EDITIONS",
        FieldKind::Choice(DUO_EDITIONS),
        true,
        Some("yes"),
        "yes reads each account's edition (one more request per account) for columns such as 'Users (Duo Advantage)'; an account whose edition Duo refuses is counted under 'Users'.",
    ),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_DUO_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("150"),
        "Duo publishes no limit; SeatSync waits when Duo answers 429.",
    ),
];
const AUVIK_COUNTING: &[&str] = &["usage", "inventory"];
const AUVIK: &[FieldSpec] = &[
    field(
        "base_url",
        "API address",
        "SEATSYNC_AUVIK_URL",
        Url,
        true,
        Some("https://auvikapi.us1.my.auvik.com/v1"),
        "https://auvikapi.{region}.my.auvik.com/v1, the region as in your dashboard's address (us1 to us6, eu1, eu2, au1, ca1). If Auvik redirects to another region, Test connection says where.",
    ),
    field(
        "username",
        "User name",
        "SEATSYNC_AUVIK_USERNAME",
        Email,
        true,
        None,
        "The e-mail address of an Auvik user whose role may view tenants and billing (an API Access Only user serves).",
    ),
    field(
        "api_key",
        "API key",
        "SEATSYNC_AUVIK_API_KEY",
        Secret,
        true,
        None,
        "Generated on that user's profile (API Key › Generate).",
    ),
    field(
        "counting",
        "Count billable devices from",
        "SEATSYNC_AUVIK_COUNTING",
        FieldKind::Choice(AUVIK_COUNTING),
        true,
        Some("usage"),
        "usage: the daily average Auvik bills for last month (the user needs billing access); inventory: the managed routers, switches, firewalls and wireless controllers now.",
    ),
    field(
        "page_size",
        "Page size",
        "SEATSYNC_AUVIK_PAGE_SIZE",
        FieldKind::Choice(&["100", "250", "500", "1000"]),
        true,
        Some("100"),
        "Devices asked for per request when counting the inventory; SeatSync reads every page whatever size it gets.",
    ),
    field(
        "requests_per_minute",
        "Requests a minute",
        "SEATSYNC_AUVIK_REQUESTS_PER_MINUTE",
        FieldKind::PerMinute,
        true,
        Some("120"),
        "Auvik publishes no limit; SeatSync spreads its requests under this and waits when Auvik answers 429.",
    ),
];

impl IntegrationKey {
    pub fn name(self) -> &'static str {
        match self {
            IntegrationKey::PartnerCenter => "Microsoft Partner Center",
            IntegrationKey::Graph => "Microsoft Graph",
            IntegrationKey::Autotask => "Autotask PSA",
            IntegrationKey::Pax8 => "Pax8",
            IntegrationKey::ConnectWise => "ConnectWise Manage",
            IntegrationKey::Halo => "HaloPSA",
            IntegrationKey::Smtp => "SMTP (e-mail)",
            IntegrationKey::DattoRmm => "Datto RMM",
            IntegrationKey::Huntress => "Huntress",
            IntegrationKey::NinjaOne => "NinjaOne",
            IntegrationKey::SentinelOne => "SentinelOne",
            IntegrationKey::Automate => "ConnectWise Automate",
            IntegrationKey::Duo => "Cisco Duo",
            IntegrationKey::Auvik => "Auvik",
        }
    }

    /// The features that use the integration, as the page lists them.
    pub fn used_by(self) -> &'static [&'static str] {
        match self {
            IntegrationKey::PartnerCenter => {
                &["Licence sync (subscriptions)", "Contract sync", "Unused-licence remediation"]
            }
            IntegrationKey::Graph => &["Licence sync (assigned seats)", "Users and their licences"],
            IntegrationKey::Autotask => &["Customer and service mapping", "Contracts", "Contract sync", "Tickets"],
            IntegrationKey::Pax8 => &["Unused-licence remediation", "Billing counts"],
            IntegrationKey::ConnectWise => &["Tickets"],
            IntegrationKey::Halo => &["Tickets"],
            IntegrationKey::Smtp => &["E-mailed alerts and billing reports"],
            IntegrationKey::DattoRmm => &["Billing counts (workstations, servers, network devices)"],
            IntegrationKey::Huntress => &["Billing counts (agents, identities, SAT learners, SIEM sources)"],
            IntegrationKey::NinjaOne => {
                &["Billing counts (workstations, servers, VM hosts and guests, network and mobile devices)"]
            }
            IntegrationKey::SentinelOne => &["Billing counts (licences by tier, workstations, servers)"],
            IntegrationKey::Automate => &["Billing counts (workstations, servers, network devices)"],
            IntegrationKey::Duo => &["Billing counts (users per account, by edition)"],
            IntegrationKey::Auvik => &["Billing counts (network devices)"],
        }
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            IntegrationKey::PartnerCenter => PARTNER_CENTER,
            IntegrationKey::Graph => GRAPH,
            IntegrationKey::Autotask => AUTOTASK,
            IntegrationKey::Pax8 => PAX8,
            IntegrationKey::ConnectWise => CONNECTWISE,
            IntegrationKey::Halo => HALO,
            IntegrationKey::Smtp => SMTP,
            IntegrationKey::DattoRmm => DATTO_RMM,
            IntegrationKey::Huntress => HUNTRESS,
            IntegrationKey::NinjaOne => NINJAONE,
            IntegrationKey::SentinelOne => SENTINELONE,
            IntegrationKey::Automate => AUTOMATE,
            IntegrationKey::Duo => DUO,
            IntegrationKey::Auvik => AUVIK,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// Fields that are optional alone but needed once another is set: (integration, field, the field
/// that makes it needed). Signing in to a mail server takes a password with the user name.
pub const NEEDED_WITH: &[(IntegrationKey, &str, &str)] = &[(IntegrationKey::Smtp, "password", "username")];

/// The fields `key` still needs, given which fields have a value.
pub fn missing_fields(key: IntegrationKey, has_value: impl Fn(&str) -> bool) -> Vec<&'static FieldSpec> {
    key.fields()
        .iter()
        .filter(|f| {
            let needed = f.required
                || NEEDED_WITH.iter().any(|(k, field, with)| *k == key && *field == f.name && has_value(with));
            needed && !has_value(f.name)
        })
        .collect()
}

/// Every field of every integration with its integration, for the start-up check of the
/// environment.
pub fn all_fields() -> impl Iterator<Item = (IntegrationKey, &'static FieldSpec)> {
    IntegrationKey::ALL.into_iter().flat_map(|k| k.fields().iter().map(move |f| (k, f)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_environment_variable_names_one_field() {
        let mut seen = HashSet::new();
        for (key, f) in all_fields() {
            // Partner Center's sign-in host serves Graph too: one variable, one field.
            assert!(seen.insert(f.env), "{} is used twice ({key})", f.env);
            assert!(f.env.starts_with("SEATSYNC_"), "{}", f.env);
        }
    }

    #[test]
    fn defaults_pass_their_own_check() {
        for (key, f) in all_fields() {
            if let Some(d) = f.default {
                assert_eq!(f.check(d).as_deref(), Ok(d), "{key}.{}", f.name);
            }
        }
    }

    #[test]
    fn the_environment_wins_then_the_database_then_the_default() {
        let url = IntegrationKey::Graph.field("base_url").unwrap();
        assert_eq!(
            resolve(url, Some("https://env"), Some("https://db")),
            (Some("https://env"), ValueSource::Environment)
        );
        assert_eq!(resolve(url, None, Some("https://db")), (Some("https://db"), ValueSource::Stored));
        assert_eq!(resolve(url, Some("  "), None), (Some("https://graph.microsoft.com"), ValueSource::Default));
        let id = IntegrationKey::Graph.field("client_id").unwrap();
        assert_eq!(resolve(id, None, None), (None, ValueSource::Unset));
    }

    #[test]
    fn values_are_checked_by_kind() {
        let url = IntegrationKey::Pax8.field("api_url").unwrap();
        assert!(url.check("ftp://x").is_err());
        assert!(url.check("https://").is_err());
        assert!(url.check("api.pax8.com").is_err());
        assert_eq!(url.check(" https://api.pax8.com/v1 ").unwrap(), "https://api.pax8.com/v1");
        let port = IntegrationKey::Smtp.field("port").unwrap();
        assert!(port.check("0").is_err() && port.check("70000").is_err() && port.check("25").is_ok());
        let security = IntegrationKey::Smtp.field("security").unwrap();
        assert_eq!(security.check("STARTTLS").unwrap(), "starttls");
        assert!(security.check("ssl").unwrap_err().contains("starttls, tls, none"));
        let from = IntegrationKey::Smtp.field("from").unwrap();
        assert!(from.check("billing").is_err() && from.check("billing@msp.example").is_ok());
        let share = IntegrationKey::Autotask.field("hourly_share").unwrap();
        assert!(share.check("0").is_err() && share.check("101").is_err() && share.check("100").is_ok());
        let secret = IntegrationKey::Autotask.field("secret").unwrap();
        assert!(secret.check("").is_err() && secret.check("a\nb").is_err());
    }

    #[test]
    fn every_integration_has_a_required_field_without_a_default() {
        // Otherwise it would count as configured on a fresh installation.
        for key in IntegrationKey::ALL {
            assert!(key.fields().iter().any(|f| f.required && f.default.is_none()), "{key}");
            assert!(!key.used_by().is_empty(), "{key}");
        }
    }

    #[test]
    fn a_mail_user_name_needs_its_password() {
        let present = |names: &'static [&'static str]| move |f: &str| names.contains(&f);
        let base: &[&str] = &["host", "port", "security", "from"];
        assert!(missing_fields(IntegrationKey::Smtp, present(base)).is_empty(), "signing in is optional");
        let with_user: &[&str] = &["host", "port", "security", "from", "username"];
        let missing = missing_fields(IntegrationKey::Smtp, present(with_user));
        assert_eq!(missing.iter().map(|f| f.name).collect::<Vec<_>>(), ["password"]);
    }

    proptest! {
        #[test]
        fn a_checked_value_checks_again_unchanged(raw in "\\PC{0,40}") {
            for (_, f) in all_fields() {
                if let Ok(v) = f.check(&raw) {
                    prop_assert_eq!(f.check(&v), Ok(v.clone()));
                }
            }
        }
    }
}
