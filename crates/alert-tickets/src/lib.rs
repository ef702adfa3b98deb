//! The unused-licence tickets. After each alert run, every tenant with seats worth alerting gets
//! one ticket, in the PSA the Admin chose for tickets, for the tenant's company there (its
//! Autotask mapping, or the ConnectWise company or Halo client an Editor chose for it), listing each subscription with a link that
//! reduces it and one that reduces them all. While the ticket is open no second one is made: a
//! note is added when the findings change, and the ticket is closed with a note once nothing is
//! reducible any more. A ticket a person closes ends its episode; seats still unused then open a
//! new one. A confirmed link adds a note with what was changed.
//!
//! Everything goes through the delivery service, so each ticket, note and close is recorded
//! before it is sent and made once: the episode's key (`licence-alerts:{tenant}:{episode}`) is
//! the ticket's dedup key, a change note's key carries the findings' fingerprint, and a
//! confirmation note's key the link's id.

pub mod compose;
pub mod email;

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use seatsync_db::{
    alert_tickets::{self as db, AlertTicket},
    deliveries::DeliveryRow,
    licence_alerts::{self, Finding},
    mappings, DbError, PgPool,
};
use seatsync_delivery::{Delivery, DeliveryError, FollowUp, Outgoing, Recipient, TicketState};
use seatsync_domain::{
    kinds::{DeliveryChannel, DeliveryStatus, FindingTiming, FollowUpKind, TicketPsa},
    Mapping, TenantId,
};
use seatsync_remediation::{Confirmed, LinkItem, Remediation, RemediationError};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use compose::{Line, Listing, Waiting};
use seatsync_domain::reducible::PassReason;
use seatsync_licence_alerts::settings::AlertSettings;

/// The longest ticket description SeatSync writes: Autotask's, the shortest of the three PSAs'.
pub const MAX_TICKET_TEXT: usize = 8_000;

/// The longest note SeatSync writes (Autotask's note description).
pub const MAX_NOTE_TEXT: usize = 32_000;

/// The PSA a ticket went to, for people.
fn psa_name(channel: DeliveryChannel) -> &'static str {
    match channel {
        DeliveryChannel::ConnectWise => TicketPsa::ConnectWise.name(),
        DeliveryChannel::Halo => TicketPsa::Halo.name(),
        DeliveryChannel::Autotask | DeliveryChannel::Email => TicketPsa::Autotask.name(),
    }
}

/// What a ticket is for, as the deliveries list shows it.
const PURPOSE: &str = "Unused licences";

#[derive(Debug, thiserror::Error)]
pub enum AlertTicketError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    #[error(transparent)]
    Link(#[from] RemediationError),
    /// The PSA refused or could not be reached; its words.
    #[error("{0}")]
    Psa(String),
}

/// What one pass over the tenants did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketSummary {
    pub opened: usize,
    pub noted: usize,
    pub closed: usize,
    /// Tenants with findings and no company in the PSA for tickets: no ticket can be opened for them.
    pub unmapped: Vec<String>,
    /// Tenants whose ticket could not be opened, noted or closed, with why (tried again next run).
    pub failed: Vec<String>,
    /// Why no ticket was considered at all (Autotask not configured).
    pub skipped: Option<String>,
}

/// What one tenant's ticket is to list: its alerted findings and, when the Admin asks for them,
/// its unused seats waiting for its Pax8 company to be confirmed.
struct Found<'a> {
    findings: &'a [Finding],
    waiting: &'a [Waiting],
}

impl Found<'_> {
    fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.waiting.is_empty()
    }

    /// The findings' fingerprint, with the waiting seats when there are any (so a ticket made
    /// before they were listed keeps its fingerprint).
    fn fingerprint(&self) -> String {
        let findings = fingerprint(self.findings);
        if self.waiting.is_empty() {
            return findings;
        }
        let mut waiting: Vec<String> =
            self.waiting.iter().map(|w| format!("{}:{}", w.licence.to_ascii_lowercase(), w.unused)).collect();
        waiting.sort();
        short_hash(&format!("{findings}|{}", waiting.join(",")))
    }
}

