//! A tenant's suggested contracts as the Contracts page shows them: what is stored (subscriptions
//! from the licence sync, mappings, links, open creations, the Autotask contract snapshot) loaded
//! in a fixed number of queries, then handed to the pure `seatsync_domain::contract_view`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use seatsync_db::{
    autotask_cache, contracts as db,
    licences::{self, Subscription},
    mappings, DbError, PgPool,
};
pub use seatsync_domain::contract_view::{CreateBlocked, Planned};
use seatsync_domain::{
    contract_plan::{Change, RowState},
    contract_view::{
        contract_view, ContractInfo, ContractServiceInfo, ServiceInfo, ViewInputs, ViewRow, ViewSubscription,
    },
    grouping::{ContractMatch, GroupKey, TermSpan},
    ContractId, OfferKey, ServiceId, ServiceMapping, TenantId, TenantMapping,
};
use seatsync_mapping::AppSettings;

use crate::ContractError;

/// One subscription row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub subscription: Subscription,
    pub offer_key: OfferKey,
    pub service: ServiceMapping,
    pub service_name: Option<String>,
    pub state: RowState,
    /// Partner Center's seats of the group's subscriptions billed through the same service
    /// (what the contract should hold for it).
    pub group_quantity: i64,
}

/// A suggested contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: GroupKey,
    /// The current terms of its subscriptions.
    pub span: TermSpan,
    pub proposed_name: String,
    pub contract_start: NaiveDate,
    pub contract_end: NaiveDate,
    pub contract: ContractMatch,
    /// Name and dates of the matched contract.
    pub contract_name: Option<String>,
    pub contract_dates: Option<(NaiveDate, NaiveDate)>,
    pub rows: Vec<Row>,
    pub plan: Vec<Planned>,
    /// Why "Create contract" is not offered, when it is not.
    pub create_blocked: Option<CreateBlocked>,
    /// A creation in progress (or interrupted) for this group.
    pub open_creation: Option<db::Creation>,
}

impl Group {
    pub fn can_create(&self) -> bool {
        self.create_blocked.is_none()
    }

    /// Adjustments and additions to push ("Update contract"); flags need a person.
    pub fn pushable(&self) -> usize {
        self.plan.iter().filter(|p| !matches!(p.change, Change::FlagEnded { .. })).count()
    }

