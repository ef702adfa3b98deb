//! Weighs tenants with the domain rule. [`Context`] is everything the rule reads besides a
//! tenant's own subscriptions and seats (Pax8, its links, the lists, the prices), loaded from
//! PostgreSQL in a fixed number of queries; the run weighs every tenant with their stored
//! numbers, and a link's confirmation page weighs one tenant again with the live ones.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use seatsync_db::{
    kinds::{FindingChannel, FindingTiming, Pax8LinkState},
    licence_alerts as db, licences, pax8, tenants, PgPool,
};
use seatsync_domain::{
    pax8_match::{channels, product_name_key, product_table, CompanyLink, MicrosoftHolding, Pax8Holding},
    reducible::{assess_preferring, Assessment, Channel, Holding, Policy, SkuSeats, Timing},
    Pax8CompanyId, Pax8SubscriptionId, SkuId, SubscriptionId, TenantId, Term,
};
use seatsync_licences::{
    catalog::{Catalog, Names},
    overview::SeatPrices,
};

use crate::AlertError;

/// What the rule reads besides a tenant's own numbers.
pub struct Context {
    names: Names,
    costs: Vec<licences::MappedCost>,
    /// Pax8 subscriptions by the (lower-case) Partner Center subscription they point at, and the
    /// ones pointing nowhere by company: a tenant is matched against its own, not all of them.
    pax8_by_pointer: HashMap<SubscriptionId, Pax8Holding>,
    pax8_unpointed: HashMap<Pax8CompanyId, Vec<Pax8Holding>>,
    /// A Pax8 price per seat, where it is a monthly one.
    pax8_monthly_price: HashMap<Pax8SubscriptionId, f64>,
    known_companies: HashMap<TenantId, Vec<Pax8CompanyId>>,
    pending: BTreeSet<TenantId>,
    ignored_parts: BTreeSet<String>,
    excluded: BTreeSet<TenantId>,
    sku_excluded: Vec<db::SkuExclusion>,
    allowances: Vec<db::SkuAllowance>,
    renewal_notice_days: i64,
}

/// A tenant as the rule needs it.
pub struct TenantSeats<'a> {
    pub tenant_id: &'a TenantId,
    pub spare_seats: i32,
    pub subscriptions: &'a [&'a licences::Subscription],
    pub skus: &'a [&'a licences::SkuConsumption],
}

