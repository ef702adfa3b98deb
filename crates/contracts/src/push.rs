//! Bringing one group's Autotask contract in line with Partner Center.

use chrono::NaiveDate;
use seatsync_db::{
    contracts::{self as db, NewChange},
    kinds::{ChangeKind, ChangeOutcome},
};
use seatsync_domain::{
    contract_plan::Change,
    grouping::{ContractMatch, GroupKey},
    ContractId, TenantId,
};
use seatsync_mapping::settings::AdjustmentDate;
use seatsync_vendors::{autotask::NewAdjustment, VendorError};
use uuid::Uuid;

use crate::{
    view::{tenant_contracts, Group, Shared},
    ContractError, Contracts,
};

/// Who applies a plan and whether Autotask is written: a contract sync run (which may be a
/// dry run) or a person's click.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applier {
    pub run_id: Option<i64>,
    pub by: Option<Uuid>,
    pub dry_run: bool,
}

impl Applier {
    /// A person's "Update contract" or "Create contract" click: always written.
    pub fn person(by: Option<Uuid>) -> Self {
        Applier { run_id: None, by, dry_run: false }
    }

    /// A contract sync run, written unless it is a dry run.
    pub fn run(run_id: i64, dry_run: bool) -> Self {
        Applier { run_id: Some(run_id), by: None, dry_run }
    }
}

/// What pushing a group did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pushed {
    pub applied: Vec<String>,
    pub flagged: Vec<String>,
    pub failed: Vec<String>,
}