/// What the pass read for every open ticket at once, so tending one asks nothing again; a
/// ticket tended without it (a new episode) reads for itself.
#[derive(Default)]
struct Read<'a> {
    state: Option<&'a TicketState>,
    /// `Some(None)`: read, and nothing is recorded under the ticket's key.
    delivery: Option<Option<&'a DeliveryRow>>,
    /// The ids of the ticket's notes and closes that failed.
    failed: Option<&'a [i64]>,
}

/// What happened to one tenant's ticket.
enum Tended {
    Nothing,
    Opened,
    Noted,
    Closed,
    Unmapped,
}

pub struct AlertTickets {
    pool: PgPool,
    delivery: Arc<Delivery>,
    remediation: Arc<Remediation>,
    /// SeatSync's public address, which the links in tickets start with.
    public_url: String,
    /// The Pax8 companies page, where a waiting company is confirmed.
    companies_url: String,
}

impl AlertTickets {
    pub fn new(pool: PgPool, delivery: Arc<Delivery>, remediation: Arc<Remediation>, public_url: &str) -> Arc<Self> {
        let public_url = public_url.trim_end_matches('/').to_string();
        let companies_url = format!("{public_url}/alerts/pax8-companies");
        Arc::new(Self { pool, delivery, remediation, public_url, companies_url })
    }

    /// The address of a link's confirmation page.
    pub fn link_url(&self, token: &str) -> String {
        format!("{}/alerts/reduce/{token}", self.public_url)
    }

    /// [`AlertTickets::send`] after the alert run `run_id`, with what it did stored on the run.
    pub async fn send_after(&self, run_id: i64) -> Result<TicketSummary, AlertTicketError> {
        let summary = self.send().await?;
        let tickets = licence_alerts::RunTickets {
            opened: summary.opened as i32,
            noted: summary.noted as i32,
            closed: summary.closed as i32,
            unmapped: &summary.unmapped,
            failed: &summary.failed,
            skipped: summary.skipped.as_deref(),
        };
        licence_alerts::record_tickets(&self.pool, run_id, &tickets).await?;
        Ok(summary)
    }

