//! Which tenant each Pax8 company is. SeatSync records its own answer: a match where the
//! company's subscriptions point at a tenant's Partner Center subscriptions, else a suggestion by
//! domain and name for an Editor to confirm. A person's decision always stands.

use std::collections::{HashMap, HashSet};

use seatsync_db::{kinds::Pax8LinkState, licences, locks::AdvisoryLock, pax8 as db, tenants, DbError, PgPool};
use seatsync_domain::{
    pax8_match::{companies_by_subscriptions, Pax8Holding},
    suggest::{suggest, CompanyForMatching, TenantForMatching},
    Pax8CompanyId, SubscriptionId, TenantId,
};

/// Suggestions below this are not worth a person's time.
const MIN_CONFIDENCE: f64 = 0.6;

/// Serialises matching across jobs and instances: two at once would each forget the other's links.
const LOCK_CLASS: i32 = 0x0a8_11c5;

/// Brings every company's link to its tenant up to date from what is stored.
pub async fn match_companies(pool: &PgPool) -> Result<(), DbError> {
    let lock = AdvisoryLock::acquire_named(pool, LOCK_CLASS, "pax8 links").await?;
    let matched = match_locked(pool).await;
    lock.release().await;
    matched
}

async fn match_locked(pool: &PgPool) -> Result<(), DbError> {
    let (companies, pax8_subs, ms_subs, all_tenants, links) = tokio::try_join!(
        db::companies(pool),
        db::subscriptions(pool),
        licences::all_subscriptions(pool),
        tenants::list(pool),
        db::links(pool),
    )?;
    let tenant_of: HashMap<SubscriptionId, TenantId> =
        ms_subs.iter().map(|s| (s.id.to_ascii_lowercase(), s.tenant_id.clone())).collect();
    let holdings: Vec<Pax8Holding> = pax8_subs
        .iter()
        .map(|p| Pax8Holding {
            id: p.id.clone(),
            company_id: p.company_id.clone(),
            vendor_subscription_id: p.vendor_subscription_id.as_ref().map(|v| v.to_ascii_lowercase()),
            part_number: None,
            quantity: p.quantity,
        })
        .collect();
    let matched = companies_by_subscriptions(&holdings, &tenant_of);

    let decided: HashMap<&Pax8CompanyId, &db::CompanyLink> = links
        .iter()
        .filter(|l| matches!(l.state, Pax8LinkState::Confirmed | Pax8LinkState::Ignored))
        .map(|l| (&l.company_id, l))
        .collect();
    let mut kept = Vec::new();
    for (company, tenant) in &matched {
        if decided.contains_key(company) {
            continue;
        }
        let reason = "its subscriptions are this tenant's in Partner Center";
        db::propose_link(pool, company, tenant, Pax8LinkState::Matched, reason, Some(1.0)).await?;
        kept.push(company.clone());
    }

    // Suggestions for the rest, among tenants no company is linked to yet.
    let linked_tenants: HashSet<&TenantId> =
        matched.values().chain(decided.values().filter_map(|l| l.tenant_id.as_ref())).collect();
    let open_tenants: Vec<TenantForMatching> = all_tenants
        .iter()
        .filter(|t| !linked_tenants.contains(&t.tenant_id))
        .map(|t| TenantForMatching {
            tenant_id: t.tenant_id.clone(),
            name: t.name.clone(),
            domains: t.primary_domain.iter().cloned().collect(),
        })
        .collect();
    let open_companies: Vec<CompanyForMatching<Pax8CompanyId>> = companies
        .iter()
        .filter(|c| !matched.contains_key(&c.id) && !decided.contains_key(&c.id))
        .map(|c| CompanyForMatching {
            id: c.id.clone(),
            name: c.name.clone(),
            web_address: c.website.clone(),
            is_active: c.status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("active")),
        })
        .collect();
    let found = tokio::task::spawn_blocking(move || {
        suggest(&open_tenants, &open_companies, &HashSet::new(), &HashSet::new(), MIN_CONFIDENCE)
    })
    .await
    .unwrap_or_default();
    for s in found {
        db::propose_link(pool, &s.company_id, &s.tenant_id, Pax8LinkState::Suggested, &s.reason, Some(s.confidence))
            .await?;
        kept.push(s.company_id);
    }
    db::forget_own_links_except(pool, &kept).await
}
