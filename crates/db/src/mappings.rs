//! Mappings of tenants to Autotask companies and of Microsoft offers to Autotask services, with
//! optimistic versions (two editors never overwrite each other unknowingly) and an audit trail.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use seatsync_domain::{CompanyId, Mapping, ServiceId, ServiceMapping, SubscriptionId, TenantId, TenantMapping};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

/// The id a kind of mapping points at; it fixes the table, so a tenant can never be saved as
/// mapped to a service.
pub trait MappedId: Copy + From<i64> + Into<i64> + Send + Sync {
    const KIND: Kind;
}

impl MappedId for CompanyId {
    const KIND: Kind = Kind::Tenant;
}

impl MappedId for ServiceId {
    const KIND: Kind = Kind::Offer;
}

/// A mapping as its table stores it: the state's text and the id column.
fn parts<Id: MappedId>(mapping: Mapping<Id>) -> (&'static str, Option<i64>) {
    match mapping {
        Mapping::Unmapped => ("unmapped", None),
        Mapping::Mapped { id } => ("mapped", Some(id.into())),
        Mapping::Ignored => ("ignored", None),
    }
}

/// The mapping a stored state and id say; a row without one is unmapped.
fn from_parts<Id>(state: &str, id: Option<Id>) -> Mapping<Id> {
    match (state, id) {
        ("mapped", Some(id)) => Mapping::Mapped { id },
        ("ignored", _) => Mapping::Ignored,
        _ => Mapping::Unmapped,
    }
}

/// Which mapping: a tenant's (by tenant id) or an offer's (by `OfferKey::to_key_string`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tenant,
    Offer,
}

impl Kind {
    fn table(self) -> (&'static str, &'static str, &'static str, &'static str) {
        // (table, key column, target id column, audit subject kind)
        match self {
            Kind::Tenant => ("tenant_mappings", "tenant_id", "company_id", "tenant"),
            Kind::Offer => ("offer_mappings", "offer_key", "service_id", "offer"),
        }
    }
}

/// A mapping as it stands, with who changed it last.
#[derive(Debug, Clone, PartialEq)]
pub struct Current<Id> {
    pub target: Mapping<Id>,
    /// 0 when it was never set.
    pub version: i32,
    pub changed_by_name: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct CurrentRow {
    state: String,
    target_id: Option<i64>,
    version: i32,
    changed_by_name: Option<String>,
    changed_at: Option<DateTime<Utc>>,
}

impl<Id: MappedId> From<CurrentRow> for Current<Id> {
    fn from(r: CurrentRow) -> Self {
        Current {
            target: from_parts(&r.state, r.target_id.map(Id::from)),
            version: r.version,
            changed_by_name: r.changed_by_name,
            changed_at: r.changed_at,
        }
    }
}

/// The outcome of a save.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved<Id> {
    /// Stored; the mapping's new version.
    Done { version: i32 },
    /// Someone changed it after the caller read it; nothing was written. Here is what it is now.
    Conflict(Current<Id>),
}

pub async fn current<Id: MappedId>(db: impl PgExecutor<'_>, key: &str) -> Result<Current<Id>, DbError> {
    let (table, key_col, id_col, _) = Id::KIND.table();
    let row: Option<CurrentRow> = sqlx::query_as(&format!(
        "SELECT m.state, m.{id_col} AS target_id, m.version, u.display_name AS changed_by_name, m.changed_at
         FROM {table} m LEFT JOIN users u ON u.id = m.changed_by WHERE m.{key_col} = $1"
    ))
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(row.map(Current::from).unwrap_or(Current {
        target: Mapping::Unmapped,
        version: 0,
        changed_by_name: None,
        changed_at: None,
    }))
}

/// One edit of a tenant's or offer's mapping, as the audit log records it.
#[derive(Debug, Clone)]
pub struct MappingEdit<'a, Id> {
    /// The tenant id or offer key.
    pub key: &'a str,
    pub target: Mapping<Id>,
    /// The version the editor saw; the save is refused when it has moved on.
    pub expected_version: i32,
    /// What the audit log calls the edit ("map", "ignore", "reset", ...).
    pub action: &'a str,
    /// Snapshots with names, readable later whatever happens to the records they name.
    pub before: &'a serde_json::Value,
    pub after: &'a serde_json::Value,
    /// Who made the edit; `None` when SeatSync made it itself.
    pub by: Option<Uuid>,
    /// Also forgets the tenant's turned-down suggestions (a reset).
    pub clear_dismissals: bool,
}

