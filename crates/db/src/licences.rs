//! A tenant's subscriptions and SKU consumption, replaced as a whole by each successful sync,
//! and the history kept for charts.

use chrono::{DateTime, Utc};
use seatsync_domain::{kinds::QuantityChange, SkuId, SubscriptionId, TenantId};
use sqlx::FromRow;

use crate::DbError;

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub tenant_id: TenantId,
    pub offer_id: String,
    pub offer_name: Option<String>,
    pub friendly_name: Option<String>,
    pub quantity: i64,
    pub unit_type: Option<String>,
    pub term: Option<String>,
    pub billing_cycle: Option<String>,
    pub effective_start: Option<DateTime<Utc>>,
    pub commitment_end: Option<DateTime<Utc>>,
    pub cancellation_allowed_until: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub auto_renew: bool,
    pub is_nce: bool,
    pub is_trial: bool,
    pub sku_id: Option<SkuId>,
    /// The quantity scheduled for the next term, when Partner Center holds one.
    pub next_term_quantity: Option<i64>,
}

impl Subscription {
    /// The offer this subscription is mapped to a PSA service through.
    pub fn offer_key(&self) -> seatsync_domain::OfferKey {
        seatsync_domain::OfferKey::from_subscription(
            &self.offer_id,
            self.term.as_deref(),
            self.billing_cycle.as_deref(),
        )
    }
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SkuConsumption {
    pub sku_id: SkuId,
    pub sku_part_number: String,
    pub applies_to: Option<String>,
    pub capability_status: Option<String>,
    pub consumed: i64,
    pub enabled: i64,
    pub suspended: i64,
    pub warning: i64,
    pub locked_out: i64,
}

impl SkuConsumption {
    /// The units, to which the one seat rule applies (`seatsync_domain::SkuUnits`).
    pub fn units(&self) -> seatsync_domain::SkuUnits {
        seatsync_domain::SkuUnits {
            enabled: self.enabled,
            warning: self.warning,
            suspended: self.suspended,
            locked_out: self.locked_out,
            consumed: self.consumed,
        }
    }

    pub fn is_user_sku(&self) -> bool {
        seatsync_domain::is_user_sku(self.applies_to.as_deref())
    }
}

/// What one sync fetched for a tenant, each source on its own: Partner Center's subscriptions
/// and Graph's seat counts, or why that source failed.
#[derive(Debug, Clone, Copy)]
pub struct TenantRows<'a> {
    pub tenant_id: &'a TenantId,
    /// Each subscription's `sku_id` is only read when `skus` succeeded too; otherwise the
    /// link stored by an earlier sync is kept.
    pub subscriptions: Result<&'a [Subscription], &'a str>,
    pub skus: Result<&'a [SkuConsumption], &'a str>,
}

impl TenantRows<'_> {
    /// The failures of this attempt in words, `None` when both sources answered.
    pub fn error(&self) -> Option<String> {
        match (self.subscriptions, self.skus) {
            (Ok(_), Ok(_)) => None,
            (Err(e), Ok(_)) | (Ok(_), Err(e)) => Some(e.to_string()),
            (Err(a), Err(b)) if a == b => Some(a.to_string()),
            (Err(a), Err(b)) => Some(format!("{a}; {b}")),
        }
    }
}

