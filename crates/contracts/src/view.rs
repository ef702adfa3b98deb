//! A tenant's suggested contracts as the Contracts page shows them, computed from what is stored:
//! subscriptions (licence sync), mappings, and the Autotask contract snapshot.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use seatsync_db::{
    autotask_cache, contracts as db,
    licences::{self, Subscription},
    mappings::{self, Target},
    DbError, PgPool,
};
use seatsync_domain::{
    contract_plan::{plan_contract, row_state, Change, ContractServiceState, PlannedSubscription, RowState, ServiceMapping, TenantMapping},
    grouping::{contracts_for_group, group_subscriptions, ContractMatch, ContractSpan, GroupInput, GroupKey},
    naming::{fit_name, AUTOTASK_CONTRACT_NAME_MAX},
    OfferKey,
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

/// A change the group's contract needs, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub change: Change,
    pub description: String,
}

/// A suggested contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: GroupKey,
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
    pub create_blocked: Option<String>,
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
}

/// Everything needed for the view besides the tenant's own rows; loaded once per request or run.
pub struct Shared {
    pub settings: AppSettings,
    pub offers: HashMap<String, Target>,
    pub services: HashMap<i64, autotask_cache::Service>,
    pub mapped_service_ids: HashSet<i64>,
}

impl Shared {
    pub async fn load(pool: &PgPool) -> Result<Shared, DbError> {
        let (settings, offers, services) = tokio::try_join!(AppSettings::load(pool), mappings::offer_targets(pool), autotask_cache::services(pool))?;
        let mapped_service_ids = offers.iter().filter_map(|(_, t)| if let Target::Mapped { id } = t { Some(*id) } else { None }).collect();
        Ok(Shared {
            settings,
            offers: offers.into_iter().collect(),
            services: services.into_iter().map(|s| (s.id, s)).collect(),
            mapped_service_ids,
        })
    }

    fn service_mapping(&self, key: &OfferKey) -> ServiceMapping {
        match self.offers.get(&key.to_key_string()) {
            Some(Target::Mapped { id }) => ServiceMapping::Mapped { service_id: *id },
            Some(Target::Ignored) => ServiceMapping::Ignored,
            _ => ServiceMapping::NotMapped,
        }
    }
}

pub(crate) fn tenant_mapping(row: &mappings::TenantRow) -> TenantMapping {
    match row.target() {
        Target::Mapped { id } => TenantMapping::Mapped { company_id: id },
        Target::Ignored => TenantMapping::Ignored,
        Target::Unmapped => TenantMapping::NotMapped,
    }
}

