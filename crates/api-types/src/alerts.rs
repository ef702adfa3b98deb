//! The Alerts page: every tenant's seats that could be given back, the ones reducible only at
//! renewal, what was left out and why, and the totals over time.

use chrono::{DateTime, Utc};
use seatsync_domain::{
    kinds::{FindingChannel, FindingTiming},
    SkuId, SubscriptionId, TenantId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    /// The newest finished run, if any.
    pub last_run: Option<AlertRunLine>,
    /// Whether Pax8 is set up (without it, only subscriptions bought in Partner Center count).
    pub pax8_configured: bool,
    /// Tenants with seats to give back now or soon, the largest monthly saving first.
    pub tenants: Vec<TenantAlerts>,
    /// Seats reducible only at a renewal further off than the notice period.
    pub at_renewal: Vec<FindingRow>,
    /// What the rule left out that has unused seats, and why.
    pub passed_over: Vec<PassedOverRow>,
    /// Every tenant's reducible seats and monthly saving at each run, oldest first.
    pub history: Vec<AlertPoint>,
    pub total_reducible: i64,
    pub total_monthly_saving: f64,
    /// Pax8 companies waiting for a person to say which tenant they are.
    pub pending_companies: usize,
    /// A run is queued or going.
    pub running: bool,
    /// The newest quantity changes made through links, newest first.
    pub changes: Vec<RecentChange>,
    /// Part numbers never alerted for any customer.
    pub ignored_skus: Vec<IgnoredSkuRow>,
    /// Customers, and licences of one customer, left out of alerts.
    pub exclusions: Vec<ExclusionRow>,
    /// The PSA the tickets go to (Admin setting, on the Where tickets go page).
    pub ticket_psa: seatsync_domain::kinds::TicketPsa,
    /// The tickets also list unused seats waiting for a Pax8 company (Admin setting).
    pub ticket_waiting: bool,
    /// How the alerts are e-mailed (Admin setting), and to whom.
    pub email_mode: seatsync_domain::email::AlertEmailMode,
    pub email_to: Vec<String>,
    /// Licences given their own spare seats for one customer.
    pub allowances: Vec<AllowanceRow>,
    /// The newest unused-licence tickets, newest first.
    pub tickets: Vec<AlertTicketRow>,
    /// Days before an annual or 3-year renewal from which its seats are alerted (Admin setting).
    pub renewal_notice_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IgnoredSkuRow {
    pub part_number: String,
    /// "free", "trial", "device", "consumption" or "other".
    pub category: String,
    pub note: Option<String>,
    pub added_by: Option<String>,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExclusionRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// A licence of the customer; the whole customer when `None`.
    pub sku_id: Option<SkuId>,
    pub part_number: Option<String>,
    pub note: Option<String>,
    pub added_by: Option<String>,
    pub added_at: DateTime<Utc>,
}

/// A licence's own spare seats for one customer, over the customer's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllowanceRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub sku_id: SkuId,
    /// The licence's name, or its part number when no name is known, or the SKU id when Graph
    /// no longer lists it.
    pub licence: String,
    pub spare: i64,
    /// The customer's spare seats for every other licence (the Overview's allowance).
    pub tenant_default: i64,
    pub set_by: Option<String>,
    pub set_at: DateTime<Utc>,
}

/// A licence of one customer that seats are assigned to users for: what can be given its own
/// spare seats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantLicence {
    pub sku_id: SkuId,
    pub licence: String,
    pub part_number: String,
    pub assigned: i64,
    /// Its own spare seats, when set; otherwise the customer's default applies.
    pub spare: Option<i64>,
}

/// A customer's licences and its default spare seats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantLicences {
    pub tenant_default: i64,
    pub licences: Vec<TenantLicence>,
}