    /// The group has a current contract in Autotask that does not hold what Partner Center
    /// bills: seats to adjust, services to add, or services to end.
    pub fn differs(&self) -> bool {
        matches!(self.contract, ContractMatch::Active { .. }) && !self.plan.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TenantContracts {
    pub tenant: mappings::TenantRow,
    pub mapping: TenantMapping,
    pub company: Option<autotask_cache::Company>,
    /// When the company's contracts were last read from Autotask.
    pub snapshot_at: Option<DateTime<Utc>>,
    pub groups: Vec<Group>,
    /// Subscriptions that belong on no contract (ended, no term), with the reason.
    pub not_grouped: Vec<Row>,
    /// Contracts SeatSync made under another grouping rule that are still active in Autotask.
    pub superseded: Vec<ContractInfo>,
}

/// Everything the view needs besides the tenant's own rows; loaded once per request or run.
pub struct Shared {
    pub settings: AppSettings,
    pub offers: HashMap<String, ServiceMapping>,
    pub services: HashMap<ServiceId, ServiceInfo>,
}

impl Shared {
    pub async fn load(pool: &PgPool) -> Result<Shared, DbError> {
        let (settings, offers, services) =
            tokio::try_join!(AppSettings::load(pool), mappings::offer_targets(pool), autotask_cache::services(pool))?;
        let offers =
            offers.into_iter().map(|mappings::OfferTarget { offer_key, target }| (offer_key, target)).collect();
        let services = services
            .into_iter()
            .map(|s| (s.id, ServiceInfo { name: s.name, unit_price: s.unit_price, unit_cost: s.unit_cost }))
            .collect();
        Ok(Shared { settings, offers, services })
    }
}

/// Loads what the view of one tenant is computed from and computes it
/// (`seatsync_domain::contract_view`). Reads PostgreSQL only: the Autotask snapshot is as of its
/// last refresh.
pub async fn tenant_contracts(
    pool: &PgPool,
    shared: &Shared,
    tenant_id: &TenantId,
    today: NaiveDate,
) -> Result<TenantContracts, ContractError> {
    let tenant = match mappings::tenant_row(pool, tenant_id).await {
        Err(DbError::NotFound) => return Err(ContractError::NotFound("That tenant")),
        other => other?,
    };
    let (subs, links, open) = tokio::try_join!(
        licences::subscriptions(pool, tenant_id),
        db::links(pool, tenant_id),
        db::open_creations(pool, tenant_id)
    )?;
    let (company, snapshot) = match tenant.target() {
        TenantMapping::Mapped { id: company_id } => {
            let company = match autotask_cache::company(pool, company_id).await {
                Ok(c) => Some(c),
                // The company may have gone from Autotask since the mapping was made.
                Err(DbError::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            (company, db::snapshot(pool, company_id).await?)
        }
        _ => (None, db::CompanySnapshot::default()),
    };
    Ok(compute(shared, TenantInputs { tenant, company, snapshot, subs, links, open }, today))
}

/// Every mapped tenant's view, loaded in a fixed number of queries whatever the number of
/// tenants (the dashboard counts what differs across all of them). A company that has gone from
/// Autotask since it was mapped contributes no name, as in the one-tenant view.
pub async fn mapped_tenant_contracts(
    pool: &PgPool,
    shared: &Shared,
    today: NaiveDate,
) -> Result<Vec<TenantContracts>, ContractError> {
    let (tenants, companies, subs, links, open) = tokio::try_join!(
        mappings::tenant_rows(pool),
        autotask_cache::companies(pool),
        licences::all_subscriptions(pool),
        db::all_links(pool),
        db::all_open_creations(pool),
    )?;
    let snapshots = db::all_snapshots(pool).await?;
    let companies: HashMap<_, _> = companies.into_iter().map(|c| (c.id, c)).collect();
    let mut subs = group_by_tenant(subs, |s| &s.tenant_id);
    let mut links = group_by_tenant(links, |l| &l.tenant_id);
    let mut open = group_by_tenant(open, |c| &c.tenant_id);
    Ok(tenants
        .into_iter()
        .filter_map(|tenant| {
            let TenantMapping::Mapped { id: company_id } = tenant.target() else { return None };
            let id = tenant.tenant_id.clone();
            let inputs = TenantInputs {
                // Two tenants may bill through one company: each gets its own copy.
                company: companies.get(&company_id).cloned(),
                snapshot: snapshots.get(&company_id).cloned().unwrap_or_default(),
                subs: subs.remove(&id).unwrap_or_default(),
                links: links.remove(&id).unwrap_or_default(),
                open: open.remove(&id).unwrap_or_default(),
                tenant,
            };
            Some(compute(shared, inputs, today))
        })
        .collect())
}

fn group_by_tenant<T>(items: Vec<T>, tenant: impl Fn(&T) -> &TenantId) -> HashMap<TenantId, Vec<T>> {
    let mut by: HashMap<TenantId, Vec<T>> = HashMap::new();
    for item in items {
        by.entry(tenant(&item).clone()).or_default().push(item);
    }
    by
}

/// What one tenant's view is computed from, as stored.
struct TenantInputs {
    tenant: mappings::TenantRow,
    company: Option<autotask_cache::Company>,
    snapshot: db::CompanySnapshot,
    subs: Vec<Subscription>,
    links: Vec<db::ContractLink>,
    open: Vec<db::Creation>,
}

fn compute(shared: &Shared, inputs: TenantInputs, today: NaiveDate) -> TenantContracts {
    let TenantInputs { tenant, company, snapshot, subs, links, open } = inputs;
    let mapping = tenant.target();
    let db::CompanySnapshot { contracts, services: contract_services, read_at: snapshot_at } = snapshot;
    let links: HashMap<String, ContractId> = links.into_iter().map(|l| (l.group_key, l.contract_id)).collect();
    let view_subs: Vec<ViewSubscription> = subs
        .iter()
        .map(|s| ViewSubscription {
            id: s.id.clone(),
            offer_key: s.offer_key(),
            term: s.term.clone(),
            status: s.status.clone(),
            start: s.effective_start.map(|t| t.date_naive()),
            end: s.commitment_end.map(|t| t.date_naive()),
            quantity: s.quantity,
        })
        .collect();
    let contracts: Vec<ContractInfo> = contracts
        .iter()
        .map(|c| ContractInfo {
            id: c.id,
            name: c.name.clone(),
            start: c.start_date,
            end: c.end_date,
            active: c.is_active,
        })
        .collect();
    let contract_services: Vec<ContractServiceInfo> = contract_services
        .iter()
        .map(|s| ContractServiceInfo { id: s.id, contract_id: s.contract_id, service_id: s.service_id, units: s.units })
        .collect();
    let template = shared.settings.contract_template();
    let view = contract_view(&ViewInputs {
        tenant_name: &tenant.name,
        company_name: company.as_ref().map(|c| c.name.as_str()),
        mapping,
        subscriptions: &view_subs,
        offers: &shared.offers,
        services: &shared.services,
        contracts: &contracts,
        contract_services: &contract_services,
        links: &links,
        grouping: shared.settings.contract_grouping,
        contract_template: &template,
        today,
    });
    let row = |r: ViewRow| Row {
        subscription: subs[r.subscription].clone(),
        offer_key: view_subs[r.subscription].offer_key.clone(),
        service: r.service,
        service_name: r.service_name,
        state: r.state,
        group_quantity: r.group_quantity,
    };
    let mut open: HashMap<String, db::Creation> = open.into_iter().map(|c| (c.group_key.clone(), c)).collect();
    let groups = view
        .groups
        .into_iter()
        .map(|g| Group {
            open_creation: open.remove(&g.key.to_key_string()),
            rows: g.rows.into_iter().map(row).collect(),
            key: g.key,
            span: g.span,
            proposed_name: g.proposed_name,
            contract_start: g.contract_start,
            contract_end: g.contract_end,
            contract: g.contract,
            contract_name: g.contract_name,
            contract_dates: g.contract_dates,
            plan: g.plan,
            create_blocked: g.create_blocked,
        })
        .collect();
    let not_grouped = view.not_grouped.into_iter().map(row).collect();
    TenantContracts { tenant, mapping, company, snapshot_at, groups, not_grouped, superseded: view.superseded }
}
