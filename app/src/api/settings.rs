//! Integration settings as an Admin sees them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One configured vendor connection; never carries a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationInfo {
    pub name: String,
    pub purpose: String,
    pub base_url: String,
    /// Whether every credential the integration needs is set.
    pub configured: bool,
    /// The configuration keys still missing, to tell the Admin what to set.
    pub missing: Vec<String>,
}

/// Every integration with its endpoint and whether it is ready (Admin only: endpoints and
/// account names are not for everyone).
#[server(prefix = "/api", endpoint = "settings/integrations")]
pub async fn list_integrations() -> Result<Vec<IntegrationInfo>, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Admin).await?;
    Ok(caller.ctx.integrations.as_ref().clone())
}

/// How many integrations are ready, for the dashboard (everyone signed in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadinessSummary {
    pub ready: usize,
    pub total: usize,
    pub not_ready: Vec<String>,
}

#[server(prefix = "/api", endpoint = "settings/readiness")]
pub async fn integration_readiness() -> Result<ReadinessSummary, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Viewer).await?;
    let all = caller.ctx.integrations;
    Ok(ReadinessSummary {
        ready: all.iter().filter(|i| i.configured).count(),
        total: all.len(),
        not_ready: all.iter().filter(|i| !i.configured).map(|i| i.name.clone()).collect(),
    })
}

/// The settings an Admin changes in the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingSettingsInfo {
    pub service_name_template: String,
    pub contract_name_template: String,
    /// "today" or "term_start".
    pub adjustment_date: String,
    pub service_billing_code_id: Option<i64>,
    /// Whether contracts SeatSync creates require start and stop times on time entries.
    pub time_reporting_requires_start_stop: bool,
    pub service_placeholders: Vec<String>,
    pub contract_placeholders: Vec<String>,
    /// SeatSync's Autotask requests in the last hour and what it may use.
    pub autotask_usage: Option<(u64, u64)>,
}

#[server(prefix = "/api", endpoint = "settings/mapping")]
pub async fn mapping_settings() -> Result<MappingSettingsInfo, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Admin).await?;
    let s = seatsync_mapping::AppSettings::load(&caller.ctx.pool).await.map_err(|e| caller.fail(e))?;
    let usage = caller.ctx.mapping.autotask().ok().map(|a| {
        let u = a.usage();
        (u.used_last_hour, u.allowed_per_hour)
    });
    Ok(MappingSettingsInfo {
        service_name_template: s.service_name_template,
        contract_name_template: s.contract_name_template,
        adjustment_date: match s.adjustment_date {
            seatsync_mapping::settings::AdjustmentDate::Today => "today".into(),
            seatsync_mapping::settings::AdjustmentDate::TermStart => "term_start".into(),
        },
        service_billing_code_id: s.service_billing_code_id,
        time_reporting_requires_start_stop: s.time_reporting_requires_start_stop,
        service_placeholders: seatsync_domain::naming::SERVICE_PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
        contract_placeholders: seatsync_domain::naming::CONTRACT_PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
        autotask_usage: usage,
    })
}

#[server(prefix = "/api", endpoint = "settings/save_mapping")]
pub async fn save_mapping_settings(
    service_name_template: String,
    contract_name_template: String,
    adjustment_date: String,
    service_billing_code_id: String,
    time_reporting_requires_start_stop: bool,
) -> Result<(), AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Admin).await?;
    use seatsync_mapping::settings::{AdjustmentDate, SettingsError};
    let adjustment_date = match adjustment_date.as_str() {
        "today" => AdjustmentDate::Today,
        "term_start" => AdjustmentDate::TermStart,
        other => {
            return Err(
                caller.fail(AppError::Invalid(format!("'{other}' is not a choice; expected today or term_start.")))
            )
        }
    };
    let code = service_billing_code_id.trim();
    let service_billing_code_id = if code.is_empty() {
        None
    } else {
        Some(code.parse::<i64>().map_err(|_| {
            caller.fail(AppError::Invalid(format!("'{code}' is not an allocation code id (a number).")))
        })?)
    };
    let settings = seatsync_mapping::AppSettings {
        service_name_template,
        contract_name_template,
        adjustment_date,
        service_billing_code_id,
        time_reporting_requires_start_stop,
    };
    settings.save(&caller.ctx.pool, caller.user.id).await.map_err(|e| {
        caller.fail(match e {
            SettingsError::Db(db) => AppError::from(db),
            other => AppError::Invalid(other.to_string()),
        })
    })?;
    tracing::info!(by = %caller.user.email, "mapping settings changed");
    Ok(())
}

/// An Autotask allocation code a new service may be billed under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationCode {
    pub id: i64,
    pub name: String,
    /// What Autotask says the code is used for ("Recurring Contract Service", ...), if it says.
    pub use_type: Option<String>,
    /// Made for recurring contract services: the natural choice for licences.
    pub recurring: bool,
}

/// The active allocation codes of the Autotask database, recurring-service ones first (Admin).
#[server(prefix = "/api", endpoint = "settings/billing_codes")]
pub async fn allocation_codes() -> Result<Vec<AllocationCode>, AppError> {
    let caller = crate::server::require(seatsync_domain::Role::Admin).await?;
    let autotask = caller.ctx.mapping.autotask().map_err(|e| caller.fail(e))?.clone();
    let codes =
        autotask.billing_codes().await.map_err(|e| caller.fail(AppError::Upstream(format!("Autotask: {e}"))))?;
    let mut out: Vec<AllocationCode> = codes
        .into_iter()
        .map(|c| AllocationCode {
            recurring: c.use_type_label.as_deref().is_some_and(|u| u.to_ascii_lowercase().contains("recurring")),
            id: c.id,
            name: c.name,
            use_type: c.use_type_label,
        })
        .collect();
    out.sort_by(|a, b| b.recurring.cmp(&a.recurring).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    Ok(out)
}