    /// Opens, notes and closes every tenant's ticket to match the newest run's findings.
    pub async fn send(&self) -> Result<TicketSummary, AlertTicketError> {
        let mut summary = TicketSummary::default();
        let psa = self.delivery.ticket_psa().await?;
        if !self.delivery.configured(psa) {
            summary.skipped = Some(format!("{} is not configured, so no ticket was opened.", psa.name()));
            return Ok(summary);
        }
        let chosen: HashMap<TenantId, seatsync_db::ticket_companies::TicketCompanyRow> = match psa {
            TicketPsa::Autotask => HashMap::new(),
            _ => seatsync_db::ticket_companies::of_psa(&self.pool, psa)
                .await?
                .into_iter()
                .map(|c| (c.tenant_id.clone(), c))
                .collect(),
        };
        let (findings, open, tenants, passed_over, settings) = tokio::try_join!(
            licence_alerts::findings(&self.pool),
            db::open(&self.pool),
            mappings::tenant_rows(&self.pool),
            licence_alerts::passed_over(&self.pool),
            AlertSettings::load(&self.pool),
        )?;
        let by_tenant = alerted_by_tenant(findings);
        // Seats waiting for a Pax8 company, when the Admin wants them in the tickets too.
        let mut waiting: BTreeMap<TenantId, Vec<Waiting>> = BTreeMap::new();
        if settings.ticket_waiting {
            for p in passed_over.into_iter().filter(|p| p.reason == PassReason::NoChannel.code() && p.unused > 0) {
                let licence = p.part_number.clone().unwrap_or_else(|| "a licence Graph does not name".into());
                let of_tenant = waiting.entry(p.tenant_id.clone()).or_default();
                match of_tenant.iter_mut().find(|w| w.licence == licence) {
                    Some(w) => w.unused += p.unused,
                    None => of_tenant.push(Waiting { licence, unused: p.unused }),
                }
            }
        }
        let open: HashMap<TenantId, AlertTicket> = open.into_iter().map(|t| (t.tenant_id.clone(), t)).collect();
        let rows: HashMap<&TenantId, &mappings::TenantRow> = tenants.iter().map(|t| (&t.tenant_id, t)).collect();
        // Where every open ticket stands, read at once: a few requests, not one per ticket, and
        // their deliveries and failed notes in two queries, not two per ticket.
        let keys: Vec<String> = open.values().map(|t| t.delivery_key.clone()).collect();
        let states = self.delivery.ticket_states(&keys).await?;
        let deliveries: HashMap<String, DeliveryRow> = seatsync_db::deliveries::find_by_keys(&self.pool, &keys)
            .await?
            .into_iter()
            .map(|d| (d.dedup_key.clone(), d))
            .collect();
        let ids: Vec<i64> = deliveries.values().map(|d| d.id).collect();
        let mut failed: HashMap<i64, Vec<i64>> = HashMap::new();
        for f in seatsync_db::deliveries::follow_ups_of_all(&self.pool, &ids).await? {
            if f.status == DeliveryStatus::Failed {
                failed.entry(f.delivery_id).or_default().push(f.id);
            }
        }
        let mut all: Vec<&TenantId> = by_tenant.keys().chain(waiting.keys()).chain(open.keys()).collect();
        all.sort();
        all.dedup();
        for tenant in all {
            let found = Found {
                findings: by_tenant.get(tenant).map(Vec::as_slice).unwrap_or(&[]),
                waiting: waiting.get(tenant).map(Vec::as_slice).unwrap_or(&[]),
            };
            let name = rows.get(tenant).map(|r| r.name.clone()).unwrap_or_else(|| tenant.to_string());
            let company = match psa {
                TicketPsa::Autotask => rows.get(tenant).and_then(|r| match r.target() {
                    Mapping::Mapped { id } => Some(Recipient::AutotaskTicket {
                        company_id: id,
                        company_name: r.company_name.clone().unwrap_or_else(|| format!("#{id}")),
                    }),
                    _ => None,
                }),
                TicketPsa::ConnectWise => chosen.get(tenant).map(|c| Recipient::ConnectWiseTicket {
                    company_id: c.company_id,
                    company_name: c.company_name.clone(),
                }),
                TicketPsa::Halo => chosen
                    .get(tenant)
                    .map(|c| Recipient::HaloTicket { client_id: c.company_id, client_name: c.company_name.clone() }),
            };
            let open = open.get(tenant);
            let read = match open {
                Some(t) => {
                    let delivery = deliveries.get(&t.delivery_key);
                    Read {
                        state: states.get(&t.delivery_key),
                        delivery: Some(delivery),
                        failed: Some(delivery.and_then(|d| failed.get(&d.id)).map(Vec::as_slice).unwrap_or(&[])),
                    }
                }
                None => Read::default(),
            };
            match self.tend(tenant, &name, company, &found, open, read).await {
                Ok(Tended::Opened) => summary.opened += 1,
                Ok(Tended::Noted) => summary.noted += 1,
                Ok(Tended::Closed) => summary.closed += 1,
                Ok(Tended::Unmapped) => summary.unmapped.push(name),
                Ok(Tended::Nothing) => {}
                Err(AlertTicketError::Db(e)) => return Err(e.into()),
                Err(e) => {
                    tracing::warn!(tenant = %tenant, error = %e, "an unused-licence ticket could not be tended");
                    summary.failed.push(format!("{name}: {e}"));
                }
            }
        }
        Ok(summary)
    }

