//! Settings an Admin changes in the app: name templates, the effective date of contract
//! adjustments, and the allocation code new services get. Stored in `app_settings`; a key never
//! set has its default.

use seatsync_db::{settings, DbError, PgPool};
use seatsync_domain::{
    grouping::ContractGrouping,
    naming::{
        Template, TemplateError, CONTRACT_PLACEHOLDERS, DEFAULT_CONTRACT_TEMPLATE, DEFAULT_SERVICE_TEMPLATE,
        SERVICE_PLACEHOLDERS,
    },
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const KEY: &str = "mapping";

/// When a change of seats takes effect on an Autotask contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentDate {
    /// The day the change is pushed.
    #[default]
    Today,
    /// The first day of the subscription group's current term (bills the whole term).
    TermStart,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppSettings {
    pub service_name_template: String,
    pub contract_name_template: String,
    pub adjustment_date: AdjustmentDate,
    /// Autotask allocation code (`billingCodeID`) of the services SeatSync creates: Autotask
    /// requires one on every service, chosen under Settings from the database's list.
    pub service_billing_code_id: Option<i64>,
    /// `timeReportingRequiresStartAndStopTimes` of the contracts SeatSync creates (Autotask
    /// requires the field); recurring licence contracts take no time, so no by default.
    pub time_reporting_requires_start_stop: bool,
    /// How a customer's subscriptions are split into contracts (the billing team's choice);
    /// settings stored before the choice existed read as the aligned rule SeatSync always used.
    pub contract_grouping: ContractGrouping,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            service_name_template: DEFAULT_SERVICE_TEMPLATE.into(),
            contract_name_template: DEFAULT_CONTRACT_TEMPLATE.into(),
            adjustment_date: AdjustmentDate::Today,
            service_billing_code_id: None,
            time_reporting_requires_start_stop: false,
            contract_grouping: ContractGrouping::AlignedTerms,
        }
    }
}

impl AppSettings {
    pub async fn load(pool: &PgPool) -> Result<AppSettings, DbError> {
        Ok(settings::get(pool, KEY).await?.unwrap_or_default())
    }

    /// Checks the templates and stores the settings.
    pub async fn save(&self, pool: &PgPool, by: Uuid) -> Result<(), SettingsError> {
        Template::parse(&self.service_name_template, SERVICE_PLACEHOLDERS).map_err(SettingsError::ServiceTemplate)?;
        Template::parse(&self.contract_name_template, CONTRACT_PLACEHOLDERS)
            .map_err(SettingsError::ContractTemplate)?;
        if self.service_billing_code_id.is_some_and(|id| id <= 0) {
            return Err(SettingsError::BillingCode);
        }
        settings::set(pool, KEY, self, by).await?;
        Ok(())
    }

    pub fn service_template(&self) -> Template {
        Template::parse(&self.service_name_template, SERVICE_PLACEHOLDERS).unwrap_or_else(|_| {
            Template::parse(DEFAULT_SERVICE_TEMPLATE, SERVICE_PLACEHOLDERS)
                .expect("the default service template is valid")
        })
    }

    pub fn contract_template(&self) -> Template {
        Template::parse(&self.contract_name_template, CONTRACT_PLACEHOLDERS).unwrap_or_else(|_| {
            Template::parse(DEFAULT_CONTRACT_TEMPLATE, CONTRACT_PLACEHOLDERS)
                .expect("the default contract template is valid")
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("The service name template is not valid: {0}")]
    ServiceTemplate(TemplateError),
    #[error("The contract name template is not valid: {0}")]
    ContractTemplate(TemplateError),
    #[error("The allocation code id must be a positive number.")]
    BillingCode,
    #[error(transparent)]
    Db(#[from] DbError),
}
