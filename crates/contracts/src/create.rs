//! One click, one contract.
//!
//! The intent is written to PostgreSQL before Autotask is asked, with at most one open intent per
//! tenant group. A second click or tab finds the open intent and waits for its outcome; an intent
//! whose process stopped (a crash) is claimed and resumed by the next click or by the recovery
//! task. Before every create, Autotask is re-read for a contract of that company with that name,
//! so a create that timed out (and may have happened) is adopted, never repeated.

use std::time::Duration;

use chrono::NaiveDate;
use seatsync_db::{
    contracts::{self as db, Creation, NewChange},
    kinds::{ChangeKind, ChangeOutcome, CreationState},
};
use seatsync_domain::{
    grouping::{ContractMatch, GroupKey},
    ContractId, TenantId, TenantMapping,
};
use seatsync_vendors::{
    autotask::{picklist_value, NewContract},
    VendorError,
};
use uuid::Uuid;

use crate::{
    push::{Applier, Pushed},
    view::{CreateBlocked, Group},
    ContractError, Contracts,
};

/// How long a second click waits for the first one's outcome.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(45);

/// What "Create contract" did.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub contract_id: ContractId,
    pub contract_name: String,
    /// The contract existed already (created by an earlier click, a resumed attempt, or found in
    /// Autotask under the group's name) and was not created again.
    pub existed: bool,
    pub services: Pushed,
}

