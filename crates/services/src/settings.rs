//! Settings (Admin): how SeatSync names and bills what it creates in Autotask.

use seatsync_api_types::settings::{AllocationCode, AutotaskUsage, MappingSettingsInfo};
use seatsync_domain::{
    grouping::ContractGrouping,
    naming::{CONTRACT_PLACEHOLDERS, SERVICE_PLACEHOLDERS},
};
use seatsync_mapping::{settings::AdjustmentDate, AppSettings};

use crate::{ServiceError, Services, Staff};

/// What an Admin submits on the Settings page.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsForm {
    pub service_name_template: String,
    pub contract_name_template: String,
    /// "today" or "term_start".
    pub adjustment_date: String,
    /// An allocation code id, or blank.
    pub service_billing_code_id: String,
    pub time_reporting_requires_start_stop: bool,
    /// A `ContractGrouping` spelling: "aligned_terms", "per_term" or "per_customer".
    pub contract_grouping: String,
}

impl Services {
    pub async fn mapping_settings(&self) -> Result<MappingSettingsInfo, ServiceError> {
        let s = AppSettings::load(&self.pool).await?;
        let usage = self.mapping.autotask().ok().map(|a| {
            let u = a.usage();
            AutotaskUsage { used_last_hour: u.used_last_hour, allowed_per_hour: u.allowed_per_hour }
        });
        Ok(MappingSettingsInfo {
            service_name_template: s.service_name_template,
            contract_name_template: s.contract_name_template,
            adjustment_date: match s.adjustment_date {
                AdjustmentDate::Today => "today".into(),
                AdjustmentDate::TermStart => "term_start".into(),
            },
            service_billing_code_id: s.service_billing_code_id,
            time_reporting_requires_start_stop: s.time_reporting_requires_start_stop,
            contract_grouping: s.contract_grouping,
            service_placeholders: SERVICE_PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
            contract_placeholders: CONTRACT_PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
            autotask_usage: usage,
        })
    }

    pub async fn save_mapping_settings(&self, by: &Staff, form: SettingsForm) -> Result<(), ServiceError> {
        let adjustment_date = match form.adjustment_date.as_str() {
            "today" => AdjustmentDate::Today,
            "term_start" => AdjustmentDate::TermStart,
            other => {
                return Err(ServiceError::Invalid(format!("'{other}' is not a choice; expected today or term_start.")))
            }
        };
        let code = form.service_billing_code_id.trim();
        let service_billing_code_id = match code {
            "" => None,
            code => Some(
                code.parse::<i64>()
                    .map_err(|_| ServiceError::Invalid(format!("'{code}' is not an allocation code id (a number).")))?,
            ),
        };
        let contract_grouping = ContractGrouping::parse(&form.contract_grouping).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "'{}' is not a contract grouping; expected {}.",
                form.contract_grouping,
                ContractGrouping::ALL.map(ContractGrouping::as_str).join(", ")
            ))
        })?;
        let before = AppSettings::load(&self.pool).await?;
        let settings = AppSettings {
            service_name_template: form.service_name_template,
            contract_name_template: form.contract_name_template,
            adjustment_date,
            service_billing_code_id,
            time_reporting_requires_start_stop: form.time_reporting_requires_start_stop,
            contract_grouping,
        };
        settings.save(&self.pool, by.id).await?;
        if before.contract_grouping != contract_grouping {
            tracing::info!(by = %by.email, from = before.contract_grouping.as_str(), to = contract_grouping.as_str(), "contract grouping changed");
        }
        tracing::info!(by = %by.email, "mapping settings changed");
        Ok(())
    }

    /// The active allocation codes of the Autotask database, recurring-service ones first.
    pub async fn allocation_codes(&self) -> Result<Vec<AllocationCode>, ServiceError> {
        let autotask = self.mapping.autotask()?.clone();
        let codes = autotask.billing_codes().await.map_err(|e| ServiceError::Upstream(format!("Autotask: {e}")))?;
        let mut out: Vec<AllocationCode> = codes
            .into_iter()
            .map(|c| AllocationCode {
                recurring: c.use_type_label.as_deref().is_some_and(|u| u.to_ascii_lowercase().contains("recurring")),
                id: c.id,
                name: c.name,
                use_type: c.use_type_label,
            })
            .collect();
        out.sort_by(|a, b| {
            b.recurring.cmp(&a.recurring).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        Ok(out)
    }
}
