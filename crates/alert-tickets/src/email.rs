//! The unused-licence e-mails, beside or instead of the tickets as the Admin chooses: one per
//! customer whose findings are new or changed since its last e-mail, or one digest of every
//! customer after each run. Their links are the tickets' links (signed, expiring, single use,
//! confirmed after sign-in) without a ticket to note.
//!
//! Each message goes through the delivery service under a key made of the job run it belongs to,
//! so a run taken over after a crash finds the message it already sent and sends nothing again.

use std::collections::BTreeMap;

use seatsync_db::{alert_emails, licence_alerts, tenants, DbError};
use seatsync_delivery::{Outgoing, Recipient};
use seatsync_domain::{email::AlertEmailMode, kinds::DeliveryStatus, TenantId};
use seatsync_licence_alerts::settings::AlertSettings;

use crate::{
    alerted_by_tenant,
    compose::{self, DigestEntry},
    fingerprint, AlertTicketError, AlertTickets,
};

/// Customers a digest lists in full; the rest are counted and on the Alerts page.
pub const MAX_DIGEST_CUSTOMERS: usize = 100;

/// Longest text of a customer's e-mail (every subscription with its link fits far below it).
const MAX_EMAIL_TEXT: usize = 100_000;

const PURPOSE: &str = "Unused licences (e-mail)";

/// Whether a message went out.
enum Sent {
    Yes,
    /// It may have: SMTP cannot say whether it arrived, so SeatSync never sends it again.
    Uncertain(String),
    /// It did not, with why; tried again next run.
    Failed(String),
}

/// What one run e-mailed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmailSummary {
    pub sent: usize,
    /// Messages that did not go out (or may not have), with why.
    pub failed: Vec<String>,
}

impl AlertTickets {
    /// The e-mails the Admin's setting asks for after the alert run `run_id`, stored on the run;
    /// `None` when e-mail is off. `batch` names the job run, so a run taken over sends nothing
    /// twice.
    pub async fn email_after(&self, run_id: i64, batch: &str) -> Result<Option<EmailSummary>, AlertTicketError> {
        let settings = AlertSettings::load(&self.pool).await?;
        let to = settings.email.to;
        let summary = match settings.email.mode {
            AlertEmailMode::Off => return Ok(None),
            AlertEmailMode::PerCustomer => self.email_each(batch, &to).await?,
            AlertEmailMode::Digest => self.email_digest(batch, &to).await?,
        };
        alert_emails::record_run(&self.pool, run_id, summary.sent as i32, &summary.failed).await?;
        Ok(Some(summary))
    }

    /// One e-mail per customer whose findings changed since its last one.
    async fn email_each(&self, batch: &str, to: &[String]) -> Result<EmailSummary, AlertTicketError> {
        let (by_tenant, names) = self.alerted().await?;
        let told = alert_emails::told(&self.pool).await?;
        let mut summary = EmailSummary::default();
        for (tenant, found) in &by_tenant {
            let now = fingerprint(found);
            if told.get(tenant) == Some(&now) {
                continue;
            }
            let name = names.get(tenant).cloned().unwrap_or_else(|| tenant.to_string());
            let key = format!("licence-alerts-email:{tenant}:{now}:{batch}");
            let (lines, all, expires_at) = self.links(tenant, found, None).await?;
            let listing = self.listing(&lines, all.as_deref(), expires_at, &[]);
            let message = compose::opening(&name, &listing, MAX_EMAIL_TEXT);
            let outgoing = Outgoing {
                dedup_key: key.clone(),
                purpose: PURPOSE.into(),
                title: message.title,
                text: message.text,
                html: None,
                attachments: Vec::new(),
                to: Recipient::Email { to: to.to_vec() },
            };
            let sent = self.send_mail(outgoing).await?;
            // A message that may have arrived counts as told: it is never sent twice.
            if !matches!(sent, Sent::Failed(_)) {
                alert_emails::set_told(&self.pool, tenant, &now, &key).await?;
            }
            match sent {
                Sent::Yes => summary.sent += 1,
                Sent::Uncertain(why) | Sent::Failed(why) => summary.failed.push(format!("{name}: {why}")),
            }
        }
        let keep: Vec<TenantId> = by_tenant.keys().cloned().collect();
        alert_emails::forget_except(&self.pool, &keep).await?;
        Ok(summary)
    }

    /// One e-mail listing every customer with seats to give back, the largest saving first.
    async fn email_digest(&self, batch: &str, to: &[String]) -> Result<EmailSummary, AlertTicketError> {
        let (by_tenant, names) = self.alerted().await?;
        let mut summary = EmailSummary::default();
        if by_tenant.is_empty() {
            return Ok(summary);
        }
        let saving = |found: &[licence_alerts::Finding]| found.iter().filter_map(|f| f.monthly_saving).sum::<f64>();
        let mut order: Vec<(&TenantId, &Vec<licence_alerts::Finding>)> = by_tenant.iter().collect();
        order.sort_by(|a, b| saving(b.1).total_cmp(&saving(a.1)).then_with(|| names.get(a.0).cmp(&names.get(b.0))));
        let mut entries = Vec::new();
        let mut expires_at = chrono::Utc::now();
        for (tenant, found) in order.iter().take(MAX_DIGEST_CUSTOMERS) {
            let (link, expires) = self.link_for_all(tenant, found).await?;
            expires_at = expires;
            entries.push(DigestEntry {
                tenant: names.get(*tenant).cloned().unwrap_or_else(|| tenant.to_string()),
                findings: found.as_slice(),
                link,
            });
        }
        let rest: Vec<&licence_alerts::Finding> =
            order.iter().skip(MAX_DIGEST_CUSTOMERS).flat_map(|(_, found)| found.iter()).collect();
        let message = compose::digest(&entries, &rest, expires_at);
        let outgoing = Outgoing {
            dedup_key: format!("licence-alerts-digest:{batch}"),
            purpose: PURPOSE.into(),
            title: message.title,
            text: message.text,
            html: None,
            attachments: Vec::new(),
            to: Recipient::Email { to: to.to_vec() },
        };
        match self.send_mail(outgoing).await? {
            Sent::Yes => summary.sent = 1,
            Sent::Uncertain(why) | Sent::Failed(why) => summary.failed.push(format!("the digest: {why}")),
        }
        Ok(summary)
    }

    /// The newest run's alerted findings per tenant, and the tenants' names.
    async fn alerted(
        &self,
    ) -> Result<(BTreeMap<TenantId, Vec<licence_alerts::Finding>>, BTreeMap<TenantId, String>), DbError> {
        let (findings, all) = tokio::try_join!(licence_alerts::findings(&self.pool), tenants::list(&self.pool))?;
        Ok((alerted_by_tenant(findings), all.into_iter().map(|t| (t.tenant_id, t.name)).collect()))
    }

    /// Sends one message once.
    async fn send_mail(&self, outgoing: Outgoing) -> Result<Sent, AlertTicketError> {
        let row = self.delivery.deliver(None, outgoing).await?;
        Ok(match row.status {
            DeliveryStatus::Delivered => Sent::Yes,
            DeliveryStatus::Uncertain => Sent::Uncertain(format!(
                "the mail server's answer was lost, so it may not have arrived ({}); it is not sent again",
                row.error.unwrap_or_default()
            )),
            _ => Sent::Failed(row.error.unwrap_or_else(|| format!("the e-mail is {}", row.status))),
        })
    }
}
