//! Tenants to Autotask companies: map, change, ignore, undo an ignore, reset; suggestions.

use std::collections::HashSet;

use seatsync_db::{
    autotask_cache,
    mappings::{self, Current, MappingEdit, Saved},
    DbError,
};
use seatsync_domain::{
    suggest::{suggest, CompanyForMatching, Suggestion, TenantForMatching},
    // `Mapping` here is the mapping service (crate::Mapping); a mapping's state is a `Target`.
    CompanyId,
    Mapping as Target,
    TenantId,
    TenantMapping,
};
use serde_json::json;
use uuid::Uuid;

use crate::{Mapping, MappingError};

/// Suggestions below this confidence are not shown.
const MIN_CONFIDENCE: f64 = 0.6;

/// What an editor does to a tenant's mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantAction {
    /// Ties the tenant to this company (new mapping or a change).
    Map {
        company_id: CompanyId,
    },
    /// Accepts SeatSync's suggestion of this company.
    AcceptSuggestion {
        company_id: CompanyId,
    },
    Ignore,
    /// Takes an ignore back: the tenant is unmapped again.
    UndoIgnore,
    /// Forgets everything about the tenant's mapping, incl. turned-down suggestions.
    Reset,
    /// Takes back an accepted suggestion (the bulk accept's undo): unmapped again, while the
    /// suggestions a person turned down stay turned down.
    UndoAccept,
}

impl Mapping {
    /// Applies `action` if the mapping is still at `expected_version`; otherwise nothing is
    /// written and the error says who changed it to what.
    #[tracing::instrument(skip(self))]
    pub async fn apply_tenant(
        &self,
        tenant_id: &TenantId,
        action: TenantAction,
        expected_version: i32,
        by: Option<Uuid>,
    ) -> Result<mappings::TenantRow, MappingError> {
        let before = match mappings::tenant_row(&self.pool, tenant_id).await {
            Err(DbError::NotFound) => return Err(MappingError::NotFound("That tenant")),
            other => other?,
        };
        let (target, label, after_company) = match action {
            TenantAction::Map { company_id } | TenantAction::AcceptSuggestion { company_id } => {
                let company = match autotask_cache::company(&self.pool, company_id).await {
                    Err(DbError::NotFound) => {
                        return Err(MappingError::Invalid(format!(
                            "Autotask company {company_id} is not known; refresh from Autotask and pick again."
                        )))
                    }
                    other => other?,
                };
                let label = match (action, before.target()) {
                    (TenantAction::AcceptSuggestion { .. }, _) => "accept suggestion",
                    (_, Target::Mapped { .. }) => "change company",
                    _ => "map",
                };
                (Target::Mapped { id: company_id }, label, Some(company.name))
            }
            TenantAction::Ignore => (Target::Ignored, "ignore", None),
            TenantAction::UndoIgnore => {
                if before.target() != Target::Ignored && before.version == expected_version {
                    return Err(MappingError::Invalid(
                        "This tenant is not ignored, so there is nothing to undo.".into(),
                    ));
                }
                (Target::Unmapped, "undo ignore", None)
            }
            TenantAction::Reset => (Target::Unmapped, "reset", None),
            TenantAction::UndoAccept => {
                if !matches!(before.target(), Target::Mapped { .. }) && before.version == expected_version {
                    return Err(MappingError::Invalid(
                        "This tenant is not mapped, so there is nothing to undo.".into(),
                    ));
                }
                (Target::Unmapped, "undo accept", None)
            }
        };
        let before_json = snapshot(before.target(), before.company_name.as_deref());
        let after_json = snapshot(target, after_company.as_deref());
        let saved = mappings::save(
            &self.pool,
            &MappingEdit {
                key: tenant_id.as_str(),
                target,
                expected_version,
                action: label,
                before: &before_json,
                after: &after_json,
                by,
                clear_dismissals: action == TenantAction::Reset,
            },
        )
        .await?;
        match saved {
            Saved::Done { .. } => Ok(mappings::tenant_row(&self.pool, tenant_id).await?),
            Saved::Conflict(now) => Err(conflict(&self.pool, &before.name, now).await),
        }
    }

