//! Where SeatSync's tickets go: the Admin's choice of PSA, and for ConnectWise Manage and HaloPSA
//! which company (client) each customer is there, chosen by an Editor from suggestions by name
//! and domain (Autotask's are the Customers mapping). Decisions apply from the next alert run.

use std::collections::{HashMap, HashSet};

use seatsync_api_types::tickets::{
    CompanySuggestion, PsaCompany, TicketCompaniesView, TicketCompanyLine, TicketPsaInfo, TicketPsaOption,
};
use seatsync_db::{
    tenants,
    ticket_companies::{self, TicketCompany},
};
use seatsync_delivery::TICKET_PSA_KEY;
use seatsync_domain::{
    kinds::TicketPsa,
    suggest::{suggest, CompanyForMatching, Suggestion, TenantForMatching},
    TenantId,
};

use crate::{ServiceError, Services, Staff};

/// Suggestions below this are not shown: a wrong company gets a customer's ticket.
const MIN_CONFIDENCE: f64 = 0.6;

impl Services {
    pub async fn ticket_psa(&self) -> Result<TicketPsaInfo, ServiceError> {
        let chosen = self.delivery.ticket_psa().await?;
        let options = TicketPsa::ALL
            .into_iter()
            .map(|psa| TicketPsaOption { psa, name: psa.name().into(), configured: self.delivery.configured(psa) })
            .collect();
        Ok(TicketPsaInfo { chosen, options })
    }

    /// The Admin's choice; a PSA that is not set up is refused, since no ticket could be opened.
    pub async fn save_ticket_psa(&self, by: &Staff, psa: TicketPsa) -> Result<TicketPsaInfo, ServiceError> {
        if !self.delivery.configured(psa) {
            return Err(ServiceError::Invalid(format!(
                "{} is not set up: set it up on its Integrations page first, then choose it for tickets.",
                psa.name()
            )));
        }
        seatsync_db::settings::set(&self.pool, TICKET_PSA_KEY, &psa, by.id).await?;
        tracing::info!(by = %by.email, psa = %psa, "the PSA for tickets was changed");
        self.ticket_psa().await
    }

    /// Every customer with its company in the PSA for tickets, and a suggestion for the others.
    pub async fn ticket_companies(&self) -> Result<TicketCompaniesView, ServiceError> {
        let psa = self.delivery.ticket_psa().await?;
        let configured = self.delivery.configured(psa);
        let (all_tenants, chosen) =
            tokio::try_join!(tenants::list(&self.pool), ticket_companies::of_psa(&self.pool, psa))?;
        let (companies, read_error) = match (psa, configured) {
            (TicketPsa::Autotask, _) | (_, false) => (Vec::new(), None),
            _ => match self.psa_companies(psa).await {
                Ok(companies) => (companies, None),
                Err(e) => (Vec::new(), Some(e.to_string())),
            },
        };
        let chosen: HashMap<TenantId, ticket_companies::TicketCompanyRow> =
            chosen.into_iter().map(|c| (c.tenant_id.clone(), c)).collect();
        let open: Vec<TenantForMatching> = all_tenants
            .iter()
            .filter(|t| !chosen.contains_key(&t.tenant_id))
            .map(|t| TenantForMatching {
                tenant_id: t.tenant_id.clone(),
                name: t.name.clone(),
                domains: t.primary_domain.iter().cloned().collect(),
            })
            .collect();
        let taken: HashSet<i64> = chosen.values().map(|c| c.company_id).collect();
        let by_id: HashMap<i64, PsaCompany> = companies.iter().map(|c| (c.id, c.clone())).collect();
        let suggestions: HashMap<TenantId, Suggestion<i64>> =
            suggestions(open, &companies, taken).await?.into_iter().map(|s| (s.tenant_id.clone(), s)).collect();
        let rows = all_tenants
            .into_iter()
            .map(|t| {
                let mine = chosen.get(&t.tenant_id);
                let suggestion = suggestions.get(&t.tenant_id).and_then(|s| {
                    Some(CompanySuggestion {
                        company: by_id.get(&s.company_id)?.clone(),
                        confidence: s.confidence,
                        reason: s.reason.clone(),
                    })
                });
                TicketCompanyLine {
                    company: mine.map(|c| PsaCompany { id: c.company_id, name: c.company_name.clone() }),
                    set_by: mine.and_then(|c| c.set_by.clone()),
                    set_at: mine.map(|c| c.set_at),
                    suggestion,
                    tenant_id: t.tenant_id,
                    tenant_name: t.name,
                }
            })
            .collect();
        Ok(TicketCompaniesView {
            psa,
            psa_name: psa.name().into(),
            company_word: psa.company_word().into(),
            companies_word: psa.companies_word().into(),
            configured,
            read_error,
            rows,
            companies,
        })
    }