    /// One tenant: its open episode (if any) brought in line with its findings.
    async fn tend(
        &self,
        tenant: &TenantId,
        name: &str,
        company: Option<Recipient>,
        found: &Found<'_>,
        open: Option<&AlertTicket>,
        read: Read<'_>,
    ) -> Result<Tended, AlertTicketError> {
        let told = found.fingerprint();
        let Some(ticket) = open else {
            if found.is_empty() {
                return Ok(Tended::Nothing);
            }
            let Some(company) = company else { return Ok(Tended::Unmapped) };
            let ticket = db::open_episode(&self.pool, tenant, |n| episode_key(tenant, n), &told).await?;
            return self.open_ticket(&ticket, name, company, found).await;
        };
        let delivery = match read.delivery {
            Some(known) => known.cloned(),
            None => seatsync_db::deliveries::find_by_key(&self.pool, &ticket.delivery_key).await?,
        };
        let delivery = match delivery {
            // Recorded, but the process stopped before the ticket's intent was: make it now.
            None if found.is_empty() => {
                db::close(&self.pool, ticket.id, "nothing was reducible any more before the ticket was made").await?;
                return Ok(Tended::Nothing);
            }
            None => {
                let Some(company) = company else { return Ok(Tended::Unmapped) };
                return self.open_ticket(ticket, name, company, found).await;
            }
            // Never made (the PSA refused it so far) and nothing to say any more: let it go.
            Some(d) if d.ticket_id.is_none() && d.status != DeliveryStatus::Delivered && found.is_empty() => {
                db::close(&self.pool, ticket.id, "nothing was reducible any more before the ticket was made").await?;
                return Ok(Tended::Nothing);
            }
            // Not made yet (the PSA refused it so far): tried again, written afresh if stale.
            Some(d) if d.status != DeliveryStatus::Delivered => {
                if d.ticket_id.is_none() && d.status == DeliveryStatus::Failed && self.outdated(ticket, &told).await? {
                    self.rewrite_unmade(ticket, name, found, &d).await?;
                }
                let carried = self.delivery.carry(d.id).await?;
                if carried.status != DeliveryStatus::Delivered {
                    return Err(AlertTicketError::Psa(not_delivered(&carried)));
                }
                return Ok(Tended::Opened);
            }
            Some(d) => d,
        };
        if delivery.status != DeliveryStatus::Delivered {
            return Err(AlertTicketError::Psa(not_delivered(&delivery)));
        }
        // Read with the others, unless the ticket was only made now.
        let state = match read.state {
            Some(state) if !matches!(state, TicketState::NotMade) => state.clone(),
            _ => self.delivery.ticket_state(&ticket.delivery_key).await?,
        };
        // Notes and closes that failed earlier (the PSA down, say) are tried again.
        let failed = match read.failed {
            Some(ids) => ids.to_vec(),
            None => self
                .delivery
                .follow_ups(&ticket.delivery_key)
                .await?
                .into_iter()
                .filter(|f| f.status == DeliveryStatus::Failed)
                .map(|f| f.id)
                .collect(),
        };
        for id in failed {
            self.delivery.carry_follow_up(id).await?;
        }
        match state {
            TicketState::Open => {}
            TicketState::Closed | TicketState::Gone => {
                db::close(&self.pool, ticket.id, &format!("closed in {}", psa_name(delivery.channel))).await?;
                if found.is_empty() {
                    return Ok(Tended::Nothing);
                }
                // Seats are still unused after a person closed the ticket: a new episode.
                return Box::pin(self.tend(tenant, name, company, found, None, Read::default())).await;
            }
            TicketState::NotMade => return Err(AlertTicketError::Psa("the ticket is not made yet".into())),
            TicketState::Unknown(why) => {
                let psa = psa_name(delivery.channel);
                return Err(AlertTicketError::Psa(format!("the ticket could not be read in {psa}: {why}")));
            }
        }
        if found.is_empty() {
            let message = compose::nothing_left(name);
            let follow_up = FollowUp {
                dedup_key: format!("{}:closed", ticket.delivery_key),
                kind: FollowUpKind::Close,
                title: message.title,
                text: message.text,
            };
            let row = self.delivery.follow_up(&ticket.delivery_key, None, follow_up).await?;
            if row.status != DeliveryStatus::Delivered {
                return Err(AlertTicketError::Psa(row.error.unwrap_or_else(|| "the ticket was not closed".into())));
            }
            db::close(&self.pool, ticket.id, "nothing left to reduce").await?;
            return Ok(Tended::Closed);
        }
        if ticket.told == told {
            return Ok(Tended::Nothing);
        }
        let (lines, all, expires_at) = self.links(tenant, found.findings, Some(&ticket.delivery_key)).await?;
        let listing = self.listing(&lines, all.as_deref(), expires_at, found.waiting);
        let message = compose::changed(name, &listing, MAX_NOTE_TEXT);
        let follow_up = FollowUp {
            dedup_key: format!("{}:changed:{told}", ticket.delivery_key),
            kind: FollowUpKind::Note,
            title: message.title,
            text: message.text,
        };
        let row = self.delivery.follow_up(&ticket.delivery_key, None, follow_up).await?;
        if row.status != DeliveryStatus::Delivered {
            return Err(AlertTicketError::Psa(row.error.unwrap_or_else(|| "the note was not added".into())));
        }
        db::set_told(&self.pool, ticket.id, &told).await?;
        Ok(Tended::Noted)
    }