/// Writes what several tenants' syncs fetched, in one statement per table whatever the number
/// of tenants and rows. For each source that answered: subscriptions upserted (missing ones
/// marked removed, never deleted), or seat counts replaced with a history point added. A source
/// that failed keeps its last good data, and the tenant records the error and when that
/// source last succeeded. Run it in a transaction: the caller commits, so it can record the
/// tenants' outcomes in the same transaction. Each subscription belongs to the tenant whose rows
/// list it (its own `tenant_id` field is not read).
pub async fn store_tenant_syncs(
    conn: &mut sqlx::PgConnection,
    tenants: &[TenantRows<'_>],
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    if tenants.is_empty() {
        return Ok(());
    }
    store_subscriptions(conn, tenants, at).await?;
    store_seats(conn, tenants, at).await?;
    let flag = |f: fn(&TenantRows<'_>) -> bool| tenants.iter().map(f).collect::<Vec<bool>>();
    let error = |f: &dyn Fn(&TenantRows<'_>) -> Option<String>| tenants.iter().map(f).collect::<Vec<Option<String>>>();
    sqlx::query(
        "UPDATE tenants t SET
             last_attempt_at = $1,
             subscriptions_synced_at = CASE WHEN u.subscriptions_ok THEN $1 ELSE t.subscriptions_synced_at END,
             subscriptions_error = u.subscriptions_error,
             seats_synced_at = CASE WHEN u.seats_ok THEN $1 ELSE t.seats_synced_at END,
             seats_error = u.seats_error,
             last_synced_at = CASE WHEN u.subscriptions_ok AND u.seats_ok THEN $1 ELSE t.last_synced_at END,
             last_error = u.error
         FROM UNNEST($2::text[], $3::bool[], $4::text[], $5::bool[], $6::text[], $7::text[])
              AS u(tenant_id, subscriptions_ok, subscriptions_error, seats_ok, seats_error, error)
         WHERE t.tenant_id = u.tenant_id",
    )
    .bind(at)
    .bind(tenants.iter().map(|t| t.tenant_id).collect::<Vec<_>>())
    .bind(flag(|t| t.subscriptions.is_ok()))
    .bind(error(&|t| t.subscriptions.err().map(str::to_string)))
    .bind(flag(|t| t.skus.is_ok()))
    .bind(error(&|t| t.skus.err().map(str::to_string)))
    .bind(error(&|t| t.error()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The subscriptions of the tenants whose Partner Center answered.
async fn store_subscriptions(
    conn: &mut sqlx::PgConnection,
    all: &[TenantRows<'_>],
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    let tenants: Vec<(&str, &[Subscription], bool)> = all
        .iter()
        .filter_map(|t| t.subscriptions.ok().map(|subs| (t.tenant_id.as_str(), subs, t.skus.is_ok())))
        .collect();
    if tenants.is_empty() {
        return Ok(());
    }
    let tenant_ids: Vec<&str> = tenants.iter().map(|(id, _, _)| *id).collect();
    let subs = || tenants.iter().flat_map(|(id, subs, skus_known)| subs.iter().map(move |s| (*id, s, *skus_known)));
    let col = |f: fn(&Subscription) -> Option<String>| subs().map(|(_, s, _)| f(s)).collect::<Vec<_>>();
    let sub_tenants: Vec<&str> = subs().map(|(t, _, _)| t).collect();
    let ids: Vec<&str> = subs().map(|(_, s, _)| s.id.as_str()).collect();
    let offer_ids: Vec<String> = subs().map(|(_, s, _)| s.offer_id.clone()).collect();
    let quantities: Vec<i64> = subs().map(|(_, s, _)| s.quantity).collect();
    let time_col = |f: fn(&Subscription) -> Option<DateTime<Utc>>| subs().map(|(_, s, _)| f(s)).collect::<Vec<_>>();
    let flag = |f: fn(&Subscription) -> bool| subs().map(|(_, s, _)| f(s)).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO subscriptions (id, tenant_id, offer_id, offer_name, friendly_name, quantity, unit_type, term,
             billing_cycle, effective_start, commitment_end, cancellation_allowed_until, status, auto_renew, is_nce,
             is_trial, sku_id, offer_key, next_term_quantity, synced_at, removed_at)
         SELECT u.id, u.tenant_id, u.offer_id, u.offer_name, u.friendly_name, u.quantity, u.unit_type, u.term, u.billing_cycle,
                u.effective_start, u.commitment_end, u.cancellation_allowed_until, u.status, u.auto_renew, u.is_nce,
                u.is_trial,
                -- Without Graph's answer the SKU a subscription belongs to is not known afresh:
                -- the link an earlier sync stored is kept.
                CASE WHEN u.sku_known THEN u.sku_id ELSE (SELECT x.sku_id FROM subscriptions x WHERE x.id = u.id) END,
                u.offer_key, u.next_term_quantity, $18, NULL
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[],
                     $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::bool[], $15::bool[],
                     $16::bool[], $17::text[], $19::text[], $20::bool[], $21::bigint[])
              AS u(tenant_id, id, offer_id, offer_name, friendly_name, quantity, unit_type, term, billing_cycle, effective_start,
                   commitment_end, cancellation_allowed_until, status, auto_renew, is_nce, is_trial, sku_id, offer_key, sku_known,
                   next_term_quantity)
         ON CONFLICT (id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, offer_id = EXCLUDED.offer_id,
             offer_name = EXCLUDED.offer_name, friendly_name = EXCLUDED.friendly_name, quantity = EXCLUDED.quantity,
             unit_type = EXCLUDED.unit_type, term = EXCLUDED.term, billing_cycle = EXCLUDED.billing_cycle,
             effective_start = EXCLUDED.effective_start, commitment_end = EXCLUDED.commitment_end,
             cancellation_allowed_until = EXCLUDED.cancellation_allowed_until, status = EXCLUDED.status,
             auto_renew = EXCLUDED.auto_renew, is_nce = EXCLUDED.is_nce, is_trial = EXCLUDED.is_trial,
             sku_id = EXCLUDED.sku_id, next_term_quantity = EXCLUDED.next_term_quantity,
             offer_key = EXCLUDED.offer_key, synced_at = EXCLUDED.synced_at, removed_at = NULL",
    )
    .bind(&sub_tenants)
    .bind(&ids)
    .bind(&offer_ids)
    .bind(col(|s| s.offer_name.clone()))
    .bind(col(|s| s.friendly_name.clone()))
    .bind(&quantities)
    .bind(col(|s| s.unit_type.clone()))
    .bind(col(|s| s.term.clone()))
    .bind(col(|s| s.billing_cycle.clone()))
    .bind(time_col(|s| s.effective_start))
    .bind(time_col(|s| s.commitment_end))
    .bind(time_col(|s| s.cancellation_allowed_until))
    .bind(col(|s| s.status.clone()))
    .bind(flag(|s| s.auto_renew))
    .bind(flag(|s| s.is_nce))
    .bind(flag(|s| s.is_trial))
    .bind(col(|s| s.sku_id.clone().map(SkuId::into_string)))
    .bind(at)
    .bind(subs().map(|(_, s, _)| s.offer_key().to_key_string()).collect::<Vec<_>>())
    .bind(subs().map(|(_, _, known)| known).collect::<Vec<bool>>())
    .bind(subs().map(|(_, s, _)| s.next_term_quantity).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    // After the upsert every listed subscription belongs to the tenant that listed it, so a row
    // of these tenants whose id no tenant here listed is gone from its tenant's list.
    sqlx::query(
        "UPDATE subscriptions SET removed_at = $3
         WHERE tenant_id = ANY($1) AND removed_at IS NULL AND id NOT IN (SELECT unnest($2::text[]))",
    )
    .bind(&tenant_ids)
    .bind(&ids)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The seat counts of the tenants whose Graph answered, with one history point each.
async fn store_seats(conn: &mut sqlx::PgConnection, all: &[TenantRows<'_>], at: DateTime<Utc>) -> Result<(), DbError> {
    let tenants: Vec<(&str, &[SkuConsumption])> =
        all.iter().filter_map(|t| t.skus.ok().map(|skus| (t.tenant_id.as_str(), skus))).collect();
    if tenants.is_empty() {
        return Ok(());
    }
    let tenant_ids: Vec<&str> = tenants.iter().map(|(id, _)| *id).collect();
    sqlx::query("DELETE FROM sku_consumption WHERE tenant_id = ANY($1)").bind(&tenant_ids).execute(&mut *conn).await?;
    let skus = || tenants.iter().flat_map(|(id, skus)| skus.iter().map(move |k| (*id, k)));
    let num = |f: fn(&SkuConsumption) -> i64| skus().map(|(_, k)| f(k)).collect::<Vec<_>>();
    let sku_tenants: Vec<&str> = skus().map(|(t, _)| t).collect();
    let sku_ids: Vec<SkuId> = skus().map(|(_, k)| k.sku_id.clone()).collect();
    let part_numbers: Vec<String> = skus().map(|(_, k)| k.sku_part_number.clone()).collect();
    let applies: Vec<Option<String>> = skus().map(|(_, k)| k.applies_to.clone()).collect();
    let capability: Vec<Option<String>> = skus().map(|(_, k)| k.capability_status.clone()).collect();
    sqlx::query(
        "INSERT INTO sku_consumption (tenant_id, sku_id, sku_part_number, applies_to, capability_status, consumed,
             enabled, suspended, warning, locked_out, synced_at)
         SELECT u.*, $11 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                                     $8::bigint[], $9::bigint[], $10::bigint[]) AS u",
    )
    .bind(&sku_tenants)
    .bind(&sku_ids)
    .bind(&part_numbers)
    .bind(&applies)
    .bind(&capability)
    .bind(num(|k| k.consumed))
    .bind(num(|k| k.enabled))
    .bind(num(|k| k.suspended))
    .bind(num(|k| k.warning))
    .bind(num(|k| k.locked_out))
    .bind(at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO licence_history (tenant_id, sku_id, recorded_at, purchased, assigned)
         SELECT u.tenant_id, u.sku_id, $1, u.purchased, u.assigned
         FROM UNNEST($2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS u(tenant_id, sku_id, purchased, assigned)
         ON CONFLICT DO NOTHING",
    )
    .bind(at)
    .bind(&sku_tenants)
    .bind(&sku_ids)
    .bind(num(|k| k.units().purchased()))
    .bind(num(|k| k.units().assigned()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A tenant's current subscriptions, by product.
pub async fn subscriptions(db: &sqlx::PgPool, tenant_id: &TenantId) -> Result<Vec<Subscription>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, tenant_id, offer_id, offer_name, friendly_name, quantity, unit_type, term, billing_cycle,
                effective_start, commitment_end, cancellation_allowed_until, status, auto_renew, is_nce, is_trial, sku_id, next_term_quantity
         FROM subscriptions WHERE tenant_id = $1 AND removed_at IS NULL
         ORDER BY lower(coalesce(friendly_name, offer_name, offer_id)), commitment_end, id",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}

/// Every current subscription of every current tenant, in the order `subscriptions` gives one
/// tenant's (views across all tenants: one query instead of one per tenant).
pub async fn all_subscriptions(db: &sqlx::PgPool) -> Result<Vec<Subscription>, DbError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.tenant_id, s.offer_id, s.offer_name, s.friendly_name, s.quantity, s.unit_type, s.term, s.billing_cycle,
                s.effective_start, s.commitment_end, s.cancellation_allowed_until, s.status, s.auto_renew, s.is_nce, s.is_trial, s.sku_id, s.next_term_quantity
         FROM subscriptions s JOIN tenants t ON t.tenant_id = s.tenant_id AND t.removed_at IS NULL
         WHERE s.removed_at IS NULL
         ORDER BY s.tenant_id, lower(coalesce(s.friendly_name, s.offer_name, s.offer_id)), s.commitment_end, s.id",
    )
    .fetch_all(db)
    .await?)
}

/// A subscription whose cancellation window closes soon, with its tenant's name.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ClosingWindow {
    pub tenant_name: String,
    #[sqlx(flatten)]
    pub subscription: Subscription,
}

/// Active subscriptions whose cancellation window is open at `now` and closes before `until`,
/// the soonest first: after that, an NCE subscription's seats can no longer be reduced this term.
pub async fn closing_windows(
    db: impl sqlx::PgExecutor<'_>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<ClosingWindow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT t.name AS tenant_name, s.id, s.tenant_id, s.offer_id, s.offer_name, s.friendly_name, s.quantity, s.unit_type, s.term,
                s.billing_cycle, s.effective_start, s.commitment_end, s.cancellation_allowed_until, s.status, s.auto_renew, s.is_nce,
                s.is_trial, s.sku_id, s.next_term_quantity
         FROM subscriptions s JOIN tenants t ON t.tenant_id = s.tenant_id AND t.removed_at IS NULL
         WHERE s.removed_at IS NULL AND lower(s.status) = 'active' AND s.cancellation_allowed_until > $1 AND s.cancellation_allowed_until <= $2
         ORDER BY s.cancellation_allowed_until, lower(t.name), s.id",
    )
    .bind(now)
    .bind(until)
    .fetch_all(db)
    .await?)
}

pub async fn consumption(db: &sqlx::PgPool, tenant_id: &TenantId) -> Result<Vec<SkuConsumption>, DbError> {
    Ok(sqlx::query_as(
        "SELECT sku_id, sku_part_number, applies_to, capability_status, consumed, enabled, suspended, warning, locked_out
         FROM sku_consumption WHERE tenant_id = $1 ORDER BY sku_part_number, sku_id",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}

/// One chart point.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct HistoryPoint {
    pub sku_id: SkuId,
    pub recorded_at: DateTime<Utc>,
    pub purchased: i64,
    pub assigned: i64,
}

pub async fn history(db: &sqlx::PgPool, tenant_id: &TenantId) -> Result<Vec<HistoryPoint>, DbError> {
    Ok(sqlx::query_as(
        "SELECT sku_id, recorded_at, purchased, assigned FROM licence_history
         WHERE tenant_id = $1 ORDER BY sku_id, recorded_at",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}

/// One product (SKU) of one tenant, for the overview of every tenant's seats.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TenantSku {
    pub tenant_id: TenantId,
    pub sku_id: SkuId,
    pub sku_part_number: String,
    pub applies_to: Option<String>,
    pub enabled: i64,
    pub warning: i64,
    pub consumed: i64,
}

impl TenantSku {
    pub fn units(&self) -> seatsync_domain::SkuUnits {
        seatsync_domain::SkuUnits {
            enabled: self.enabled,
            warning: self.warning,
            consumed: self.consumed,
            ..Default::default()
        }
    }
}

/// Every current tenant's SKUs with seats bought or expiring (`tenant_id` `None`), or one
/// tenant's.
pub async fn tenant_skus(
    db: impl sqlx::PgExecutor<'_>,
    tenant_id: Option<&TenantId>,
) -> Result<Vec<TenantSku>, DbError> {
    Ok(sqlx::query_as(
        "SELECT k.tenant_id, k.sku_id, k.sku_part_number, k.applies_to, k.enabled, k.warning, k.consumed
         FROM sku_consumption k JOIN tenants t ON t.tenant_id = k.tenant_id AND t.removed_at IS NULL
         WHERE (k.enabled > 0 OR k.warning > 0) AND ($1::text IS NULL OR k.tenant_id = $1)",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}

/// What a seat of a SKU costs in a tenant according to the Autotask services its subscriptions
/// are mapped to: (tenant id, sku id, unit cost, the service's period label).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct MappedCost {
    pub tenant_id: TenantId,
    pub sku_id: SkuId,
    pub unit_cost: f64,
    pub period_label: Option<String>,
    pub quantity: i64,
}

/// Of every current tenant (`tenant_id` `None`), or of one.
pub async fn mapped_costs(
    db: impl sqlx::PgExecutor<'_>,
    tenant_id: Option<&TenantId>,
) -> Result<Vec<MappedCost>, DbError> {
    Ok(sqlx::query_as(
        "SELECT s.tenant_id, s.sku_id, v.unit_cost, v.period_label, sum(s.quantity)::bigint AS quantity
         FROM subscriptions s
         JOIN offer_mappings m ON m.offer_key = s.offer_key AND m.state = 'mapped'
         JOIN autotask_services v ON v.id = m.service_id AND v.unit_cost IS NOT NULL
         WHERE s.removed_at IS NULL AND s.sku_id IS NOT NULL AND ($1::text IS NULL OR s.tenant_id = $1)
         GROUP BY s.tenant_id, s.sku_id, v.unit_cost, v.period_label",
    )
    .bind(tenant_id)
    .fetch_all(db)
    .await?)
}

/// Seats bought and assigned across every tenant on one day.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub struct FleetPoint {
    pub day: DateTime<Utc>,
    pub purchased: i64,
    pub assigned: i64,
}

/// Seats bought and assigned across every current tenant, one point per day with a sync (each
/// tenant's last sync of that day counts).
pub async fn fleet_history(db: impl sqlx::PgExecutor<'_>) -> Result<Vec<FleetPoint>, DbError> {
    Ok(sqlx::query_as(
        "SELECT day, sum(purchased)::bigint AS purchased, sum(assigned)::bigint AS assigned FROM (
             SELECT DISTINCT ON (h.tenant_id, h.sku_id, date_trunc('day', h.recorded_at))
                    date_trunc('day', h.recorded_at) AS day, h.purchased, h.assigned
             FROM licence_history h JOIN tenants t ON t.tenant_id = h.tenant_id AND t.removed_at IS NULL
             ORDER BY h.tenant_id, h.sku_id, date_trunc('day', h.recorded_at), h.recorded_at DESC) latest
         GROUP BY day ORDER BY day",
    )
    .fetch_all(db)
    .await?)
}

/// A tenant's seat counts for one SKU.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TenantConsumption {
    pub tenant_id: TenantId,
    #[sqlx(flatten)]
    pub sku: SkuConsumption,
}

/// Every current tenant's seat counts, in one query (the alert run weighs them all).
pub async fn all_consumption(db: impl sqlx::PgExecutor<'_>) -> Result<Vec<TenantConsumption>, DbError> {
    Ok(sqlx::query_as(
        "SELECT c.tenant_id, c.sku_id, c.sku_part_number, c.applies_to, c.capability_status, c.consumed, c.enabled,
                c.suspended, c.warning, c.locked_out
         FROM sku_consumption c JOIN tenants t ON t.tenant_id = c.tenant_id AND t.removed_at IS NULL
         ORDER BY c.tenant_id, c.sku_part_number, c.sku_id",
    )
    .fetch_all(db)
    .await?)
}

/// Records a quantity SeatSync itself changed through a confirmed link, this term's or the one
/// it scheduled for the next term, so what is stored agrees with the vendor until the next sync
/// reads it again (and the next alert run does not ask for it again).
pub async fn record_change(
    db: impl sqlx::PgExecutor<'_>,
    tenant_id: &TenantId,
    subscription_id: &SubscriptionId,
    kind: QuantityChange,
    quantity: i64,
) -> Result<(), DbError> {
    let sql = match kind {
        QuantityChange::Now => "UPDATE subscriptions SET quantity = $3 WHERE tenant_id = $1 AND lower(id) = lower($2)",
        QuantityChange::NextTerm => {
            "UPDATE subscriptions SET next_term_quantity = $3 WHERE tenant_id = $1 AND lower(id) = lower($2)"
        }
    };
    sqlx::query(sql).bind(tenant_id).bind(subscription_id).bind(quantity).execute(db).await?;
    Ok(())
}
