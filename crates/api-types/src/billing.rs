//! The Billing page: the billing count report as a table, each tool's outcome, what changed
//! since the report before, and every earlier report.

use chrono::{DateTime, Utc};
use seatsync_domain::{
    billing_delivery::{BillingDelivery, BillingSchedule},
    kinds::{BillingTool, TicketPsa},
};
use serde::{Deserialize, Serialize};

pub use crate::tickets::{CompanySuggestion, PsaCompany};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingView {
    /// The report shown (the newest, or the one asked for), if any was made.
    pub report: Option<BillingReportView>,
    /// Every report, newest first.
    pub reports: Vec<BillingReportLine>,
    /// A run is waiting or going.
    pub running: bool,
    /// How far that run has got, in words ("4 of 9 tools read; reading Huntress, Auvik").
    pub progress: Option<String>,
    /// Autotask is set up (its companies are the rows).
    pub configured: bool,
    /// Every report's column totals, oldest first, for the chart over time.
    pub history: Vec<TotalsPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotalsPoint {
    pub at: DateTime<Utc>,
    /// "Tool · Product" → the column's total.
    pub totals: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingReportLine {
    pub id: i64,
    pub made_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingReportView {
    pub id: i64,
    pub made_at: DateTime<Utc>,
    /// "Tool · Product", in the report's order.
    pub columns: Vec<String>,
    pub rows: Vec<BillingRow>,
    pub tools: Vec<ToolLine>,
    /// What changed since the report before it; `None` for the first report.
    pub changes: Option<ChangesSummary>,
    /// How it was sent (ticket, e-mail), where it was.
    pub sent: Vec<ReportSent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingRow {
    pub company: String,
    pub cells: Vec<BillingCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingCell {
    /// `None`: blank, no data.
    pub value: Option<i64>,
    /// Changed since the report before: what it was then.
    pub changed: bool,
    pub before: Option<i64>,
}

/// How one tool fared in the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolLine {
    pub tool: String,
    pub ok: bool,
    /// "counted", "failed: …" or "not set up".
    pub status: String,
    pub milliseconds: u64,
    /// Requests sent to the tool, for a tool read over HTTP.
    pub requests: Option<u64>,
    pub companies: usize,
    /// The tool's customers that are no PSA company (not billed from this report).
    pub unplaced: Vec<String>,
    pub note: Option<String>,
    /// The tool's customers page, for a tool whose customers are placed there.
    pub customers_page: Option<BillingTool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesSummary {
    pub previous_id: i64,
    pub previous_at: DateTime<Utc>,
    pub cells: usize,
    pub companies_added: Vec<String>,
    pub companies_removed: Vec<String>,
    pub columns_added: Vec<String>,
    pub columns_removed: Vec<String>,
}

/// A billing tool's customers (Datto RMM's sites, Huntress's organizations) and which PSA
/// company each is, for its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCustomersView {
    pub tool: BillingTool,
    pub tool_name: String,
    /// What the tool calls a customer ("site", "organization").
    pub customer_word: String,
    pub customers_word: String,
    pub configured: bool,
    /// When a report last read the tool's customers; `None` before the first.
    pub last_read: Option<DateTime<Utc>>,
    pub customers: Vec<ToolCustomerLine>,
    /// The PSA's active companies, by name, to choose from.
    pub companies: Vec<PsaCompany>,
    /// The latest decisions, newest first.
    pub history: Vec<ToolCustomerDecision>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCustomerLine {
    /// The tool's own id for it.
    pub key: String,
    pub name: String,
    /// The company its counts go to, if any.
    pub company: Option<PsaCompany>,
    /// How it got there, in words ("chosen by a person", "linked in Datto RMM").
    pub placed_by: Option<String>,
    /// A person left it out of the report (the MSP's own site, a test organization).
    pub ignored: bool,
    /// A person's decision (a company or ignore), which can be withdrawn.
    pub decided: bool,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// For one without a company: the company SeatSync would choose, and why.
    pub suggestion: Option<CompanySuggestion>,
    /// Not listed by the tool at the last read (kept, with its decision, should it come back).
    pub gone: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCustomerDecision {
    pub customer_name: String,
    /// In words: "placed in Acme Ltd", "left out", "decision withdrawn".
    pub what: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// A billing report as the HTTP API gives it as JSON: every company with a cell per column
/// (`null` where there is no data), and how each tool fared, so another system bills from the
/// same numbers and sees the same gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingReportExport {
    pub id: i64,
    pub made_at: DateTime<Utc>,
    /// Column headings ("Datto RMM · Servers"), in the report's order.
    pub columns: Vec<String>,
    pub rows: Vec<BillingExportRow>,
    pub tools: Vec<ToolLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingExportRow {
    /// The PSA (Autotask) company's id.
    pub company_id: i64,
    pub company: String,
    /// One per column; `None` where there is no data.
    pub cells: Vec<Option<i64>>,
}

/// A report in the API's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingReportRef {
    pub id: i64,
    pub made_at: DateTime<Utc>,
}

/// When reports are made and where they go (the Billing page; an Admin changes them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingSettingsView {
    /// The schedule as the form shows it (the configured one's shape, where it has one).
    pub schedule: BillingSchedule,
    /// The schedule in force, in words.
    pub schedule_words: String,
    /// Set on this page (else from the environment or its default).
    pub from_app: bool,
    pub next_run: Option<DateTime<Utc>>,
    pub delivery: BillingDelivery,
    pub delivery_words: String,
    /// The PSA tickets go to, and its companies to choose the ticket's from.
    pub ticket_psa: TicketPsa,
    pub companies: Vec<PsaCompany>,
    /// Why the companies could not be read now, if they could not.
    pub companies_error: Option<String>,
    /// SMTP is set up, so e-mails can go.
    pub email_configured: bool,
}

/// How one way of sending a report fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSent {
    /// "A ticket in Autotask", "An e-mail to billing@…".
    pub what: String,
    pub ok: bool,
    /// Its status in words, with the ticket's number.
    pub said: String,
}