/// A quantity change and its customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentChange {
    pub tenant_name: String,
    pub change: ChangeLine,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRunLine {
    pub finished_at: DateTime<Utc>,
    pub tenants: i32,
    pub alerted: i32,
    pub pax8_error: Option<String>,
    pub pax8_read_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// What the run did to the tickets (runs before tickets existed have none).
    pub tickets: Option<RunTickets>,
    /// What the run e-mailed (`None`: e-mail was off).
    pub emails: Option<RunEmails>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEmails {
    pub sent: i32,
    /// Messages that did not go out, with why (tried again next run).
    pub failed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunTickets {
    pub opened: i32,
    pub noted: i32,
    pub closed: i32,
    /// Customers with seats to give back and no Autotask company mapped.
    pub unmapped: Vec<String>,
    /// Customers whose ticket could not be sent, with why.
    pub failed: Vec<String>,
    /// Why no ticket was considered (Autotask not configured).
    pub skipped: Option<String>,
}

/// A customer's unused-licence ticket, from its opening to its close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertTicketRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// The PSA's ticket number, once it is made.
    pub ticket_number: Option<String>,
    pub delivery_status: seatsync_domain::kinds::DeliveryStatus,
    pub delivery_error: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_why: Option<String>,
    /// Its notes, oldest first.
    pub notes: Vec<TicketNoteRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketNoteRow {
    pub title: String,
    /// The note closed the ticket.
    pub closes: bool,
    pub status: seatsync_domain::kinds::DeliveryStatus,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantAlerts {
    pub tenant_id: TenantId,
    pub name: String,
    pub reducible: i64,
    pub monthly_saving: f64,
    /// Some seats have no known price, so the saving is at least the figure shown.
    pub saving_incomplete: bool,
    pub findings: Vec<FindingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub subscription_id: SubscriptionId,
    pub sku_id: SkuId,
    pub product: String,
    /// The term in words ("monthly", "annual", "3-year"), or what Partner Center sent.
    pub term: String,
    pub commitment_end: Option<DateTime<Utc>>,
    pub channel: FindingChannel,
    pub purchased: i64,
    /// The quantity already scheduled for the next term, which a reduction at renewal starts from.
    pub scheduled: Option<i64>,
    /// The licence's renewing seats across all its subscriptions.
    pub sku_purchased: i64,
    /// Users holding the licence, across all its subscriptions.
    pub assigned: i64,
    pub allowance: i64,
    pub reducible: i64,
    pub target: i64,
    pub timing: FindingTiming,
    /// Until when 'now' holds (the cancellation window's end), or the renewal date.
    pub timing_date: Option<DateTime<Utc>>,
    pub monthly_saving: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassedOverRow {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// The product, or the part number when no name is known.
    pub product: String,
    pub subscription_id: Option<SubscriptionId>,
    /// `None` when nobody knows (Graph's numbers are missing).
    pub unused: Option<i64>,
    /// Why, in words.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlertPoint {
    pub at: DateTime<Utc>,
    pub reducible: i64,
    pub monthly_saving: f64,
}

/// A reduction link as its confirmation page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LinkState {
    /// The link works: what confirming would do, from the live numbers.
    Ready(LinkPlan),
    /// The link cannot be used (forged, changed, expired, used); nothing was changed. A used
    /// link shows what it did.
    Unusable { message: String, done: Vec<ChangeLine> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkPlan {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub expires_at: DateTime<Utc>,
    /// The link was put in a ticket (its outcome is added to the ticket as a note).
    pub from_ticket: bool,
    pub items: Vec<LinkPlanItem>,
    /// At least one subscription can be changed now.
    pub actionable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkPlanItem {
    pub subscription_id: SubscriptionId,
    pub product: String,
    pub channel: Option<FindingChannel>,
    /// The quantity now.
    pub quantity: i64,
    /// Users holding the licence now, when Graph says.
    pub assigned: Option<i64>,
    /// The licence's renewing seats across all its subscriptions, where known.
    pub licence_bought: Option<i64>,
    pub allowance: i64,
    /// What the link asked for.
    pub link_target: i64,
    pub step: LinkStep,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LinkStep {
    /// Lowered to `target`, now or for the next term; `raised_from` is the link's target when
    /// more seats are used now.
    Reduce {
        target: i64,
        next_term: bool,
        raised_from: Option<i64>,
    },
    /// Pax8 changes it once the cancellation window opens at renewal.
    WaitForWindow {
        opens: Option<DateTime<Utc>>,
    },
    Nothing {
        why: String,
    },
}

/// What confirming a link did: the changes, and the note on the ticket the link came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confirmation {
    pub changes: Vec<ChangeLine>,
    /// `None` for a link made on the Alerts page (no ticket).
    pub ticket_note: Option<TicketNoteLine>,
}

/// Whether the ticket got its note, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketNoteLine {
    pub added: bool,
    pub words: String,
}

/// One quantity change a link made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeLine {
    pub product: String,
    pub channel: FindingChannel,
    pub next_term: bool,
    pub before: i64,
    pub target: i64,
    pub status: seatsync_domain::kinds::QuantityChangeStatus,
    pub after: Option<i64>,
    /// The vendor's words for a refusal or failure.
    pub detail: Option<String>,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
}
