//! The billing count report: every tool's counts per PSA company, in one table, stored per run.
//!
//! Each tool is a [`Connector`]: it lists what the tool counted for each of its customers and
//! which PSA company each customer is. A run asks every connector in turn (one that fails or is
//! not set up never stops the others, and is named in the report), builds the table with the
//! domain's rules (`domain::billing`: 0 for a company the tool knows, blank where there is no
//! data, the columns in one order, a failed tool's columns kept blank) and stores it whole, with
//! how each tool fared, so it can be shown, compared with the one before and downloaded as it
//! was. Rows are the PSA's (Autotask's) active companies, whether or not they have a tenant.
//!
//! A tool with customers of its own (Datto RMM's sites, Huntress's organizations) returns them
//! with their counts, and the run places each in a PSA company by `domain::tool_customers`' rules
//! (a person's decision on the tool's customers page, the tool's own PSA link, the customer's
//! Microsoft tenant), remembering every customer it saw for that page.
//!
//! Adding a connector is its own module and one line in [`connectors`].

mod automate;
mod auvik;
mod datto_rmm;
pub mod delivery;
mod duo;
mod huntress;
mod microsoft;
mod ninjaone;
mod pax8;
mod progress;
mod sentinelone;

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    pin::Pin,
    sync::Arc,
    time::Instant,
};

use seatsync_db::{autotask_cache, billing as db, mappings, tool_customers, DbError, PgPool};
use seatsync_domain::{
    billing::{Column, Company, Report, ToolCounts, ToolOutcome, ToolStatus},
    kinds::BillingTool,
    tool_customers::{place_all, CustomerCount, Decision, ToolCustomer},
    CompanyId, Mapping, TenantId,
};
use seatsync_integrations::ClientSlots;
use seatsync_licences::Catalog;

pub use db::ReportLine;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub use db::StoredReport;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// The delivery service could not be asked (its settings unreadable).
    #[error("{0}")]
    Delivery(String),
}

/// Why a connector has no counts this run.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectorError {
    NotConfigured,
    /// Why, in words.
    Failed(String),
}

impl From<DbError> for ConnectorError {
    fn from(e: DbError) -> Self {
        ConnectorError::Failed(format!("SeatSync's database could not be read: {e}"))
    }
}

/// What a connector counted: the counts per PSA company, and the tool's customers it could not
/// place in a PSA company (named in the report, never dropped silently).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counted {
    pub companies: std::collections::BTreeSet<i64>,
    pub counts: Vec<(i64, String, i64)>,
    pub unplaced: Vec<String>,
    /// A remark for the report, such as how old the tool's data is.
    pub note: Option<String>,
}

/// What a tool with customers of its own read: the customers and what it counted for each. The
/// run places them in PSA companies.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolReading {
    pub tool: BillingTool,
    pub customers: Vec<ToolCustomer>,
    pub counts: Vec<CustomerCount>,
}

/// What a connector returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// Counts already per PSA company (Microsoft 365, through the tenants' mapping).
    Placed(Counted),
    /// The tool's own customers, for the run to place.
    Customers(ToolReading),
}

/// What SeatSync knows that every connector needs: which PSA company each tenant is, and what
/// people decided about the tools' customers.
///
/// Loaded once per run, so the customers a connector asks about and the customers the run places
/// come from one snapshot of the decisions.
#[derive(Default)]
pub struct Placement {
    by_tenant: HashMap<TenantId, CompanyId>,
    /// The same mapping keyed by the tenant lower-cased: tools write tenant ids in either case.
    by_tenant_any_case: HashMap<TenantId, i64>,
    decisions: HashMap<BillingTool, HashMap<String, Decision>>,
}

impl Placement {
    fn new(by_tenant: HashMap<TenantId, CompanyId>, decisions: Vec<tool_customers::DecisionRow>) -> Self {
        let by_tenant_any_case = by_tenant.iter().map(|(t, c)| (t.to_ascii_lowercase(), c.get())).collect();
        let mut by_tool: HashMap<BillingTool, HashMap<String, Decision>> = HashMap::new();
        for row in decisions {
            if let Some(decision) = row.decision() {
                by_tool.entry(row.tool).or_default().insert(row.customer_key, decision);
            }
        }
        Self { by_tenant, by_tenant_any_case, decisions: by_tool }
    }