    /// Whether a ticket the PSA refused so far would go out with stale contents: the findings
    /// changed since its text was written, or its links expire within a day.
    async fn outdated(&self, ticket: &AlertTicket, told: &str) -> Result<bool, AlertTicketError> {
        if ticket.told != told {
            return Ok(true);
        }
        let expires = seatsync_db::remediation::links_expire(&self.pool, &ticket.delivery_key).await?;
        Ok(expires.is_some_and(|at| at < chrono::Utc::now() + chrono::Duration::days(1)))
    }

    /// Writes a refused ticket's text afresh, with new links, before it is tried again: nobody
    /// ever saw the old ones, and they would be stale or expired by the time it is made.
    async fn rewrite_unmade(
        &self,
        ticket: &AlertTicket,
        name: &str,
        found: &Found<'_>,
        delivery: &DeliveryRow,
    ) -> Result<(), AlertTicketError> {
        let (lines, all, expires_at) =
            self.links(&ticket.tenant_id, found.findings, Some(&ticket.delivery_key)).await?;
        let listing = self.listing(&lines, all.as_deref(), expires_at, found.waiting);
        let message = compose::opening(name, &listing, MAX_TICKET_TEXT);
        if seatsync_db::deliveries::rewrite_unmade(&self.pool, delivery.id, &message.title, &message.text).await? {
            db::set_told(&self.pool, ticket.id, &found.fingerprint()).await?;
        }
        Ok(())
    }

    /// Makes the episode's links and records and sends its ticket.
    async fn open_ticket(
        &self,
        ticket: &AlertTicket,
        name: &str,
        to: Recipient,
        found: &Found<'_>,
    ) -> Result<Tended, AlertTicketError> {
        let (lines, all, expires_at) =
            self.links(&ticket.tenant_id, found.findings, Some(&ticket.delivery_key)).await?;
        let listing = self.listing(&lines, all.as_deref(), expires_at, found.waiting);
        let message = compose::opening(name, &listing, MAX_TICKET_TEXT);
        let outgoing = Outgoing {
            dedup_key: ticket.delivery_key.clone(),
            purpose: PURPOSE.into(),
            title: message.title,
            text: message.text,
            html: None,
            attachments: Vec::new(),
            to,
        };
        let row = self.delivery.deliver(None, outgoing).await?;
        if row.status != DeliveryStatus::Delivered {
            return Err(AlertTicketError::Psa(not_delivered(&row)));
        }
        db::set_told(&self.pool, ticket.id, &found.fingerprint()).await?;
        Ok(Tended::Opened)
    }

