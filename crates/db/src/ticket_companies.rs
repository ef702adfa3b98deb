//! Which ConnectWise Manage company or HaloPSA client each tenant is (`ticket_companies`), for the
//! tickets SeatSync opens in that PSA. Autotask's are the tenant mappings (`mappings.rs`).

use chrono::{DateTime, Utc};
use seatsync_domain::{kinds::TicketPsa, TenantId};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TicketCompanyRow {
    pub tenant_id: TenantId,
    pub company_id: i64,
    pub company_name: String,
    /// The person's display name, if they still exist.
    pub set_by: Option<String>,
    pub set_at: DateTime<Utc>,
}

/// A tenant's company, as an Editor chooses it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketCompany<'a> {
    pub tenant_id: &'a TenantId,
    pub company_id: i64,
    pub company_name: &'a str,
}

/// Every tenant's company in `psa`.
pub async fn of_psa(db: impl PgExecutor<'_>, psa: TicketPsa) -> Result<Vec<TicketCompanyRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT t.tenant_id, t.company_id, t.company_name, u.display_name AS set_by, t.set_at
         FROM ticket_companies t LEFT JOIN users u ON u.id = t.set_by
         WHERE t.psa = $1 ORDER BY t.tenant_id",
    )
    .bind(psa)
    .fetch_all(db)
    .await?)
}

/// Sets tenants' companies in `psa` (one or many in one statement); how many were set.
pub async fn set(
    db: impl PgExecutor<'_>,
    psa: TicketPsa,
    companies: &[TicketCompany<'_>],
    by: Uuid,
) -> Result<u64, DbError> {
    let tenants: Vec<&str> = companies.iter().map(|c| c.tenant_id.as_str()).collect();
    let ids: Vec<i64> = companies.iter().map(|c| c.company_id).collect();
    let names: Vec<&str> = companies.iter().map(|c| c.company_name).collect();
    let done = sqlx::query(
        "INSERT INTO ticket_companies (psa, tenant_id, company_id, company_name, set_by, set_at)
         SELECT $1, t, c, n, $5, now() FROM unnest($2::text[], $3::bigint[], $4::text[]) AS x(t, c, n)
         ON CONFLICT (psa, tenant_id) DO UPDATE
           SET company_id = EXCLUDED.company_id, company_name = EXCLUDED.company_name,
               set_by = EXCLUDED.set_by, set_at = now()",
    )
    .bind(psa)
    .bind(tenants)
    .bind(ids)
    .bind(names)
    .bind(by)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Forgets a tenant's company in `psa`; whether it had one.
pub async fn clear(db: impl PgExecutor<'_>, psa: TicketPsa, tenant_id: &TenantId) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM ticket_companies WHERE psa = $1 AND tenant_id = $2")
        .bind(psa)
        .bind(tenant_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