    pub fn company_of(&self, tenant: &TenantId) -> Option<i64> {
        self.by_tenant.get(tenant).map(|c| c.get())
    }

    fn decision(&self, tool: BillingTool, key: &str) -> Option<Decision> {
        self.decisions.get(&tool).and_then(|d| d.get(key)).copied()
    }

    /// Whether the run can place this customer of `tool` in a company, so its counts are worth
    /// the tool's requests: a person placed it, or, undecided, its own PSA link or its mapped
    /// tenant does. One left out is not billed and one placed nowhere is only named.
    pub fn may_place(&self, tool: BillingTool, customer: &ToolCustomer) -> bool {
        match self.decision(tool, &customer.key) {
            Some(Decision::Company(_)) => true,
            Some(Decision::Ignored) => false,
            None => {
                customer.psa_company.is_some()
                    || customer
                        .tenant
                        .as_ref()
                        .is_some_and(|t| self.by_tenant_any_case.contains_key(&t.to_ascii_lowercase()))
            }
        }
    }
}

/// One tool.
pub trait Connector: Send + Sync {
    /// The tool as the report names it.
    fn tool(&self) -> &'static str;
    /// Its counts now.
    fn count<'a>(&'a self, placement: &'a Placement) -> BoxFuture<'a, Result<Reading, ConnectorError>>;
    /// Requests its client has sent to the tool so far, for a tool read over HTTP (`None` for
    /// one counted from PostgreSQL).
    fn requests_sent(&self) -> Option<u64> {
        None
    }
}

/// What a run made.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub report_id: i64,
    pub companies: usize,
    pub columns: usize,
    pub tools: Vec<ToolOutcome>,
}

/// Every connector of this installation, in the order they are asked.
pub fn connectors(pool: &PgPool, slots: &ClientSlots, catalog: &Arc<Catalog>) -> Vec<Box<dyn Connector>> {
    vec![
        Box::new(microsoft::Microsoft365::new(pool.clone(), catalog.clone())),
        Box::new(pax8::Pax8Counts::new(pool.clone(), slots.clone())),
        Box::new(datto_rmm::DattoRmmCounts::new(slots.datto_rmm.clone())),
        Box::new(ninjaone::NinjaOneCounts::new(slots.ninjaone.clone())),
        Box::new(automate::AutomateCounts::new(slots.automate.clone())),
        Box::new(huntress::HuntressCounts::new(slots.huntress.clone())),
        Box::new(sentinelone::SentinelOneCounts::new(slots.sentinelone.clone())),
        Box::new(duo::DuoCounts::new(slots.duo.clone())),
        Box::new(auvik::AuvikCounts::new(slots.auvik.clone())),
    ]
}

/// The billing reports.
pub struct BillingReports {
    pool: PgPool,
    connectors: Vec<Box<dyn Connector>>,
}

impl BillingReports {
    pub fn new(pool: PgPool, connectors: Vec<Box<dyn Connector>>) -> Arc<Self> {
        Arc::new(Self { pool, connectors })
    }

    /// Asks every tool, builds the report and stores it.
    pub async fn run(&self, job_run_id: Option<i64>) -> Result<RunSummary, BillingError> {
        let (companies, tenants, earlier, decisions) = tokio::try_join!(
            autotask_cache::companies(&self.pool),
            mappings::tenant_rows(&self.pool),
            db::newest(&self.pool, 1),
            tool_customers::decisions(&self.pool),
        )?;
        let rows: Vec<Company> =
            companies.into_iter().filter(|c| c.is_active).map(|c| Company { id: c.id.get(), name: c.name }).collect();
        let active: HashSet<i64> = rows.iter().map(|c| c.id).collect();
        let by_tenant: HashMap<TenantId, CompanyId> = tenants
            .iter()
            .filter_map(|t| match t.target() {
                Mapping::Mapped { id } => Some((t.tenant_id.clone(), id)),
                _ => None,
            })
            .collect();
        let placement = Placement::new(by_tenant, decisions);
        let earlier_columns: Vec<Column> = earlier.first().map(|r| r.report.0.columns.clone()).unwrap_or_default();
        // Every tool at once: each has its own vendor and its own budget, so the report takes as
        // long as its slowest tool rather than the sum of them all.
        let progress =
            progress::Progress::new(&self.pool, job_run_id, self.connectors.iter().map(|c| c.tool()).collect());
        progress.show().await;
        let read = self.connectors.iter().map(|connector| async {
            let read = self.read_tool(connector.as_ref(), &placement, &active).await;
            progress.finished(connector.tool()).await;
            read
        });
        let (outcomes, tools): (Vec<ToolOutcome>, Vec<ToolCounts>) =
            futures::future::join_all(read).await.into_iter().unzip();
        let report = Report::build(&rows, &tools, &earlier_columns);
        let report_id = db::insert(&self.pool, job_run_id, &report, &outcomes).await?;
        tracing::info!(
            report_id,
            companies = report.companies.len(),
            columns = report.columns.len(),
            "billing report made"
        );
        Ok(RunSummary { report_id, companies: report.companies.len(), columns: report.columns.len(), tools: outcomes })
    }