impl Contracts {
    /// Creates the Recurring Service contract for a tenant's group, with a contract service per
    /// mapped offer; safe to call any number of times at once.
    #[tracing::instrument(skip(self))]
    pub async fn create_group_contract(
        &self,
        tenant_id: &TenantId,
        group_key: &str,
        by: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Created, ContractError> {
        let key = GroupKey::parse_key_string(group_key).map_err(|e| ContractError::Refused(e.to_string()))?;
        self.autotask()?;
        let group = self.fresh_group(tenant_id, &key, today).await?;
        if let ContractMatch::Active { id } = group.contract {
            return Ok(Created {
                contract_id: id,
                contract_name: group.contract_name.clone().unwrap_or_default(),
                existed: true,
                services: Pushed::default(),
            });
        }
        if let Some(why) = group.create_blocked {
            return Err(ContractError::Refused(why.reason().into()));
        }
        let row = seatsync_db::mappings::tenant_row(&self.pool, tenant_id).await?;
        let TenantMapping::Mapped { id: company_id } = row.target() else {
            return Err(ContractError::Refused(CreateBlocked::TenantNotMapped.reason().into()));
        };
        let intent =
            match db::begin_creation(&self.pool, tenant_id, group_key, company_id, &group.proposed_name, by).await? {
                Ok(intent) => intent,
                Err(open) => match self.take_over_or_wait(open).await? {
                    Ok(claimed) => claimed,
                    Err(done) => return Ok(done),
                },
            };
        self.execute_creation(intent, by, today).await
    }

    /// An intent is open already: resume it if its process stopped, otherwise wait for it.
    async fn take_over_or_wait(&self, open: Creation) -> Result<Result<Creation, Created>, ContractError> {
        if let Some(claimed) = db::claim_stale(&self.pool, open.id, self.stale_after_secs).await? {
            tracing::info!(intent = claimed.id, "resuming an interrupted contract creation");
            return Ok(Ok(claimed));
        }
        let started = tokio::time::Instant::now();
        while started.elapsed() < WAIT_FOR_OTHER {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = db::creation(&self.pool, open.id).await?;
            match now.state {
                CreationState::Done => {
                    return Ok(Err(Created {
                        // A finished intent always names its contract.
                        contract_id: now.contract_id.ok_or(ContractError::NotFound("The created contract"))?,
                        contract_name: now.contract_name,
                        existed: true,
                        services: Pushed::default(),
                    }));
                }
                CreationState::Failed => {
                    return Err(ContractError::Refused(
                        now.error.unwrap_or_else(|| "Creating the contract failed.".into()),
                    ))
                }
                _ => {}
            }
        }
        Err(ContractError::Busy(format!(
            "{} started creating this contract at {} and it is still in progress; reload in a moment.",
            open.requested_by_name.unwrap_or_else(|| "Someone".into()),
            open.requested_at.format("%H:%M:%S UTC")
        )))
    }

    /// Carries an intent to the end: contract (found or created), services, link, log. The
    /// snapshot of the company's contracts must have been re-read just before (a click reads it
    /// to find the group; a resumed creation reads it first).
    async fn execute_creation(
        &self,
        intent: Creation,
        by: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Created, ContractError> {
        let tenant_id = intent.tenant_id.clone();
        let outcome = self.with_tenant_lock(&tenant_id, self.create_steps(&intent, by, today)).await;
        if let Err(e) = &outcome {
            // Nothing unknown is left behind: either no contract exists under the name, or the
            // next attempt finds and adopts it.
            db::advance_creation(&self.pool, intent.id, CreationState::Failed, None, Some(&e.to_string())).await?;
        }
        outcome
    }

    /// The steps of a creation, with the Autotask reads they cost: none to find or plan (the
    /// snapshot is fresh), one to read the new contract's units back at the end. A create whose
    /// answer was lost costs one more, to look for the contract before anything is tried again.
    async fn create_steps(
        &self,
        intent: &Creation,
        by: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Created, ContractError> {
        let key = GroupKey::parse_key_string(&intent.group_key).map_err(|e| ContractError::Refused(e.to_string()))?;
        db::touch_creation(&self.pool, intent.id).await?;
        let (contract_id, existed) = match intent.contract_id {
            Some(id) => (id, true),
            None => match db::snapshot_contract_named(&self.pool, intent.company_id, &intent.contract_name).await? {
                Some(id) => (id, true),
                None => (self.create_in_autotask(intent, &key, today).await?, false),
            },
        };
        db::advance_creation(&self.pool, intent.id, CreationState::ContractCreated, Some(contract_id), None).await?;
        db::link(&self.pool, &intent.tenant_id, &intent.group_key, contract_id, by).await?;
        if !existed {
            db::record_change(
                &self.pool,
                &NewChange {
                    run_id: None,
                    tenant_id: &intent.tenant_id,
                    group_key: Some(&intent.group_key),
                    contract_id: Some(contract_id),
                    service_id: None,
                    kind: ChangeKind::CreateContract,
                    description: format!("created contract {}", intent.contract_name),
                    units_before: None,
                    units_after: None,
                    outcome: ChangeOutcome::Applied,
                    error: None,
                    changed_by: by,
                },
            )
            .await?;
        }
        // Services: planned from the contract as the fresh snapshot holds it (a new contract
        // holds none), so a resumed creation adds only what is missing. New services count from
        // the contract's first day.
        let group: Group = self.stored_group(&intent.tenant_id, &key, today).await?;
        let services = match group.contract {
            ContractMatch::Active { id } if id == contract_id => {
                self.apply_plan(&intent.tenant_id, &group, contract_id, group.contract_start, Applier::person(by)).await?
            },
            _ => {
                return Err(ContractError::Refused(format!(
                    "Contract {contract_id} exists in Autotask but does not cover this group's term (is it inactive or were its dates changed?). Check it in Autotask."
                )))
            }
        };
        self.refresh_contract_units(contract_id, today).await?;
        db::advance_creation(&self.pool, intent.id, CreationState::Done, Some(contract_id), None).await?;
        Ok(Created { contract_id, contract_name: intent.contract_name.clone(), existed, services })
    }

    /// Creates the intent's contract in Autotask and records it in the snapshot; its id. Never
    /// sent twice: an answer that was lost is followed by a look for the contract by name.
    async fn create_in_autotask(
        &self,
        intent: &Creation,
        key: &GroupKey,
        today: NaiveDate,
    ) -> Result<ContractId, ContractError> {
        let autotask = self.autotask()?;
        let group = self.stored_group(&intent.tenant_id, key, today).await?;
        let settings = seatsync_mapping::AppSettings::load(&self.pool).await?;
        let (types, statuses, periods) = tokio::try_join!(
            autotask.picklist("Contracts", "contractType"),
            autotask.picklist("Contracts", "status"),
            autotask.picklist("Contracts", "contractPeriodType"),
        )?;
        let new = NewContract {
            company_id: intent.company_id,
            contract_name: intent.contract_name.clone(),
            contract_type: picklist_value(&types, "Contracts", "contractType", "Recurring Service")?,
            status: picklist_value(&statuses, "Contracts", "status", "Active")?,
            start_date: group.contract_start,
            end_date: group.contract_end,
            contract_period_type: Some(picklist_value(&periods, "Contracts", "contractPeriodType", "Monthly")?),
            description: Some(match key {
                GroupKey::Aligned { term, start, end } => format!(
                    "Microsoft {} subscriptions renewing together ({start} to {end}), kept in line with Partner Center by SeatSync.",
                    term.label()
                ),
                GroupKey::Term(term) => format!(
                    "The customer's Microsoft {} subscriptions, kept in line with Partner Center by SeatSync.",
                    term.label()
                ),
                GroupKey::Customer => {
                    "The customer's Microsoft subscriptions, kept in line with Partner Center by SeatSync.".to_string()
                }
            }),
            time_reporting_requires_start_and_stop_times: settings.time_reporting_requires_start_stop,
        };
        let id = match autotask.create_contract(&new).await {
            Ok(id) => id,
            // It may exist now: look, never create blindly again.
            Err(VendorError::Uncertain { .. }) => match autotask
                .contracts_named(intent.company_id, &intent.contract_name)
                .await?
                .into_iter()
                .map(|c| c.id)
                .min()
            {
                Some(id) => id,
                None => return Err(ContractError::Refused(
                    "Autotask did not confirm the new contract and it is not there, so nothing was created. Try again."
                        .into(),
                )),
            },
            Err(e) => return Err(e.into()),
        };
        let contract = db::Contract {
            id,
            company_id: new.company_id,
            name: new.contract_name.clone(),
            contract_type: Some(new.contract_type),
            status: Some(new.status),
            is_active: true,
            start_date: new.start_date,
            end_date: new.end_date,
        };
        db::store_contract(&self.pool, &contract, &[], chrono::Utc::now()).await?;
        Ok(id)
    }

    /// Resumes creations whose process stopped mid-way (run at start and periodically).
    pub async fn resume_interrupted(&self, today: NaiveDate) -> Result<usize, ContractError> {
        if !self.autotask.is_set() {
            return Ok(0);
        }
        let mut resumed = 0;
        for open in db::stale_creations(&self.pool, self.stale_after_secs).await? {
            if let Some(claimed) = db::claim_stale(&self.pool, open.id, self.stale_after_secs).await? {
                let by = None;
                // What the interrupted attempt left in Autotask is read before anything else.
                self.reread_company_contracts(&[claimed.company_id], today).await?;
                match self.execute_creation(claimed, by, today).await {
                    Ok(c) => tracing::info!(contract = %c.contract_id, "interrupted contract creation finished"),
                    Err(e) => {
                        tracing::warn!(error = %e, "interrupted contract creation could not finish; recorded as failed")
                    }
                }
                resumed += 1;
            }
        }
        Ok(resumed)
    }
}
