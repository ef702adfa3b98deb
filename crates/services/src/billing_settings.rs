//! When the billing report is made and where it goes (the Billing page): everyone reads them, an
//! Admin changes them. The schedule is kept on the job's schedule row, so every instance follows
//! it within a minute; the delivery settings in `app_settings`.

use chrono::Utc;
use seatsync_api_types::billing::{BillingSettingsView, PsaCompany};
use seatsync_billing::delivery::DELIVERY_KEY;
use seatsync_db::jobs as job_db;
use seatsync_domain::{
    billing_delivery::{BillingDelivery, BillingSchedule, Frequency, TicketCompany},
    kinds::JobKind,
};

use crate::{ServiceError, Services, Staff};

/// The form's schedule when the one in force has no shape of the form's: the configured default.
const FALLBACK: BillingSchedule = BillingSchedule { frequency: Frequency::Monthly, weekday: 1, day: 1, hour: 7 };

/// What an Admin sends from the form.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingSettingsForm {
    pub schedule: BillingSchedule,
    /// A company of the PSA for tickets, by name as typed; none for no ticket.
    pub ticket_company: Option<String>,
    /// Addresses separated by commas, semicolons or lines; none for no e-mail.
    pub email_to: String,
}

impl Services {
    pub async fn billing_settings(&self) -> Result<BillingSettingsView, ServiceError> {
        let (schedules, delivery, psa) = tokio::try_join!(
            async { Ok::<_, ServiceError>(job_db::schedules(&self.pool).await?) },
            async { Ok::<_, ServiceError>(self.billing.delivery_settings().await?) },
            async { Ok::<_, ServiceError>(self.delivery.ticket_psa().await?) },
        )?;
        let stored = schedules.into_iter().find(|s| s.job == JobKind::BillingReport);
        let app_cron = stored.as_ref().and_then(|s| s.app_cron.clone());
        let configured = self.jobs.schedule(JobKind::BillingReport).map(|c| c.source().to_string());
        let in_force = app_cron.clone().or(configured);
        let schedule = in_force.as_deref().and_then(BillingSchedule::from_cron).unwrap_or(FALLBACK);
        let next_run = in_force
            .as_deref()
            .and_then(|c| c.parse::<cron::Schedule>().ok())
            .filter(|_| !stored.as_ref().is_some_and(|s| s.paused))
            .and_then(|c| seatsync_jobs::schedule::next_slot(&c, Utc::now()));
        let schedule_words = match in_force.as_deref() {
            Some(cron) => match BillingSchedule::from_cron(cron) {
                Some(s) => s.words(),
                None => seatsync_jobs::schedule::describe(cron),
            },
            None => "Not scheduled: Autotask, whose companies are the report's rows, is not set up.".into(),
        };
        let (companies, companies_error) = match self.psa_companies(psa).await {
            Ok(c) => (c, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        Ok(BillingSettingsView {
            schedule,
            schedule_words,
            from_app: app_cron.is_some(),
            next_run,
            delivery_words: delivery.words(psa.name()),
            delivery,
            ticket_psa: psa,
            companies,
            companies_error,
            email_configured: self.integrations.slots().mailer.is_set(),
        })
    }

    /// Saves the schedule and the delivery; what was done, in words.
    pub async fn save_billing_settings(&self, by: &Staff, form: BillingSettingsForm) -> Result<String, ServiceError> {
        form.schedule.check().map_err(ServiceError::Invalid)?;
        let psa = self.delivery.ticket_psa().await?;
        let ticket_company = match form.ticket_company.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            None => None,
            Some(name) => {
                let companies = self.psa_companies(psa).await?;
                let found: Option<PsaCompany> = companies.into_iter().find(|c| c.name.eq_ignore_ascii_case(name));
                let Some(c) = found else {
                    return Err(ServiceError::Invalid(format!(
                        "{} has no {} named '{name}': choose one from the list.",
                        psa.name(),
                        psa.company_word()
                    )));
                };
                Some(TicketCompany { id: c.id, name: c.name })
            }
        };
        let delivery =
            BillingDelivery::from_form(ticket_company, psa, &form.email_to).map_err(ServiceError::Invalid)?;
        if !delivery.email_to.is_empty() && !self.integrations.slots().mailer.is_set() {
            return Err(ServiceError::Invalid(
                "E-mail is not set up: an Admin sets up SMTP under Settings first, or leave the addresses empty."
                    .into(),
            ));
        }
        let cron = form.schedule.cron();
        if !job_db::set_app_cron(&self.pool, JobKind::BillingReport, Some(&cron)).await? {
            return Err(ServiceError::Conflict(
                "The billing report has no schedule yet: Autotask, whose companies are its rows, is not set up.".into(),
            ));
        }
        seatsync_db::settings::set(&self.pool, DELIVERY_KEY, &delivery, by.id).await?;
        tracing::info!(by = %by.email, cron, "the billing report's schedule and delivery were changed");
        Ok(format!("{}. {}", form.schedule.words(), delivery.words(psa.name())))
    }
}