impl Contracts {
    /// "Update contract": re-reads the company's contracts (three Autotask reads), applies the
    /// group's plan, and reads the contract's units back (one read).
    #[tracing::instrument(skip(self))]
    pub async fn update_group(
        &self,
        tenant_id: &TenantId,
        group_key: &str,
        by: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Pushed, ContractError> {
        let key = GroupKey::parse_key_string(group_key).map_err(|e| ContractError::Refused(e.to_string()))?;
        self.autotask()?;
        self.with_tenant_lock(tenant_id, async {
            let group = self.fresh_group(tenant_id, &key, today).await?;
            let ContractMatch::Active { id } = group.contract else {
                return Err(ContractError::Refused(
                    "This group has no active contract to update: create one first.".into(),
                ));
            };
            let settings = seatsync_mapping::AppSettings::load(&self.pool).await?;
            let pushed = self
                .apply_plan(tenant_id, &group, id, adjustment_date(&settings, &group, today), Applier::person(by))
                .await?;
            self.refresh_contract_units(id, today).await?;
            Ok(pushed)
        })
        .await
    }

    /// The group as it stands after re-reading the tenant's company's contracts.
    pub(crate) async fn fresh_group(
        &self,
        tenant_id: &TenantId,
        key: &GroupKey,
        today: NaiveDate,
    ) -> Result<Group, ContractError> {
        self.reread_tenant_contracts(tenant_id, today).await?;
        self.stored_group(tenant_id, key, today).await
    }

    /// The group as what is stored says, without reading Autotask: after SeatSync's own writes,
    /// which it records in the snapshot as it makes them.
    pub(crate) async fn stored_group(
        &self,
        tenant_id: &TenantId,
        key: &GroupKey,
        today: NaiveDate,
    ) -> Result<Group, ContractError> {
        let shared = Shared::load(&self.pool).await?;
        let view = tenant_contracts(&self.pool, &shared, tenant_id, today).await?;
        if !shared.settings.contract_grouping.makes(key) {
            return Err(ContractError::Refused(
                "The contract grouping rule was changed in Settings since this page was drawn; reload the page to see the contracts it suggests now."
                    .into(),
            ));
        }
        view.groups.into_iter().find(|g| g.key == *key).ok_or_else(|| {
            ContractError::Refused(
                "These subscriptions no longer form this group (Partner Center changed their terms); reload the page."
                    .into(),
            )
        })
    }

    /// Reads back the units of one contract SeatSync just changed (one Autotask read: the units
    /// rows name their contract service and service) and puts them in the snapshot. A service
    /// without units in force today is left out, as it holds nothing today.
    pub(crate) async fn refresh_contract_units(
        &self,
        contract_id: ContractId,
        today: NaiveDate,
    ) -> Result<(), ContractError> {
        let units = self.autotask()?.contract_service_units(&[contract_id], today).await?;
        let mut services: Vec<db::ContractService> = Vec::new();
        for u in units.iter().filter(|u| u.start_date <= today && today <= u.end_date) {
            match services.iter_mut().find(|s| s.id == u.contract_service_id) {
                Some(s) => s.units += u.units,
                None => services.push(db::ContractService {
                    id: u.contract_service_id,
                    contract_id,
                    service_id: u.service_id,
                    units: u.units,
                    unit_price: u.price,
                    unit_cost: u.cost,
                }),
            }
        }
        db::replace_contract_services(&self.pool, contract_id, &services).await?;
        Ok(())
    }

    /// Re-reads the contracts of the tenant's company, when it is mapped.
    pub async fn reread_tenant_contracts(&self, tenant_id: &TenantId, today: NaiveDate) -> Result<(), ContractError> {
        let row = seatsync_db::mappings::tenant_row(&self.pool, tenant_id).await?;
        if let seatsync_domain::Mapping::Mapped { id } = row.target() {
            self.reread_company_contracts(&[id], today).await?;
        }
        Ok(())
    }

    /// Applies a group's plan to contract `contract_id` (or, for a dry run, records it), one
    /// Autotask write per change, each change logged with before and after. A write whose
    /// outcome is unknown is logged as failed: the next plan is made from re-read units, so it
    /// is never applied twice.
    pub(crate) async fn apply_plan(
        &self,
        tenant_id: &TenantId,
        group: &Group,
        contract_id: ContractId,
        effective_date: NaiveDate,
        applier: Applier,
    ) -> Result<Pushed, ContractError> {
        let Applier { run_id, by, dry_run } = applier;
        let autotask = self.autotask()?;
        let key = group.key.to_key_string();
        let mut out = Pushed::default();
        for planned in &group.plan {
            let change = &planned.change;
            let (kind, before, after) = match change {
                Change::AdjustUnits { from, to, .. } => (ChangeKind::AdjustUnits, Some(*from), Some(*to)),
                Change::AddService { units, .. } => (ChangeKind::AddService, Some(0), Some(*units)),
                Change::FlagEnded { units, .. } => (ChangeKind::FlagEnded, Some(*units), Some(*units)),
            };
            let mut record = NewChange {
                run_id,
                tenant_id,
                group_key: Some(&key),
                contract_id: Some(contract_id),
                service_id: Some(change.service_id()),
                kind,
                description: planned.description.clone(),
                units_before: before,
                units_after: after,
                outcome: ChangeOutcome::Planned,
                error: None,
                changed_by: by,
            };
            if matches!(change, Change::FlagEnded { .. }) {
                record.outcome = if dry_run { ChangeOutcome::Planned } else { ChangeOutcome::Flagged };
                out.flagged.push(planned.description.clone());
            } else if dry_run {
                out.applied.push(planned.description.clone());
            } else {
                let adjustment = match change {
                    Change::AdjustUnits { service_id, from, to, .. } => NewAdjustment {
                        contract_id,
                        service_id: *service_id,
                        effective_date,
                        unit_change: to - from,
                        adjusted_unit_price: None,
                        adjusted_unit_cost: None,
                    },
                    // Autotask creates the contract service when an adjustment names a service
                    // the contract does not hold yet: one write adds it with its units.
                    Change::AddService { service_id, units, unit_price, unit_cost, .. } => NewAdjustment {
                        contract_id,
                        service_id: *service_id,
                        effective_date,
                        unit_change: *units,
                        adjusted_unit_price: *unit_price,
                        adjusted_unit_cost: *unit_cost,
                    },
                    Change::FlagEnded { .. } => unreachable!("flags are handled above"),
                };
                match autotask.adjust_units(&adjustment).await {
                    Ok(_) => {
                        record.outcome = ChangeOutcome::Applied;
                        out.applied.push(planned.description.clone());
                    }
                    Err(e) => {
                        let message = match &e {
                            VendorError::Uncertain { .. } => format!("{e} SeatSync re-reads the contract before the next push, so it is never applied twice."),
                            _ => e.to_string(),
                        };
                        tracing::warn!(%tenant_id, %contract_id, error = %message, "contract change failed");
                        record.outcome = ChangeOutcome::Failed;
                        record.error = Some(message.clone());
                        out.failed.push(format!("{}: {message}", planned.description));
                    }
                }
            }
            db::record_change(&self.pool, &record).await?;
        }
        Ok(out)
    }
}

/// When a change of seats takes effect, as the Admin configured it. For a group of several
/// terms, "term start" is the earliest current term's start, never before the contract's own.
pub(crate) fn adjustment_date(settings: &seatsync_mapping::AppSettings, group: &Group, today: NaiveDate) -> NaiveDate {
    match settings.adjustment_date {
        AdjustmentDate::Today => today,
        AdjustmentDate::TermStart => {
            group.contract_dates.map_or(group.span.start, |(start, _)| group.span.start.max(start))
        }
    }
}
