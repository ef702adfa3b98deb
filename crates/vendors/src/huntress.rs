//! Huntress's REST API (shared/docs/billing-connectors.md, section 6): HTTP Basic with the API
//! key and secret on every request; the organizations read 500 a page (Huntress's largest),
//! following `pagination.next_page_token`, each with its counts (agents, billable identities,
//! SAT learners, SIEM log sources), so a whole partner takes a handful of requests. The list's
//! `agents_count` counts every agent; what Huntress bills (`actual_usages`) costs one request per
//! organization, so how agents are counted is a setting.
//!
//! Huntress allows 60 requests a minute for the whole account and documents no `Retry-After`,
//! so requests are spread under a per-minute setting (60 by default: at most one a second).

use std::sync::Arc;

use serde::Deserialize;
use url::Url;

use crate::{
    http::{self, RetryMode, SendOptions},
    pace::Pace,
    partner_center::BoxFuture,
    VendorError,
};

const VENDOR: &str = "Huntress";
/// The largest page Huntress serves.
pub const MAX_PAGE_SIZE: u32 = 500;

#[derive(Debug, Clone)]
pub struct HuntressSettings {
    /// `https://api.huntress.io/v1`.
    pub base_url: Url,
    pub api_key: String,
    pub api_secret: String,
    pub requests_per_minute: u32,
    pub agents: AgentCounting,
}

/// Which agents the report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentCounting {
    /// `actual_usages.edr.billable_agents_count` of each organization: what Huntress bills, one
    /// request per organization with agents.
    #[default]
    Billable,
    /// The list's `agents_count`: every agent installed, billable or not, with no request more.
    All,
}

impl AgentCounting {
    /// The setting's spellings, as the catalogue offers them.
    pub const CHOICES: &'static [&'static str] = &["billable", "all"];

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "billable" => Some(AgentCounting::Billable),
            "all" => Some(AgentCounting::All),
            _ => None,
        }
    }
}

/// What Huntress bills an organization for (`actual_usages`), where it says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub billable_agents: Option<i64>,
    pub billable_log_sources: Option<i64>,
    pub sat_learners: Option<i64>,
}

/// An organization: one customer of the partner.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Organization {
    #[serde(deserialize_with = "crate::serde_lenient::int")]
    pub id: i64,
    #[serde(deserialize_with = "crate::serde_lenient::text")]
    pub name: String,
    /// The organization's subdomain.
    #[serde(default)]
    pub key: Option<String>,
    /// Every agent installed, billable or not.
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub agents_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub billable_identity_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub sat_learner_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    pub logs_sources_count: Option<i64>,
    /// The customer's Microsoft 365 tenant, when Huntress's identity product is connected.
    #[serde(default)]
    pub identity_provider_tenant_id: Option<String>,
    #[serde(default)]
    pub report_recipients: Vec<String>,
}

impl Organization {
    /// The domains of the people who get its reports (the customer's own staff, mostly).
    pub fn recipient_domains(&self) -> Vec<String> {
        let mut domains: Vec<String> = self
            .report_recipients
            .iter()
            .filter_map(|r| r.rsplit_once('@').map(|(_, d)| d.trim().to_lowercase()))
            .filter(|d| !d.is_empty())
            .collect();
        domains.sort();
        domains.dedup();
        domains
    }
}

#[derive(Deserialize)]
struct Pagination {
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize, Default)]
struct EdrUsage {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    billable_agents_count: Option<i64>,
}

#[derive(Deserialize, Default)]
struct SiemUsage {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    billable_log_sources_count: Option<i64>,
}

#[derive(Deserialize, Default)]
struct SatUsage {
    #[serde(default, deserialize_with = "crate::serde_lenient::opt_int")]
    learners_count: Option<i64>,
}

#[derive(Deserialize, Default)]
struct ActualUsages {
    #[serde(default)]
    edr: Option<EdrUsage>,
    #[serde(default)]
    siem: Option<SiemUsage>,
    #[serde(default)]
    sat: Option<SatUsage>,
}

#[derive(Deserialize)]
struct OrganizationWithUsage {
    #[serde(default)]
    actual_usages: Option<ActualUsages>,
}

#[derive(Deserialize)]
struct OrganizationBody {
    organization: OrganizationWithUsage,
}

#[derive(Deserialize)]
struct OrganizationsPage {
    #[serde(default)]
    organizations: Vec<Organization>,
    #[serde(default)]
    pagination: Option<Pagination>,
}