impl Context {
    pub async fn load(pool: &PgPool, catalog: &Catalog, renewal_notice_days: i64) -> Result<Self, AlertError> {
        let names = catalog.names().await.map_err(|e| AlertError::Catalog(e.to_string()))?;
        let (ignored, excluded, sku_excluded, allowances, costs) = tokio::try_join!(
            db::ignored_skus(pool),
            db::tenant_exclusions(pool),
            db::sku_exclusions(pool),
            db::sku_allowances(pool),
            licences::mapped_costs(pool, None),
        )?;
        let (pax8_subs, links, product_names, admin_products) = tokio::try_join!(
            pax8::subscriptions(pool),
            pax8::links(pool),
            pax8::product_names(pool),
            pax8::product_skus(pool),
        )?;
        let table = product_table(admin_products.iter().map(|(n, p)| (n.as_str(), p.as_str())));
        let product_name: HashMap<&str, &str> = product_names.iter().map(|(id, n)| (id.as_str(), n.as_str())).collect();
        let pax8_holdings: Vec<Pax8Holding> = pax8_subs
            .iter()
            .map(|p| {
                let name = product_name.get(p.product_id.as_str()).copied().or(p.product_name.as_deref());
                Pax8Holding {
                    id: p.id.clone(),
                    company_id: p.company_id.clone(),
                    vendor_subscription_id: p.vendor_subscription_id.as_ref().map(|v| v.to_ascii_lowercase()),
                    part_number: name.and_then(|n| table.get(&product_name_key(n)).cloned()),
                    quantity: p.quantity,
                }
            })
            .collect();
        let pax8_monthly_price = pax8_subs
            .iter()
            .filter(|p| p.billing_term.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("monthly")))
            .filter_map(|p| p.price.map(|price| (p.id.clone(), price)))
            .collect();
        let mut known_companies: HashMap<TenantId, Vec<Pax8CompanyId>> = HashMap::new();
        let mut pending = BTreeSet::new();
        for link in links {
            match (link.state, link.tenant_id) {
                (Pax8LinkState::Matched | Pax8LinkState::Confirmed, Some(t)) => {
                    known_companies.entry(t).or_default().push(link.company_id)
                }
                (Pax8LinkState::Suggested, Some(t)) => {
                    pending.insert(t);
                }
                _ => {}
            }
        }
        Ok(Context {
            names,
            costs,
            pax8_by_pointer: pax8_holdings
                .iter()
                .filter_map(|p| p.vendor_subscription_id.clone().map(|v| (v, p.clone())))
                .collect(),
            pax8_unpointed: pax8_holdings.into_iter().filter(|p| p.vendor_subscription_id.is_none()).fold(
                HashMap::new(),
                |mut by: HashMap<Pax8CompanyId, Vec<Pax8Holding>>, p| {
                    by.entry(p.company_id.clone()).or_default().push(p);
                    by
                },
            ),
            pax8_monthly_price,
            known_companies,
            pending,
            ignored_parts: ignored.into_iter().map(|i| i.part_number).collect(),
            excluded: excluded.into_iter().map(|e| e.tenant_id).collect(),
            sku_excluded,
            allowances,
            renewal_notice_days,
        })
    }

    pub fn prices(&self) -> SeatPrices<'_> {
        SeatPrices::new(&self.names, &self.costs)
    }

    /// One tenant weighed at `now`.
    pub fn assess(&self, now: DateTime<Utc>, prices: &SeatPrices<'_>, tenant: &TenantSeats<'_>) -> Assessment {
        self.assess_preferring(now, prices, tenant, &[])
    }

    /// One tenant weighed at `now`, the surplus taken from `prefer` first (a link's subscriptions).
    pub fn assess_preferring(
        &self,
        now: DateTime<Utc>,
        prices: &SeatPrices<'_>,
        tenant: &TenantSeats<'_>,
        prefer: &[SubscriptionId],
    ) -> Assessment {
        let skus: Vec<SkuSeats> = tenant
            .skus
            .iter()
            .map(|c| SkuSeats {
                sku_id: c.sku_id.clone(),
                part_number: c.sku_part_number.clone(),
                for_users: c.is_user_sku(),
                assigned: c.consumed,
            })
            .collect();
        let part_of: HashMap<&SkuId, &str> = skus.iter().map(|s| (&s.sku_id, s.part_number.as_str())).collect();
        let microsoft: Vec<MicrosoftHolding> = tenant
            .subscriptions
            .iter()
            .map(|s| MicrosoftHolding {
                id: s.id.to_ascii_lowercase(),
                part_number: s.sku_id.as_ref().and_then(|sku| part_of.get(sku)).map(|p| p.to_string()),
                quantity: s.quantity,
            })
            .collect();
        let link = match self.known_companies.get(tenant.tenant_id) {
            Some(companies) => CompanyLink::Known(companies.clone()),
            None if self.pending.contains(tenant.tenant_id) => CompanyLink::Pending,
            None => CompanyLink::None,
        };
        // The Pax8 subscriptions that can concern this tenant: those pointing at its
        // subscriptions and the unpointed ones of its companies.
        let mut relevant: Vec<Pax8Holding> =
            microsoft.iter().filter_map(|m| self.pax8_by_pointer.get(&m.id).cloned()).collect();
        if let CompanyLink::Known(companies) = &link {
            for company in companies {
                relevant.extend(self.pax8_unpointed.get(company).into_iter().flatten().cloned());
            }
        }
        let channel_of = channels(&microsoft, &link, &relevant);
        let holdings: Vec<Holding> = tenant
            .subscriptions
            .iter()
            .map(|s| {
                let channel = channel_of.get(&s.id.to_ascii_lowercase()).cloned().unwrap_or(Channel::Nowhere);
                let pax8_price = match &channel {
                    Channel::Pax8(id) => self.pax8_monthly_price.get(id).copied(),
                    _ => None,
                };
                let product = match (&s.sku_id, s.sku_id.as_ref().and_then(|sku| part_of.get(sku))) {
                    (Some(sku), Some(part)) => self.names.name(sku, part),
                    _ => s.friendly_name.clone().or_else(|| s.offer_name.clone()).unwrap_or_else(|| s.offer_id.clone()),
                };
                Holding {
                    subscription_id: s.id.clone(),
                    sku_id: s.sku_id.clone(),
                    product,
                    quantity: s.quantity,
                    term: s.term.as_deref().and_then(Term::parse),
                    is_nce: s.is_nce,
                    is_trial: s.is_trial,
                    active: s.status.as_deref().is_some_and(|st| st.eq_ignore_ascii_case("active")),
                    auto_renew: s.auto_renew,
                    commitment_end: s.commitment_end,
                    cancellation_allowed_until: s.cancellation_allowed_until,
                    scheduled_next_term: s.next_term_quantity,
                    channel,
                    monthly_price: s
                        .sku_id
                        .as_ref()
                        .and_then(|sku| prices.monthly(tenant.tenant_id, sku))
                        .or(pax8_price),
                }
            })
            .collect();
        let policy = Policy {
            tenant_excluded: self.excluded.contains(tenant.tenant_id),
            spare_default: i64::from(tenant.spare_seats),
            spare_by_sku: self
                .allowances
                .iter()
                .filter(|a| &a.tenant_id == tenant.tenant_id)
                .map(|a| (a.sku_id.clone(), i64::from(a.spare)))
                .collect::<BTreeMap<_, _>>(),
            ignored_part_numbers: self.ignored_parts.clone(),
            tenant_ignored_skus: self
                .sku_excluded
                .iter()
                .filter(|e| &e.tenant_id == tenant.tenant_id)
                .map(|e| e.sku_id.clone())
                .collect(),
            renewal_notice_days: self.renewal_notice_days,
        };
        assess_preferring(now, &skus, &holdings, &policy, prefer)
    }
}