    /// Suggested companies for unmapped tenants: never a company already mapped, never one a
    /// person turned down for that tenant, and each company for at most one tenant.
    pub async fn suggestions(&self) -> Result<Vec<Suggestion>, MappingError> {
        let (rows, companies, dismissed) = tokio::try_join!(
            mappings::tenant_rows(&self.pool),
            autotask_cache::companies(&self.pool),
            mappings::dismissals(&self.pool),
        )?;
        let mapped: HashSet<CompanyId> = rows
            .iter()
            .filter_map(|r| match r.target() {
                Target::Mapped { id } => Some(id),
                _ => None,
            })
            .collect();
        let tenants: Vec<TenantForMatching> = rows
            .iter()
            .filter(|r| r.target() == Target::Unmapped)
            .map(|r| TenantForMatching {
                tenant_id: r.tenant_id.clone(),
                name: r.name.clone(),
                domains: r.primary_domain.iter().cloned().collect(),
            })
            .collect();
        let companies: Vec<CompanyForMatching> = companies
            .into_iter()
            .map(|c| CompanyForMatching { id: c.id, name: c.name, web_address: c.web_address, is_active: c.is_active })
            .collect();
        let dismissed: HashSet<(TenantId, CompanyId)> =
            dismissed.into_iter().map(|d| (d.tenant_id, d.company_id)).collect();
        // Matching thousands of names is CPU work: keep it off the async workers.
        let found =
            tokio::task::spawn_blocking(move || suggest(&tenants, &companies, &mapped, &dismissed, MIN_CONFIDENCE))
                .await
                .map_err(|e| MappingError::Invalid(format!("matching companies failed: {e}")))?;
        Ok(found)
    }

    /// Turns a suggestion down for good (for that tenant).
    pub async fn dismiss_suggestion(
        &self,
        tenant_id: &TenantId,
        company_id: CompanyId,
        by: Uuid,
    ) -> Result<(), MappingError> {
        mappings::dismiss(&self.pool, tenant_id, company_id, by).await.map_err(|e| match e {
            seatsync_db::DbError::NotFound => MappingError::NotFound("That tenant"),
            other => other.into(),
        })
    }
}

pub(crate) fn snapshot(target: TenantMapping, company_name: Option<&str>) -> serde_json::Value {
    match target {
        Target::Unmapped => json!({"state": "unmapped"}),
        Target::Ignored => json!({"state": "ignored"}),
        Target::Mapped { id } => json!({"state": "mapped", "company_id": id, "company_name": company_name}),
    }
}

/// The conflict message: who changed the mapping, when, and to what.
async fn conflict(pool: &seatsync_db::PgPool, tenant: &str, now: Current<CompanyId>) -> MappingError {
    let what = match now.target {
        Target::Unmapped => "not mapped".to_string(),
        Target::Ignored => "ignored".to_string(),
        Target::Mapped { id } => match autotask_cache::company(pool, id).await {
            Ok(c) => format!("mapped to {}", c.name),
            Err(_) => format!("mapped to company {id}"),
        },
    };
    conflict_text(tenant, &what, now)
}

/// "Eddie Editor changed the mapping of X at 10:42:07 UTC while you were editing; it is now …".
pub(crate) fn conflict_text<Id>(subject: &str, what: &str, now: Current<Id>) -> MappingError {
    let tenant = subject;
    // A change with no person behind it was made by SeatSync itself (the demo's set-up).
    let who = now.changed_by_name.unwrap_or_else(|| "SeatSync".into());
    let when = now.changed_at.map(|t| format!(" at {}", t.format("%H:%M:%S UTC"))).unwrap_or_default();
    MappingError::Conflict(format!(
        "{who} changed the mapping of {tenant}{when} while you were editing; it is now {what}. Nothing was saved: look again and redo your change if it is still needed."
    ))
}