    /// A link per subscription and, for more than one, a link for them all; bound to the ticket
    /// when they go in one (an e-mail's have none to note).
    async fn links<'f>(
        &self,
        tenant: &TenantId,
        found: &'f [Finding],
        ticket_key: Option<&str>,
    ) -> Result<(Vec<Line<'f>>, Option<String>, chrono::DateTime<chrono::Utc>), AlertTicketError> {
        let mut lines = Vec::with_capacity(found.len());
        let mut expires_at = None;
        for f in found {
            let item = LinkItem { subscription_id: f.subscription_id.clone(), target: f.target };
            let link = self.remediation.issue(tenant, &[item], ticket_key, None).await?;
            expires_at = Some(link.expires_at);
            lines.push(Line { finding: f, link: Some(self.link_url(&link.token)) });
        }
        let all = if found.len() > 1 {
            let items: Vec<LinkItem> = found
                .iter()
                .map(|f| LinkItem { subscription_id: f.subscription_id.clone(), target: f.target })
                .collect();
            let link = self.remediation.issue(tenant, &items, ticket_key, None).await?;
            Some(self.link_url(&link.token))
        } else {
            None
        };
        Ok((lines, all, expires_at.unwrap_or_else(chrono::Utc::now)))
    }

    /// What a message lists, with where the waiting seats' Pax8 company is confirmed.
    fn listing<'a>(
        &'a self,
        lines: &'a [Line<'a>],
        all_link: Option<&'a str>,
        expires_at: chrono::DateTime<chrono::Utc>,
        waiting: &'a [Waiting],
    ) -> Listing<'a> {
        Listing { lines, all_link, expires_at, waiting, companies_url: &self.companies_url }
    }

    /// One link reducing every finding of a tenant, bound to no ticket, and when it expires.
    async fn link_for_all(
        &self,
        tenant: &TenantId,
        found: &[Finding],
    ) -> Result<(String, chrono::DateTime<chrono::Utc>), AlertTicketError> {
        let items: Vec<LinkItem> =
            found.iter().map(|f| LinkItem { subscription_id: f.subscription_id.clone(), target: f.target }).collect();
        let link = self.remediation.issue(tenant, &items, None, None).await?;
        Ok((self.link_url(&link.token), link.expires_at))
    }

    /// After a link from a ticket was confirmed: a note on that ticket with what was changed.
    /// `None` for a link made on the Alerts page (no ticket).
    pub async fn note_confirmed(
        &self,
        confirmed: &Confirmed,
        by: Uuid,
        by_name: &str,
    ) -> Result<Option<seatsync_db::deliveries::FollowUpRow>, AlertTicketError> {
        let Some(key) = &confirmed.delivery_key else { return Ok(None) };
        if confirmed.changes.is_empty() {
            return Ok(None);
        }
        let message = compose::confirmed(&confirmed.changes, by_name);
        let follow_up = FollowUp {
            dedup_key: format!("{key}:confirmed:{}", confirmed.link_id),
            kind: FollowUpKind::Note,
            title: message.title,
            text: message.text,
        };
        Ok(Some(self.delivery.follow_up(key, Some(by), follow_up).await?))
    }

    /// The newest episodes with their ticket's delivery and follow-ups, for the Alerts page: three
    /// queries, whatever the number.
    pub async fn recent(&self, limit: i64) -> Result<Vec<TicketHistory>, AlertTicketError> {
        let episodes = db::recent(&self.pool, limit).await?;
        let keys: Vec<String> = episodes.iter().map(|e| e.delivery_key.clone()).collect();
        let mut deliveries: HashMap<String, DeliveryRow> = seatsync_db::deliveries::find_by_keys(&self.pool, &keys)
            .await?
            .into_iter()
            .map(|d| (d.dedup_key.clone(), d))
            .collect();
        let ids: Vec<i64> = deliveries.values().map(|d| d.id).collect();
        let mut follow_ups: HashMap<i64, Vec<seatsync_db::deliveries::FollowUpRow>> = HashMap::new();
        for f in seatsync_db::deliveries::follow_ups_of_all(&self.pool, &ids).await? {
            follow_ups.entry(f.delivery_id).or_default().push(f);
        }
        Ok(episodes
            .into_iter()
            .map(|episode| {
                let delivery = deliveries.remove(&episode.delivery_key);
                let follow_ups = delivery.as_ref().and_then(|d| follow_ups.remove(&d.id)).unwrap_or_default();
                TicketHistory { episode, delivery, follow_ups }
            })
            .collect())
    }
}