/// Saves the edit if the mapping is still at its `expected_version`, and records it in the
/// audit log. One transaction; the row lock makes concurrent saves queue, so exactly one of two
/// editors holding the same version wins.
pub async fn save<Id: MappedId>(db: &sqlx::PgPool, edit: &MappingEdit<'_, Id>) -> Result<Saved<Id>, DbError> {
    let MappingEdit { key, target, expected_version, action, before, after, by, clear_dismissals } = *edit;
    let kind = Id::KIND;
    let (table, key_col, id_col, subject) = kind.table();
    let mut tx = db.begin().await?;
    let (state, id) = parts(target);
    let version: Option<i32> = sqlx::query_scalar(&format!(
        "INSERT INTO {table} ({key_col}, state, {id_col}, version, changed_by, changed_at) VALUES ($1, $2, $3, 1, $4, now())
         ON CONFLICT ({key_col}) DO UPDATE SET state = EXCLUDED.state, {id_col} = EXCLUDED.{id_col},
             version = {table}.version + 1, changed_by = EXCLUDED.changed_by, changed_at = now()
         WHERE {table}.version = $5
         RETURNING version"
    ))
    .bind(key)
    .bind(state)
    .bind(id)
    .bind(by)
    .bind(expected_version)
    .fetch_optional(&mut *tx)
    .await?;
    // An insert happens only when no row existed, i.e. at version 0.
    let version = match version {
        Some(v) if !(v == 1 && expected_version != 0) => v,
        _ => {
            tx.rollback().await?;
            return Ok(Saved::Conflict(current(db, key).await?));
        }
    };
    sqlx::query("INSERT INTO mapping_audit (subject_kind, subject_key, action, before, after, changed_by) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(subject)
        .bind(key)
        .bind(action)
        .bind(before)
        .bind(after)
        .bind(by)
        .execute(&mut *tx)
        .await?;
    if clear_dismissals && kind == Kind::Tenant {
        sqlx::query("DELETE FROM suggestion_dismissals WHERE tenant_id = $1").bind(key).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Saved::Done { version })
}

/// Every tenant with its mapping, for the customer mapping page.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TenantRow {
    pub tenant_id: TenantId,
    pub name: String,
    pub primary_domain: Option<String>,
    pub state: String,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    pub company_removed: bool,
    pub version: i32,
    pub changed_by_name: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
}

impl TenantRow {
    pub fn target(&self) -> TenantMapping {
        from_parts(&self.state, self.company_id)
    }
}

const TENANT_ROW: &str = "SELECT t.tenant_id, t.name, t.primary_domain, coalesce(m.state, 'unmapped') AS state, m.company_id,
        c.name AS company_name, (c.id IS NULL AND m.company_id IS NOT NULL) OR c.removed_at IS NOT NULL AS company_removed,
        coalesce(m.version, 0) AS version, u.display_name AS changed_by_name, m.changed_at
    FROM tenants t
    LEFT JOIN tenant_mappings m ON m.tenant_id = t.tenant_id
    LEFT JOIN autotask_companies c ON c.id = m.company_id
    LEFT JOIN users u ON u.id = m.changed_by";

pub async fn tenant_rows(db: impl PgExecutor<'_>) -> Result<Vec<TenantRow>, DbError> {
    Ok(sqlx::query_as(&format!("{TENANT_ROW} WHERE t.removed_at IS NULL ORDER BY lower(t.name), t.tenant_id"))
        .fetch_all(db)
        .await?)
}

pub async fn tenant_row(db: impl PgExecutor<'_>, tenant_id: &TenantId) -> Result<TenantRow, DbError> {
    sqlx::query_as(&format!("{TENANT_ROW} WHERE t.tenant_id = $1"))
        .bind(tenant_id)
        .fetch_optional(db)
        .await?
        .ok_or(DbError::NotFound)
}