/// What SeatSync needs from Huntress.
pub trait Huntress: Send + Sync {
    /// Requests sent so far (each attempt counts), for a run to say what it cost.
    fn requests_sent(&self) -> u64;
    /// The first organization, if any, from one small request: to check the connection.
    fn first_organization(&self) -> BoxFuture<'_, Result<Option<Organization>, VendorError>>;
    /// Every organization of the account.
    fn organizations(&self) -> BoxFuture<'_, Result<Vec<Organization>, VendorError>>;
    /// What Huntress bills one organization for: one request.
    fn usage(&self, organization: i64) -> BoxFuture<'_, Result<Usage, VendorError>>;
    /// How agents are counted, as configured.
    fn agent_counting(&self) -> AgentCounting;
}

pub struct HttpHuntress {
    settings: HuntressSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    pace: Pace,
}

impl HttpHuntress {
    pub fn new(settings: HuntressSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let pace = Pace::per_minute(settings.requests_per_minute);
        Arc::new(Self { settings, client, policy, pace })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<T, VendorError> {
        let url = format!("{}/{path}", self.settings.base_url.as_str().trim_end_matches('/'));
        let options = SendOptions { mode: RetryMode::Repeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req =
                self.client.get(&url).basic_auth(&self.settings.api_key, Some(&self.settings.api_secret)).query(query);
            async move {
                self.pace.until_ready().await;
                Ok(req)
            }
        })
        .await
        .map_err(|e| match e {
            VendorError::Status { status: 401, message, .. } => {
                VendorError::Auth { vendor: VENDOR, detail: format!("{message} (HTTP 401)") }
            }
            other => other,
        })?;
        http::json(VENDOR, what, res).await
    }

    async fn page(&self, query: &[(&str, String)]) -> Result<OrganizationsPage, VendorError> {
        self.get("organizations", query, "organization list").await
    }
}

impl Huntress for HttpHuntress {
    fn requests_sent(&self) -> u64 {
        self.pace.sent()
    }

    fn first_organization(&self) -> BoxFuture<'_, Result<Option<Organization>, VendorError>> {
        Box::pin(async move {
            let page = self.page(&[("limit", "1".to_string())]).await?;
            Ok(page.organizations.into_iter().next())
        })
    }

    fn organizations(&self) -> BoxFuture<'_, Result<Vec<Organization>, VendorError>> {
        Box::pin(async move {
            let mut all = Vec::new();
            let mut token: Option<String> = None;
            // Sorted by id so the pages do not shift while they are read.
            let fixed = [
                ("limit", MAX_PAGE_SIZE.to_string()),
                ("sort_field", "id".to_string()),
                ("sort_direction", "asc".to_string()),
            ];
            for _ in 0..100_000 {
                let mut query: Vec<(&str, String)> = fixed.to_vec();
                if let Some(t) = &token {
                    query.push(("page_token", t.clone()));
                }
                let page = self.page(&query).await?;
                let got = page.organizations.len();
                all.extend(page.organizations);
                token = page.pagination.and_then(|p| p.next_page_token).filter(|t| !t.trim().is_empty());
                if token.is_none() || got == 0 {
                    return Ok(all);
                }
            }
            Err(VendorError::Malformed {
                vendor: VENDOR,
                what: "organization list".into(),
                detail: "the pages never ended".into(),
            })
        })
    }

    fn usage(&self, organization: i64) -> BoxFuture<'_, Result<Usage, VendorError>> {
        Box::pin(async move {
            let body: OrganizationBody =
                self.get(&format!("organizations/{organization}"), &[], "organization's usage").await?;
            let usages = body.organization.actual_usages.unwrap_or_default();
            Ok(Usage {
                billable_agents: usages.edr.and_then(|e| e.billable_agents_count),
                billable_log_sources: usages.siem.and_then(|s| s.billable_log_sources_count),
                sat_learners: usages.sat.and_then(|s| s.learners_count),
            })
        })
    }

    fn agent_counting(&self) -> AgentCounting {
        self.settings.agents
    }
}

#[cfg(test)]
mod tests {
    use super::AgentCounting;

    #[test]
    fn every_offered_spelling_of_agent_counting_parses_and_nothing_else() {
        assert_eq!(
            AgentCounting::CHOICES.iter().map(|c| AgentCounting::parse(c)).collect::<Vec<_>>(),
            [Some(AgentCounting::Billable), Some(AgentCounting::All)]
        );
        assert_eq!(AgentCounting::parse(" Billable "), Some(AgentCounting::Billable));
        assert_eq!(AgentCounting::parse("billed"), None);
        assert_eq!(AgentCounting::default(), AgentCounting::Billable);
    }
}
