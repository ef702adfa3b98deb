//! The Alerts page: the newest run's findings per tenant, the seats reducible only at renewal,
//! what was passed over with its reason, and the totals over time; all read from PostgreSQL.

use std::collections::HashMap;

use seatsync_api_types::alerts::{
    AlertPoint, AlertRunLine, AlertTicketRow, AlertsView, ExclusionRow, FindingRow, IgnoredSkuRow, PassedOverRow,
    RecentChange, RunEmails, RunTickets, TenantAlerts, TicketNoteRow,
};
use seatsync_db::{
    kinds::{DeliveryStatus, FollowUpKind, JobKind, Pax8LinkState},
    licence_alerts as db, pax8, tenants,
};
use seatsync_domain::email::{address_list, AlertEmailMode};
use seatsync_domain::{reducible::PassReason, TenantId, Term};
use seatsync_licence_alerts::settings::{AlertEmail, AlertSettings, SETTINGS_KEY};

use crate::{ServiceError, Services};

/// Quantity changes listed on the Alerts page.
const RECENT_CHANGES: i64 = 50;

/// Unused-licence tickets listed on the Alerts page.
const RECENT_TICKETS: i64 = 50;

impl Services {
    pub async fn alerts_view(&self) -> Result<AlertsView, ServiceError> {
        let (ignored, exclusions) = tokio::try_join!(db::ignored_skus(&self.pool), db::exclusions(&self.pool))?;
        let (run, findings, passed_over, history, all_tenants, links, active, actions) = tokio::try_join!(
            db::last_run(&self.pool),
            db::findings(&self.pool),
            db::passed_over(&self.pool),
            db::history(&self.pool),
            tenants::list(&self.pool),
            pax8::links(&self.pool),
            seatsync_db::jobs::active_run(&self.pool, JobKind::LicenceAlerts, None),
            seatsync_db::remediation::recent_actions(&self.pool, RECENT_CHANGES),
        )?;
        let settings = AlertSettings::load(&self.pool).await?;
        let allowances = self.allowances().await?;
        let tickets = self
            .alert_tickets
            .recent(RECENT_TICKETS)
            .await
            .map_err(|e| ServiceError::unexpected("reading the alert tickets", e))?;
        let name_of: HashMap<&TenantId, &str> = all_tenants.iter().map(|t| (&t.tenant_id, t.name.as_str())).collect();
        let name = |t: &TenantId| name_of.get(t).map(|n| n.to_string()).unwrap_or_else(|| t.to_string());
        let rows: Vec<(bool, FindingRow)> = findings
            .into_iter()
            .map(|f| {
                let row = FindingRow {
                    tenant_name: name(&f.tenant_id),
                    tenant_id: f.tenant_id,
                    subscription_id: f.subscription_id,
                    sku_id: f.sku_id,
                    product: f.product,
                    term: f.term.as_deref().map(Term::words_of).unwrap_or_else(|| "no term".into()),
                    commitment_end: f.commitment_end,
                    channel: f.channel,
                    purchased: f.purchased,
                    scheduled: f.scheduled,
                    sku_purchased: f.sku_purchased,
                    assigned: f.assigned,
                    allowance: f.allowance,
                    reducible: f.reducible,
                    target: f.target,
                    timing: f.timing,
                    timing_date: f.timing_date,
                    monthly_saving: f.monthly_saving,
                };
                (f.alert, row)
            })
            .collect();
        let mut by_tenant: Vec<TenantAlerts> = Vec::new();
        let mut at_renewal = Vec::new();
        for (alert, row) in rows {
            if !alert {
                at_renewal.push(row);
                continue;
            }
            match by_tenant.iter_mut().find(|t| t.tenant_id == row.tenant_id) {
                Some(t) => t.findings.push(row),
                None => by_tenant.push(TenantAlerts {
                    tenant_id: row.tenant_id.clone(),
                    name: row.tenant_name.clone(),
                    reducible: 0,
                    monthly_saving: 0.0,
                    saving_incomplete: false,
                    findings: vec![row],
                }),
            }
        }
        for t in &mut by_tenant {
            t.reducible = t.findings.iter().map(|f| f.reducible).sum();
            t.monthly_saving = cents(t.findings.iter().filter_map(|f| f.monthly_saving).sum());
            t.saving_incomplete = t.findings.iter().any(|f| f.monthly_saving.is_none());
        }
        by_tenant.sort_by(|a, b| {
            b.monthly_saving
                .total_cmp(&a.monthly_saving)
                .then(b.reducible.cmp(&a.reducible))
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        at_renewal.sort_by(|a, b| a.timing_date.cmp(&b.timing_date).then_with(|| a.tenant_name.cmp(&b.tenant_name)));
        // Unused seats left out, and once per tenant the subscriptions nobody can weigh (Graph's
        // assigned seats unknown): those are the alerts a tenant is missing without anyone seeing.
        let mut rows: Vec<PassedOverRow> = Vec::new();
        for p in passed_over {
            if p.reason == PassReason::AssignedUnknown.code() {
                if rows.iter().any(|r| r.tenant_id == p.tenant_id && r.unused.is_none()) {
                    continue;
                }
                rows.push(PassedOverRow {
                    tenant_name: name(&p.tenant_id),
                    tenant_id: p.tenant_id,
                    product: "every subscription".into(),
                    subscription_id: None,
                    unused: None,
                    reason: p.words,
                });
            } else if p.unused > 0 {
                rows.push(PassedOverRow {
                    tenant_name: name(&p.tenant_id),
                    tenant_id: p.tenant_id,
                    product: p.part_number.unwrap_or_else(|| "a subscription Graph does not list".into()),
                    subscription_id: p.subscription_id,
                    unused: Some(p.unused),
                    reason: p.words,
                });
            }
        }
        let passed_over = rows;
        let mut history: Vec<AlertPoint> = history
            .into_iter()
            .map(|h| AlertPoint { at: h.recorded_at, reducible: h.reducible, monthly_saving: cents(h.monthly_saving) })
            .collect();
        history.reverse();
        Ok(AlertsView {
            last_run: run.and_then(|r| {
                Some(AlertRunLine {
                    finished_at: r.finished_at?,
                    tenants: r.tenants.unwrap_or(0),
                    alerted: r.alerted.unwrap_or(0),
                    pax8_error: r.pax8_error,
                    pax8_read_at: r.pax8_read_at,
                    error: r.error,
                    tickets: r.tickets_opened.map(|opened| RunTickets {
                        opened,
                        noted: r.tickets_noted.unwrap_or(0),
                        closed: r.tickets_closed.unwrap_or(0),
                        unmapped: r.tickets_unmapped.unwrap_or_default(),
                        failed: r.tickets_failed.unwrap_or_default(),
                        skipped: r.tickets_skipped,
                    }),
                    emails: r.emails_sent.map(|sent| RunEmails { sent, failed: r.email_failed.unwrap_or_default() }),
                })
            }),
            pax8_configured: self.integrations.slots().pax8.is_set(),
            total_reducible: by_tenant.iter().map(|t| t.reducible).sum(),
            total_monthly_saving: cents(by_tenant.iter().map(|t| t.monthly_saving).sum()),
            tenants: by_tenant,
            at_renewal,
            passed_over,
            history,
            pending_companies: links.iter().filter(|l| l.state == Pax8LinkState::Suggested).count(),
            running: active.is_some(),
            ignored_skus: ignored
                .into_iter()
                .map(|i| IgnoredSkuRow {
                    part_number: i.part_number,
                    category: i.category,
                    note: i.note,
                    added_by: i.added_by_name,
                    added_at: i.added_at,
                })
                .collect(),
            exclusions: exclusions
                .into_iter()
                .map(|e| ExclusionRow {
                    tenant_id: e.tenant_id,
                    tenant_name: e.tenant_name,
                    sku_id: e.sku_id,
                    part_number: e.part_number,
                    note: e.note,
                    added_by: e.added_by_name,
                    added_at: e.added_at,
                })
                .collect(),
            changes: actions
                .into_iter()
                .map(|a| RecentChange {
                    tenant_name: name(&a.tenant_id),
                    change: crate::remediation::change_line_of(a),
                })
                .collect(),
            renewal_notice_days: settings.renewal_notice_days,
            ticket_psa: self.delivery.ticket_psa().await?,
            ticket_waiting: settings.ticket_waiting,
            email_mode: settings.email.mode,
            email_to: settings.email.to,
            allowances,
            tickets: tickets
                .into_iter()
                .map(|t| AlertTicketRow {
                    tenant_name: name(&t.episode.tenant_id),
                    tenant_id: t.episode.tenant_id,
                    ticket_number: t
                        .delivery
                        .as_ref()
                        .and_then(|d| d.ticket_number.clone().or_else(|| d.ticket_id.map(|id| format!("#{id}")))),
                    delivery_status: t.delivery.as_ref().map(|d| d.status).unwrap_or(DeliveryStatus::Pending),
                    delivery_error: t.delivery.and_then(|d| d.error),
                    opened_at: t.episode.opened_at,
                    closed_at: t.episode.closed_at,
                    closed_why: t.episode.closed_why,
                    notes: t
                        .follow_ups
                        .into_iter()
                        .map(|f| TicketNoteRow {
                            title: f.title,
                            closes: f.kind == FollowUpKind::Close,
                            status: f.status,
                            error: f.error,
                            at: f.delivered_at.unwrap_or(f.created_at),
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

impl Services {
    /// The Admin's settings of the alerts; they apply from the next run (and to links opened
    /// from then on).
    pub async fn save_alert_settings(
        &self,
        by: &crate::Staff,
        renewal_notice_days: i64,
        ticket_waiting: Option<bool>,
    ) -> Result<(), ServiceError> {
        let stored = AlertSettings::load(&self.pool).await?;
        let ticket_waiting = ticket_waiting.unwrap_or(stored.ticket_waiting);
        let settings = AlertSettings { renewal_notice_days, ticket_waiting, ..stored };
        self.store_alert_settings(by, &settings).await
    }

    /// How the alerts are e-mailed: the mode and the addresses as typed (commas, semicolons or
    /// lines between them). It applies from the next run.
    pub async fn save_alert_email(
        &self,
        by: &crate::Staff,
        mode: AlertEmailMode,
        to: String,
    ) -> Result<(), ServiceError> {
        let email = AlertEmail { mode, to: address_list(&to) };
        if mode != AlertEmailMode::Off && !self.integrations.slots().mailer.is_set() {
            return Err(ServiceError::Invalid(
                "SMTP is not set up: an Admin sets it up on the Integrations page first.".into(),
            ));
        }
        let settings = AlertSettings { email, ..AlertSettings::load(&self.pool).await? };
        self.store_alert_settings(by, &settings).await
    }

    async fn store_alert_settings(&self, by: &crate::Staff, settings: &AlertSettings) -> Result<(), ServiceError> {
        if let Some(problem) = settings.problem() {
            return Err(ServiceError::Invalid(problem));
        }
        seatsync_db::settings::set(&self.pool, SETTINGS_KEY, settings, by.id).await?;
        Ok(())
    }
}

/// A SKU part number as typed, trimmed, or why it is not one.
pub(crate) fn sku_part_number(typed: &str) -> Result<&str, ServiceError> {
    let part = typed.trim();
    let valid =
        !part.is_empty() && part.len() <= 100 && part.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if valid {
        Ok(part)
    } else {
        Err(ServiceError::Invalid(format!(
            "'{part}' is not a SKU part number: use Microsoft's String ID, such as INTUNE_A_D (letters, digits, _ - .)."
        )))
    }
}

/// The categories of the ignore list, as stored.
const IGNORE_CATEGORIES: &[&str] = &["free", "trial", "device", "consumption", "other"];

impl Services {
    /// Adds a part number to the global ignore list; it is left out from the next run on.
    pub async fn ignore_sku(
        &self,
        by: &crate::Staff,
        part_number: String,
        category: String,
        note: Option<String>,
    ) -> Result<(), ServiceError> {
        let part = sku_part_number(&part_number)?;
        let category = category.trim().to_ascii_lowercase();
        if !IGNORE_CATEGORIES.contains(&category.as_str()) {
            return Err(ServiceError::Invalid(format!(
                "The category must be one of {}.",
                IGNORE_CATEGORIES.join(", ")
            )));
        }
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        db::ignore_sku(&self.pool, part, &category, note.as_deref(), by.id).await?;
        Ok(())
    }

    /// Takes a part number off the ignore list (nothing to do when it is not on it).
    pub async fn unignore_sku(&self, part_number: String) -> Result<(), ServiceError> {
        db::unignore_sku(&self.pool, part_number.trim()).await?;
        Ok(())
    }

    /// Leaves a customer, or one licence of it (`sku`), out of alerts, or takes it back in.
    pub async fn exclude(
        &self,
        by: &crate::Staff,
        tenant: TenantId,
        sku: Option<seatsync_domain::SkuId>,
        excluded: bool,
        note: Option<String>,
    ) -> Result<(), ServiceError> {
        tenants::find(&self.pool, &tenant).await.map_err(ServiceError::db_missing("That customer"))?;
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        match sku {
            Some(sku) => db::set_sku_excluded(&self.pool, &tenant, &sku, excluded, note.as_deref(), by.id).await?,
            None => db::set_tenant_excluded(&self.pool, &tenant, excluded, note.as_deref(), by.id).await?,
        }
        Ok(())
    }
}
