//! The billing tools' customers (`billing_tool_customers`): what each report run last read of
//! them, and a person's decision of which PSA company each is, with every decision kept in
//! `billing_tool_customer_history`.

use chrono::{DateTime, Utc};
use seatsync_domain::{
    kinds::BillingTool,
    tool_customers::{Decision, ToolCustomer},
    TenantId,
};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ToolCustomerRow {
    pub customer_key: String,
    pub name: String,
    pub domains: Vec<String>,
    pub psa_company_id: Option<i64>,
    pub tenant_id: Option<TenantId>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub decided_company_id: Option<i64>,
    pub ignored: bool,
    /// The person's display name, if they still exist.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl ToolCustomerRow {
    pub fn decision(&self) -> Option<Decision> {
        if self.ignored {
            Some(Decision::Ignored)
        } else {
            self.decided_company_id.map(Decision::Company)
        }
    }

    pub fn customer(&self) -> ToolCustomer {
        ToolCustomer {
            key: self.customer_key.clone(),
            name: self.name.clone(),
            domains: self.domains.clone(),
            psa_company: self.psa_company_id,
            tenant: self.tenant_id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct HistoryRow {
    pub customer_key: String,
    pub customer_name: String,
    /// `mapped`, `ignored` or `cleared`.
    pub action: String,
    pub company_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
}

/// Records what a run read of the tool's customers (name, domains, the tool's own links), in one
/// statement; decisions are left as they are.
pub async fn record_seen(
    db: impl PgExecutor<'_>,
    tool: BillingTool,
    customers: &[ToolCustomer],
) -> Result<(), DbError> {
    let keys: Vec<&str> = customers.iter().map(|c| c.key.as_str()).collect();
    let names: Vec<&str> = customers.iter().map(|c| c.name.as_str()).collect();
    // One text per customer, a domain a line (arrays of arrays do not unnest row by row).
    let domains: Vec<String> = customers.iter().map(|c| c.domains.join("\n")).collect();
    let companies: Vec<Option<i64>> = customers.iter().map(|c| c.psa_company).collect();
    let tenants: Vec<Option<&str>> = customers.iter().map(|c| c.tenant.as_ref().map(TenantId::as_str)).collect();
    sqlx::query(
        "INSERT INTO billing_tool_customers (tool, customer_key, name, domains, psa_company_id, tenant_id)
         SELECT $1, k, n, CASE WHEN d = '' THEN '{}'::text[] ELSE string_to_array(d, E'\\n') END, c, t
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS x(k, n, d, c, t)
         ON CONFLICT (tool, customer_key) DO UPDATE
           SET name = EXCLUDED.name, domains = EXCLUDED.domains, psa_company_id = EXCLUDED.psa_company_id,
               tenant_id = EXCLUDED.tenant_id, last_seen = now()",
    )
    .bind(tool)
    .bind(keys)
    .bind(names)
    .bind(domains)
    .bind(companies)
    .bind(tenants)
    .execute(db)
    .await?;
    Ok(())
}

/// Every customer of `tool` ever read, by name.
pub async fn of_tool(db: impl PgExecutor<'_>, tool: BillingTool) -> Result<Vec<ToolCustomerRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT c.customer_key, c.name, c.domains, c.psa_company_id, c.tenant_id, c.first_seen, c.last_seen,
                c.decided_company_id, c.ignored, u.display_name AS decided_by, c.decided_at
         FROM billing_tool_customers c LEFT JOIN users u ON u.id = c.decided_by
         WHERE c.tool = $1 ORDER BY lower(c.name), c.customer_key",
    )
    .bind(tool)
    .fetch_all(db)
    .await?)
}

/// A person's decision on one tool customer.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DecisionRow {
    pub tool: BillingTool,
    pub customer_key: String,
    pub decided_company_id: Option<i64>,
    pub ignored: bool,
}

impl DecisionRow {
    pub fn decision(&self) -> Option<Decision> {
        if self.ignored {
            Some(Decision::Ignored)
        } else {
            self.decided_company_id.map(Decision::Company)
        }
    }
}

/// Every tool customer a person has decided on, across the tools.
pub async fn decisions(db: impl PgExecutor<'_>) -> Result<Vec<DecisionRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT tool, customer_key, decided_company_id, ignored FROM billing_tool_customers
         WHERE ignored OR decided_company_id IS NOT NULL",
    )
    .fetch_all(db)
    .await?)
}

/// Records people's decisions (a company, ignore, or `None` to withdraw one) for customers of
/// `tool`, each with its history line, in one statement. Returns the customers changed; a key
/// the tool never listed changes nothing.
pub async fn decide(
    db: impl PgExecutor<'_>,
    tool: BillingTool,
    decisions: &[(&str, Option<Decision>)],
    by: Uuid,
) -> Result<u64, DbError> {
    let keys: Vec<&str> = decisions.iter().map(|(k, _)| *k).collect();
    let companies: Vec<Option<i64>> = decisions
        .iter()
        .map(|(_, d)| match d {
            Some(Decision::Company(id)) => Some(*id),
            _ => None,
        })
        .collect();
    let ignored: Vec<bool> = decisions.iter().map(|(_, d)| matches!(d, Some(Decision::Ignored))).collect();
    let row: (i64,) = sqlx::query_as(
        "WITH wanted AS (
             SELECT * FROM unnest($2::text[], $3::bigint[], $4::bool[]) AS x(k, c, i)
         ), changed AS (
             UPDATE billing_tool_customers b
             SET decided_company_id = w.c, ignored = w.i, decided_by = $5, decided_at = now()
             FROM wanted w
             WHERE b.tool = $1 AND b.customer_key = w.k
             RETURNING b.customer_key, b.name, w.c, w.i
         ), logged AS (
             INSERT INTO billing_tool_customer_history (tool, customer_key, customer_name, action, company_id, decided_by)
             SELECT $1, customer_key, name,
                    CASE WHEN i THEN 'ignored' WHEN c IS NULL THEN 'cleared' ELSE 'mapped' END, c, $5
             FROM changed
             RETURNING 1
         )
         SELECT count(*) FROM logged",
    )
    .bind(tool)
    .bind(keys)
    .bind(companies)
    .bind(ignored)
    .bind(by)
    .fetch_one(db)
    .await?;
    Ok(row.0 as u64)
}

/// The latest `limit` decisions on customers of `tool`, newest first.
pub async fn history(db: impl PgExecutor<'_>, tool: BillingTool, limit: i64) -> Result<Vec<HistoryRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT h.customer_key, h.customer_name, h.action, h.company_id, u.display_name AS decided_by, h.decided_at
         FROM billing_tool_customer_history h LEFT JOIN users u ON u.id = h.decided_by
         WHERE h.tool = $1 ORDER BY h.decided_at DESC, h.id DESC LIMIT $2",
    )
    .bind(tool)
    .bind(limit)
    .fetch_all(db)
    .await?)
}
