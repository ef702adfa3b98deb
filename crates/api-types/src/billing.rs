//! The Billing page: the billing count report as a table, each tool's outcome, what changed
//! since the report before, and every earlier report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingView {
    /// The report shown (the newest, or the one asked for), if any was made.
    pub report: Option<BillingReportView>,
    /// Every report, newest first.
    pub reports: Vec<BillingReportLine>,
    /// A run is waiting or going.
    pub running: bool,
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
    pub companies: usize,
    /// The tool's customers that are no PSA company (not billed from this report).
    pub unplaced: Vec<String>,
    pub note: Option<String>,
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