/// Builds the view of one tenant.
pub async fn tenant_contracts(pool: &PgPool, shared: &Shared, tenant_id: &str, today: NaiveDate) -> Result<TenantContracts, ContractError> {
    let tenant = match mappings::tenant_row(pool, tenant_id).await {
        Err(DbError::NotFound) => return Err(ContractError::NotFound("That tenant")),
        other => other?,
    };
    let mapping = tenant_mapping(&tenant);
    let (subs, links) = tokio::try_join!(licences::subscriptions(pool, tenant_id), db::links(pool, tenant_id))?;
    let (company, snapshot) = match mapping {
        TenantMapping::Mapped { company_id } => {
            let company = autotask_cache::company(pool, company_id).await.ok();
            (company, Some(db::snapshot(pool, company_id).await?))
        }
        _ => (None, None),
    };
    let (contracts, contract_services, snapshot_at) = snapshot.unwrap_or_default();
    let links: HashMap<String, i64> = links.into_iter().collect();
    let linked_ids: HashSet<i64> = links.values().copied().collect();
    let mut groups = Vec::new();
    let grouping = group_subscriptions(
        &subs
            .iter()
            .map(|s| GroupInput {
                subscription_id: s.id.clone(),
                term: s.term.clone(),
                status: s.status.clone(),
                start: s.effective_start.map(|t| t.date_naive()),
                end: s.commitment_end.map(|t| t.date_naive()),
            })
            .collect::<Vec<_>>(),
    );
    let by_id: HashMap<&str, &Subscription> = subs.iter().map(|s| (s.id.as_str(), s)).collect();
    let spans: Vec<ContractSpan> = contracts.iter().map(|c| ContractSpan { id: c.id, start: c.start_date, end: c.end_date, active: c.is_active }).collect();
    let company_name = company.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| tenant.name.clone());
    let template = shared.settings.contract_template();
    for g in grouping.groups {
        let key_string = g.key.to_key_string();
        let matched = match mapping {
            TenantMapping::Mapped { .. } => {
                let here = links.get(&key_string).copied();
                let elsewhere: HashSet<i64> = linked_ids.iter().copied().filter(|id| Some(*id) != here).collect();
                let candidates = contracts_for_group(&g.key, &spans, here, &elsewhere);
                seatsync_domain::grouping::match_contract(&g.key, &candidates, here, today)
            }
            _ => ContractMatch::None,
        };
        let contract_id = match matched {
            ContractMatch::Active { id } | ContractMatch::Expired { id, .. } => Some(id),
            ContractMatch::None => None,
        };
        let contract = contract_id.and_then(|id| contracts.iter().find(|c| c.id == id));
        // Units of each service on the matched active contract.
        let on_contract: Vec<ContractServiceState> = match matched {
            ContractMatch::Active { id } => contract_services
                .iter()
                .filter(|s| s.contract_id == id)
                .map(|s| ContractServiceState { contract_service_id: s.id, service_id: s.service_id, units: s.units })
                .collect(),
            _ => Vec::new(),
        };
        let mut units: HashMap<i64, i64> = HashMap::new();
        for s in &on_contract {
            *units.entry(s.service_id).or_default() += s.units;
        }
        let members: Vec<&Subscription> = g.subscription_ids.iter().filter_map(|id| by_id.get(id.as_str()).copied()).collect();
        let planned: Vec<PlannedSubscription> = members
            .iter()
            .map(|s| {
                let service = shared.service_mapping(&s.offer_key());
                let svc = if let ServiceMapping::Mapped { service_id } = service { shared.services.get(&service_id) } else { None };
                PlannedSubscription {
                    subscription_id: s.id.clone(),
                    service,
                    quantity: s.quantity,
                    unit_price: svc.and_then(|v| v.unit_price),
                    unit_cost: svc.and_then(|v| v.unit_cost),
                }
            })
            .collect();
        let mut group_quantity: BTreeMap<i64, i64> = BTreeMap::new();
        for p in &planned {
            if let ServiceMapping::Mapped { service_id } = p.service {
                *group_quantity.entry(service_id).or_default() += p.quantity;
            }
        }
        let rows: Vec<Row> = members
            .iter()
            .zip(&planned)
            .map(|(s, p)| {
                let (service_name, quantity, units_on) = match p.service {
                    ServiceMapping::Mapped { service_id } => (
                        Some(shared.services.get(&service_id).map(|v| v.name.clone()).unwrap_or_else(|| format!("Service {service_id}"))),
                        group_quantity.get(&service_id).copied().unwrap_or(0),
                        units.get(&service_id).copied(),
                    ),
                    _ => (None, s.quantity, None),
                };
                Row {
                    subscription: (*s).clone(),
                    offer_key: s.offer_key(),
                    service: p.service,
                    service_name,
                    state: row_state(&mapping, &p.service, &matched, units_on, quantity),
                    group_quantity: quantity,
                }
            })
            .collect();
        let plan = match matched {
            ContractMatch::Active { .. } => {
                // Only services Microsoft offers are mapped to: labour or backup on the same
                // contract is none of SeatSync's business.
                let relevant: Vec<ContractServiceState> = on_contract.iter().copied().filter(|s| shared.mapped_service_ids.contains(&s.service_id)).collect();
                plan_contract(&planned, &relevant)
                    .into_iter()
                    .map(|change| {
                        let name = shared.services.get(&change.service_id()).map(|v| v.name.clone()).unwrap_or_else(|| format!("Service {}", change.service_id()));
                        Planned { description: change.describe(&name), change }
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let proposed_name = fit_name(
            &template.render(&[
                ("company", &company_name),
                ("tenant", &tenant.name),
                ("term", g.key.term.as_str()),
                ("term_label", g.key.term.label()),
                ("start", &g.contract_start.to_string()),
                ("end", &g.contract_end.to_string()),
            ]),
            AUTOTASK_CONTRACT_NAME_MAX,
        );
        let create_blocked = match (mapping, matched) {
            (TenantMapping::Ignored, _) => Some("The tenant is ignored: nothing is pushed to Autotask.".to_string()),
            (TenantMapping::NotMapped, _) => Some("Map the tenant to an Autotask company first.".to_string()),
            (_, ContractMatch::Active { .. }) => Some("This group is on a contract already.".to_string()),
            _ if group_quantity.is_empty() => Some("None of these offers is mapped to an Autotask service yet.".to_string()),
            _ => None,
        };
        let open_creation = db::open_creation(pool, tenant_id, &key_string).await?;
        groups.push(Group {
            proposed_name,
            contract_start: g.contract_start,
            contract_end: g.contract_end,
            contract: matched,
            contract_name: contract.map(|c| c.name.clone()),
            contract_dates: contract.map(|c| (c.start_date, c.end_date)),
            key: g.key,
            rows,
            plan,
            create_blocked,
            open_creation,
        });
    }
    // Dates cannot tell a monthly group's twelve-month contract from an annual group's, so an
    // ended contract neither is linked to may look like the previous contract of both. It is
    // shown for the annual (or 3-year) group only, where it starts on the same day of the year.
    let expired_elsewhere: HashSet<i64> = groups
        .iter()
        .filter(|g| g.key.term != seatsync_domain::Term::P1M)
        .filter_map(|g| if let ContractMatch::Expired { id, .. } = g.contract { Some(id) } else { None })
        .collect();
    for g in groups.iter_mut().filter(|g| g.key.term == seatsync_domain::Term::P1M) {
        if let ContractMatch::Expired { id, .. } = g.contract {
            if expired_elsewhere.contains(&id) && !links.values().any(|l| *l == id) {
                g.contract = ContractMatch::None;
                g.contract_name = None;
                g.contract_dates = None;
                for r in &mut g.rows {
                    if matches!(r.state, RowState::ContractExpired { .. }) {
                        r.state = RowState::NoContract;
                    }
                }
            }
        }
    }
    let not_grouped = grouping
        .excluded
        .iter()
        .filter_map(|(id, why)| {
            let s = by_id.get(id.as_str())?;
            let service = shared.service_mapping(&s.offer_key());
            Some(Row {
                subscription: (*s).clone(),
                offer_key: s.offer_key(),
                service,
                service_name: if let ServiceMapping::Mapped { service_id } = service { shared.services.get(&service_id).map(|v| v.name.clone()) } else { None },
                state: RowState::from(why),
                group_quantity: s.quantity,
            })
        })
        .collect();
    Ok(TenantContracts { tenant, mapping, company, snapshot_at, groups, not_grouped })
}