    /// One tool's counts, and how its reading went (a failure leaves its counts empty).
    async fn read_tool(
        &self,
        connector: &dyn Connector,
        placement: &Placement,
        active: &HashSet<i64>,
    ) -> (ToolOutcome, ToolCounts) {
        let started = Instant::now();
        let sent_before = connector.requests_sent();
        let counted = match connector.count(placement).await {
            Ok(Reading::Placed(counted)) => Ok(counted),
            Ok(Reading::Customers(reading)) => self.place(reading, active, placement).await,
            Err(e) => Err(e),
        };
        let milliseconds = started.elapsed().as_millis() as u64;
        let requests = connector.requests_sent().zip(sent_before).map(|(after, before)| after.saturating_sub(before));
        let tool = connector.tool().to_string();
        let (status, counted) = match counted {
            Ok(c) => (ToolStatus::Ok, c),
            Err(ConnectorError::NotConfigured) => (ToolStatus::NotConfigured, Counted::default()),
            Err(ConnectorError::Failed(why)) => {
                tracing::warn!(tool, error = %why, "a billing connector failed; its columns are left blank");
                (ToolStatus::Failed(why), Counted::default())
            }
        };
        let outcome = ToolOutcome {
            tool: tool.clone(),
            status: status.clone(),
            milliseconds,
            requests,
            companies: counted.companies.len(),
            unplaced: counted.unplaced,
            note: counted.note,
        };
        (outcome, ToolCounts { tool, status, companies: counted.companies, counts: counted.counts })
    }

    /// Remembers the customers a tool listed and carries their counts to the PSA companies they
    /// are placed in.
    async fn place(
        &self,
        reading: ToolReading,
        active: &HashSet<i64>,
        placement: &Placement,
    ) -> Result<Counted, ConnectorError> {
        tool_customers::record_seen(&self.pool, reading.tool, &reading.customers).await?;
        let no_decisions = HashMap::new();
        let decisions = placement.decisions.get(&reading.tool).unwrap_or(&no_decisions);
        let placed = place_all(&reading.customers, &reading.counts, decisions, active, &placement.by_tenant_any_case);
        let note = (placed.ignored > 0).then(|| {
            let word = if placed.ignored == 1 { reading.tool.customer_word() } else { reading.tool.customers_word() };
            format!("{} {word} left out as not billed", placed.ignored)
        });
        Ok(Counted { companies: placed.companies, counts: placed.counts, unplaced: placed.unplaced, note })
    }

    /// The newest report and the one before it (for what changed).
    pub async fn newest(&self) -> Result<Vec<StoredReport>, BillingError> {
        Ok(db::newest(&self.pool, 2).await?)
    }

    /// A report and the one before it; `DbError::NotFound` when there is no such report.
    pub async fn with_previous(&self, id: i64) -> Result<Vec<StoredReport>, BillingError> {
        Ok(db::with_previous(&self.pool, id).await?)
    }

    /// Every report's column totals, oldest first (the chart over time).
    pub async fn totals(&self) -> Result<Vec<db::TotalsRow>, BillingError> {
        Ok(db::totals(&self.pool).await?)
    }

    /// Every report made, newest first.
    pub async fn lines(&self) -> Result<Vec<ReportLine>, BillingError> {
        Ok(db::lines(&self.pool).await?)
    }
}