pub(crate) struct Found {
    pub tenants: usize,
    pub alerted_tenants: usize,
    pub reducible_seats: i64,
    pub monthly_saving: f64,
}

/// Every current tenant weighed with its stored numbers, the findings stored in one transaction.
pub(crate) async fn assess_all(
    pool: &PgPool,
    context: &Context,
    run_id: i64,
    now: DateTime<Utc>,
) -> Result<Found, AlertError> {
    let (all_tenants, subscriptions, consumption) =
        tokio::try_join!(tenants::list(pool), licences::all_subscriptions(pool), licences::all_consumption(pool),)?;
    let prices = context.prices();
    let mut subs_of: HashMap<&TenantId, Vec<&licences::Subscription>> = HashMap::new();
    for s in &subscriptions {
        subs_of.entry(&s.tenant_id).or_default().push(s);
    }
    let mut skus_of: HashMap<&TenantId, Vec<&licences::SkuConsumption>> = HashMap::new();
    for c in &consumption {
        skus_of.entry(&c.tenant_id).or_default().push(&c.sku);
    }

    let mut found = Found { tenants: 0, alerted_tenants: 0, reducible_seats: 0, monthly_saving: 0.0 };
    let mut stored = Vec::with_capacity(all_tenants.len());
    for tenant in &all_tenants {
        let seats = TenantSeats {
            tenant_id: &tenant.tenant_id,
            spare_seats: tenant.spare_seats,
            subscriptions: subs_of.get(&tenant.tenant_id).map(Vec::as_slice).unwrap_or_default(),
            skus: skus_of.get(&tenant.tenant_id).map(Vec::as_slice).unwrap_or_default(),
        };
        let assessment = context.assess(now, &prices, &seats);
        found.tenants += 1;
        if assessment.reducible_seats() > 0 {
            found.alerted_tenants += 1;
        }
        found.reducible_seats += assessment.reducible_seats();
        found.monthly_saving += assessment.monthly_saving();
        stored.push((tenant.tenant_id.clone(), assessment));
    }

    let rows: Vec<(Vec<db::Finding>, Vec<db::PassedOver>)> = stored
        .iter()
        .map(|(tenant_id, assessment)| {
            let passed_over = assessment
                .passed_over
                .iter()
                .map(|p| db::PassedOver {
                    tenant_id: tenant_id.clone(),
                    sku_id: p.sku_id.clone(),
                    part_number: p.part_number.clone(),
                    subscription_id: p.subscription_id.clone(),
                    unused: p.unused,
                    reason: p.reason.code().to_string(),
                    words: p.reason.words(),
                })
                .collect();
            (stored_findings(tenant_id, assessment), passed_over)
        })
        .collect();
    let tenants: Vec<db::TenantFindings<'_>> = stored
        .iter()
        .zip(&rows)
        .map(|((tenant_id, assessment), (findings, passed_over))| db::TenantFindings {
            tenant_id,
            findings,
            passed_over,
            reducible: assessment.reducible_seats(),
            monthly_saving: assessment.monthly_saving(),
        })
        .collect();
    seatsync_db::in_transaction(pool, async |conn| db::store_findings(conn, run_id, now, &tenants).await).await?;
    found.monthly_saving = (found.monthly_saving * 100.0).round() / 100.0;
    Ok(found)
}

/// A tenant's findings as stored.
pub fn stored_findings(tenant_id: &TenantId, assessment: &Assessment) -> Vec<db::Finding> {
    assessment
        .findings
        .iter()
        .map(|f| {
            let (timing, timing_date) = match f.timing {
                Timing::Now { until } => (FindingTiming::Now, until),
                Timing::AtRenewal { on } => (FindingTiming::AtRenewal, Some(on)),
            };
            let (channel, pax8_subscription_id) = match &f.channel {
                Channel::Pax8(id) => (FindingChannel::Pax8, Some(id.clone())),
                _ => (FindingChannel::PartnerCenter, None),
            };
            db::Finding {
                tenant_id: tenant_id.clone(),
                subscription_id: f.subscription_id.clone(),
                sku_id: f.sku_id.clone(),
                product: f.product.clone(),
                term: f.term.map(|t| t.as_str().to_string()),
                commitment_end: f.commitment_end,
                channel,
                pax8_subscription_id,
                purchased: f.purchased,
                scheduled: f.scheduled,
                sku_purchased: f.sku_purchased,
                assigned: f.assigned,
                allowance: f.allowance,
                reducible: f.reducible,
                target: f.target,
                timing,
                timing_date,
                alert: f.alert,
                monthly_saving: f.monthly_saving,
            }
        })
        .collect()
}