    /// Sets (or, with `None`, clears) a customer's company in the PSA for tickets; the company is
    /// looked up in the PSA, so only one that exists is stored. What was done, in words.
    pub async fn set_ticket_company(
        &self,
        by: &Staff,
        tenant_id: &TenantId,
        company_id: Option<i64>,
    ) -> Result<String, ServiceError> {
        let psa = self.ticket_companies_psa().await?;
        let tenant = tenants::find(&self.pool, tenant_id).await.map_err(ServiceError::db_missing("That customer"))?;
        let Some(company_id) = company_id else {
            let had = ticket_companies::clear(&self.pool, psa, tenant_id).await?;
            return Ok(if had {
                format!(
                    "{} has no {} {} any more: it gets no ticket until one is chosen.",
                    tenant.name,
                    psa.name(),
                    psa.company_word()
                )
            } else {
                format!("{} had no {} {}.", tenant.name, psa.name(), psa.company_word())
            });
        };
        let companies = self.psa_companies(psa).await?;
        let Some(company) = companies.into_iter().find(|c| c.id == company_id) else {
            return Err(ServiceError::Invalid(format!(
                "{} has no {} #{company_id}: choose one from the list.",
                psa.name(),
                psa.company_word()
            )));
        };
        let row = TicketCompany { tenant_id, company_id, company_name: &company.name };
        ticket_companies::set(&self.pool, psa, &[row], by.id).await?;
        tracing::info!(by = %by.email, tenant = %tenant_id, company_id, psa = %psa, "a ticket company was chosen");
        Ok(format!("{}'s tickets go to {} in {}.", tenant.name, company.name, psa.name()))
    }

    /// Takes every suggestion shown (recomputed here, never taken from the page); in words.
    pub async fn accept_ticket_companies(&self, by: &Staff) -> Result<String, ServiceError> {
        let psa = self.ticket_companies_psa().await?;
        let view = self.ticket_companies().await?;
        if let Some(e) = view.read_error {
            return Err(ServiceError::Upstream(e));
        }
        let accepted: Vec<TicketCompany> = view
            .rows
            .iter()
            .filter(|r| r.company.is_none())
            .filter_map(|r| {
                let s = r.suggestion.as_ref()?;
                Some(TicketCompany { tenant_id: &r.tenant_id, company_id: s.company.id, company_name: &s.company.name })
            })
            .collect();
        if accepted.is_empty() {
            return Ok("There was no suggestion to accept.".into());
        }
        let done = ticket_companies::set(&self.pool, psa, &accepted, by.id).await?;
        tracing::info!(by = %by.email, psa = %psa, count = done, "ticket company suggestions were accepted");
        Ok(format!("{done} customers' {} {} were set from the suggestions.", psa.name(), psa.companies_word()))
    }

    /// The PSA for tickets when its companies are chosen here (not Autotask's, which are the
    /// Customers mapping) and it is set up.
    async fn ticket_companies_psa(&self) -> Result<TicketPsa, ServiceError> {
        let psa = self.delivery.ticket_psa().await?;
        if psa == TicketPsa::Autotask {
            return Err(ServiceError::Invalid(
                "Tickets go to Autotask, whose companies are chosen on the Customers mapping page.".into(),
            ));
        }
        if !self.delivery.configured(psa) {
            return Err(ServiceError::Invalid(format!("{} is not set up: an Admin sets it up first.", psa.name())));
        }
        Ok(psa)
    }
}

/// Suggestions for the customers without a company, among the companies no customer has.
async fn suggestions(
    open: Vec<TenantForMatching>,
    companies: &[PsaCompany],
    taken: HashSet<i64>,
) -> Result<Vec<Suggestion<i64>>, ServiceError> {
    let companies: Vec<CompanyForMatching<i64>> = companies
        .iter()
        .map(|c| CompanyForMatching { id: c.id, name: c.name.clone(), web_address: None, is_active: true })
        .collect();
    // Matching thousands of names is CPU work: keep it off the async workers.
    tokio::task::spawn_blocking(move || suggest(&open, &companies, &taken, &HashSet::new(), MIN_CONFIDENCE))
        .await
        .map_err(|e| ServiceError::unexpected("matching companies", e))
}