/// The Microsoft offers seen in current subscriptions, with their mapping.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct OfferRow {
    pub offer_key: String,
    /// A name Partner Center gives the offer (the most common one).
    pub offer_name: String,
    pub subscriptions: i64,
    pub tenants: i64,
    pub quantity: i64,
    pub state: String,
    pub service_id: Option<ServiceId>,
    pub service_name: Option<String>,
    pub service_removed: bool,
    pub version: i32,
    pub changed_by_name: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
}

impl OfferRow {
    pub fn target(&self) -> ServiceMapping {
        from_parts(&self.state, self.service_id)
    }
}

const OFFER_ROW: &str = "WITH offers AS (
        SELECT s.offer_key, mode() WITHIN GROUP (ORDER BY coalesce(s.offer_name, s.friendly_name, s.offer_id)) AS offer_name,
               count(*) AS subscriptions, count(DISTINCT s.tenant_id) AS tenants, sum(s.quantity)::bigint AS quantity
        FROM subscriptions s JOIN tenants t ON t.tenant_id = s.tenant_id AND t.removed_at IS NULL
        WHERE s.removed_at IS NULL AND s.offer_key IS NOT NULL
        GROUP BY s.offer_key)
    SELECT o.offer_key, o.offer_name, o.subscriptions, o.tenants, o.quantity, coalesce(m.state, 'unmapped') AS state, m.service_id,
           v.name AS service_name, (v.id IS NULL AND m.service_id IS NOT NULL) OR v.removed_at IS NOT NULL AS service_removed,
           coalesce(m.version, 0) AS version, u.display_name AS changed_by_name, m.changed_at
    FROM offers o
    LEFT JOIN offer_mappings m ON m.offer_key = o.offer_key
    LEFT JOIN autotask_services v ON v.id = m.service_id
    LEFT JOIN users u ON u.id = m.changed_by";

pub async fn offer_rows(db: impl PgExecutor<'_>) -> Result<Vec<OfferRow>, DbError> {
    Ok(sqlx::query_as(&format!("{OFFER_ROW} ORDER BY lower(o.offer_name), o.offer_key")).fetch_all(db).await?)
}

pub async fn offer_row(db: impl PgExecutor<'_>, offer_key: &str) -> Result<OfferRow, DbError> {
    sqlx::query_as(&format!("{OFFER_ROW} WHERE o.offer_key = $1"))
        .bind(offer_key)
        .fetch_optional(db)
        .await?
        .ok_or(DbError::NotFound)
}

/// An offer's mapping, by offer key.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferTarget {
    pub offer_key: String,
    pub target: ServiceMapping,
}

/// Every offer mapping (including offers no longer in use), as the contract pages need them.
pub async fn offer_targets(db: impl PgExecutor<'_>) -> Result<Vec<OfferTarget>, DbError> {
    #[derive(FromRow)]
    struct Row {
        offer_key: String,
        state: String,
        service_id: Option<ServiceId>,
    }
    let rows: Vec<Row> =
        sqlx::query_as("SELECT offer_key, state, service_id FROM offer_mappings").fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| OfferTarget { target: from_parts(&r.state, r.service_id), offer_key: r.offer_key })
        .collect())
}

/// One entry of a mapping's history.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub changed_by_name: Option<String>,
    pub changed_at: DateTime<Utc>,
}

pub async fn history(db: impl PgExecutor<'_>, kind: Kind, key: &str) -> Result<Vec<AuditEntry>, DbError> {
    let (_, _, _, subject) = kind.table();
    Ok(sqlx::query_as(
        "SELECT a.id, a.action, a.before, a.after, u.display_name AS changed_by_name, a.changed_at
         FROM mapping_audit a LEFT JOIN users u ON u.id = a.changed_by
         WHERE a.subject_kind = $1 AND a.subject_key = $2 ORDER BY a.changed_at DESC, a.id DESC LIMIT 200",
    )
    .bind(subject)
    .bind(key)
    .fetch_all(db)
    .await?)
}

/// A suggested company turned down for a tenant: it is never suggested for that tenant again.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Dismissal {
    pub tenant_id: TenantId,
    pub company_id: CompanyId,
}

/// Suggestions turned down.
pub async fn dismissals(db: impl PgExecutor<'_>) -> Result<Vec<Dismissal>, DbError> {
    Ok(sqlx::query_as("SELECT tenant_id, company_id FROM suggestion_dismissals").fetch_all(db).await?)
}