/// One tenant's ticket episode as the Alerts page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketHistory {
    pub episode: AlertTicket,
    pub delivery: Option<DeliveryRow>,
    pub follow_ups: Vec<seatsync_db::deliveries::FollowUpRow>,
}

/// The dedup key of a tenant's `episode`th ticket.
pub fn episode_key(tenant: &TenantId, episode: i32) -> String {
    format!("licence-alerts:{tenant}:{episode}")
}

/// What a ticket lists, in a few characters: the subscriptions, their targets and whether now.
/// A date moving on (a monthly renewal) is no reason for a note; a different target is.
pub fn fingerprint(found: &[Finding]) -> String {
    let mut parts: Vec<String> = found
        .iter()
        .map(|f| {
            let when = if f.timing == FindingTiming::Now { "now" } else { "renewal" };
            format!("{}:{}:{when}", f.subscription_id.as_str().to_ascii_lowercase(), f.target)
        })
        .collect();
    parts.sort();
    short_hash(&parts.join(","))
}

/// Sixteen hex digits of the SHA-256 of `text`: a fingerprint short enough to store and key by.
fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The findings worth a ticket or an e-mail, by tenant.
fn alerted_by_tenant(findings: Vec<Finding>) -> BTreeMap<TenantId, Vec<Finding>> {
    let mut by_tenant: BTreeMap<TenantId, Vec<Finding>> = BTreeMap::new();
    for f in findings.into_iter().filter(|f| f.alert) {
        by_tenant.entry(f.tenant_id.clone()).or_default().push(f);
    }
    by_tenant
}

fn not_delivered(row: &DeliveryRow) -> String {
    row.error.clone().unwrap_or_else(|| format!("the ticket is {}", row.status))
}

#[cfg(test)]
mod tests {
    use seatsync_domain::{kinds::FindingChannel, SkuId, SubscriptionId};

    use super::*;

    fn finding(sub: &str, target: i64, timing: FindingTiming, day: &str) -> Finding {
        Finding {
            tenant_id: TenantId::new("t"),
            subscription_id: SubscriptionId::new(sub),
            sku_id: SkuId::new("k"),
            product: "P".into(),
            term: None,
            commitment_end: None,
            channel: FindingChannel::PartnerCenter,
            pax8_subscription_id: None,
            purchased: 10,
            scheduled: None,
            sku_purchased: 10,
            assigned: 3,
            allowance: 0,
            reducible: 10 - target,
            target,
            timing,
            timing_date: Some(day.parse().unwrap()),
            alert: true,
            monthly_saving: None,
        }
    }

    #[test]
    fn the_fingerprint_follows_targets_and_timing_not_order_dates_or_case() {
        let a = finding("A", 3, FindingTiming::Now, "2026-12-09T00:00:00Z");
        let b = finding("b", 5, FindingTiming::AtRenewal, "2027-01-01T00:00:00Z");
        let base = fingerprint(&[a.clone(), b.clone()]);
        assert_eq!(base, fingerprint(&[b.clone(), a.clone()]));
        let later = finding("a", 3, FindingTiming::Now, "2027-01-09T00:00:00Z");
        assert_eq!(base, fingerprint(&[later, b.clone()]), "a moved date is not a change");
        assert_ne!(base, fingerprint(&[finding("A", 4, FindingTiming::Now, "2026-12-09T00:00:00Z"), b.clone()]));
        assert_ne!(base, fingerprint(&[finding("A", 3, FindingTiming::AtRenewal, "2026-12-09T00:00:00Z"), b]));
        assert_ne!(base, fingerprint(&[a]));
    }

    #[test]
    fn episode_keys_name_the_tenant_and_episode() {
        assert_eq!(episode_key(&TenantId::new("abc"), 2), "licence-alerts:abc:2");
    }
}