/// Records that a suggestion was dismissed; `NotFound` when the tenant is not known.
pub async fn dismiss(
    db: impl PgExecutor<'_>,
    tenant_id: &TenantId,
    company_id: CompanyId,
    by: Uuid,
) -> Result<(), DbError> {
    let known: bool = sqlx::query_scalar(
        "WITH tenant AS (SELECT tenant_id FROM tenants WHERE tenant_id = $1),
              added AS (INSERT INTO suggestion_dismissals (tenant_id, company_id, dismissed_by)
                        SELECT tenant_id, $2, $3 FROM tenant ON CONFLICT DO NOTHING)
         SELECT EXISTS (SELECT 1 FROM tenant)",
    )
    .bind(tenant_id)
    .bind(company_id)
    .bind(by)
    .fetch_one(db)
    .await?;
    if known {
        Ok(())
    } else {
        Err(DbError::NotFound)
    }
}

/// A subscription stored before offers had keys, with what its key is made of.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct UnkeyedSubscription {
    pub id: SubscriptionId,
    pub offer_id: String,
    pub term: Option<String>,
    pub billing_cycle: Option<String>,
}

/// Subscriptions that have no offer key yet (rows stored before the key existed).
pub async fn subscriptions_without_offer_key(db: impl PgExecutor<'_>) -> Result<Vec<UnkeyedSubscription>, DbError> {
    Ok(sqlx::query_as("SELECT id, offer_id, term, billing_cycle FROM subscriptions WHERE offer_key IS NULL")
        .fetch_all(db)
        .await?)
}

/// Sets the offer key of each subscription in `ids` to the key at the same place in `keys`.
pub async fn set_offer_keys(db: impl PgExecutor<'_>, ids: &[SubscriptionId], keys: &[String]) -> Result<(), DbError> {
    sqlx::query("UPDATE subscriptions s SET offer_key = u.key FROM UNNEST($1::text[], $2::text[]) AS u(id, key) WHERE s.id = u.id")
        .bind(ids)
        .bind(keys)
        .execute(db)
        .await?;
    Ok(())
}

/// What a seat of the offer's product costs a month per the SKU override, if an Admin set one.
pub async fn offer_monthly_cost(db: impl PgExecutor<'_>, offer_key: &str) -> Result<Option<f64>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT o.monthly_cost FROM subscriptions s JOIN sku_overrides o ON o.sku_id = s.sku_id
         WHERE s.offer_key = $1 AND o.monthly_cost IS NOT NULL LIMIT 1",
    )
    .bind(offer_key)
    .fetch_optional(db)
    .await?
    .flatten())
}

/// What a seat of each offer's product costs a month per the SKU overrides, for every offer an
/// Admin priced (one query for the bulk create's preview).
pub async fn offer_monthly_costs(db: impl PgExecutor<'_>) -> Result<HashMap<String, f64>, DbError> {
    #[derive(FromRow)]
    struct Cost {
        offer_key: String,
        monthly_cost: f64,
    }
    let rows: Vec<Cost> = sqlx::query_as(
        "SELECT DISTINCT ON (s.offer_key) s.offer_key, o.monthly_cost FROM subscriptions s
         JOIN sku_overrides o ON o.sku_id = s.sku_id
         WHERE s.offer_key IS NOT NULL AND o.monthly_cost IS NOT NULL ORDER BY s.offer_key",
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|c| (c.offer_key, c.monthly_cost)).collect())
}

/// The offers of the tenants' current subscriptions.
pub async fn offer_keys_of_tenants(db: impl PgExecutor<'_>, tenants: &[TenantId]) -> Result<Vec<String>, DbError> {
    let ids: Vec<&str> = tenants.iter().map(TenantId::as_str).collect();
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT offer_key FROM subscriptions
         WHERE tenant_id = ANY($1) AND removed_at IS NULL AND offer_key IS NOT NULL ORDER BY offer_key",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?)
}

/// Whether anyone (or anything) has ever changed a mapping.
pub async fn any_edit(db: impl PgExecutor<'_>) -> Result<bool, DbError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mapping_audit)").fetch_one(db).await?)
}
