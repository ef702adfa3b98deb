//! Where SeatSync's tickets go: the PSA the Admin chose, and which ConnectWise Manage company or
//! HaloPSA client each customer is there.

use chrono::{DateTime, Utc};
use seatsync_domain::{kinds::TicketPsa, TenantId};
use serde::{Deserialize, Serialize};

pub use crate::settings::PsaCompany;

/// The PSA for tickets and the ones that could be chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketPsaInfo {
    pub chosen: TicketPsa,
    pub options: Vec<TicketPsaOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketPsaOption {
    pub psa: TicketPsa,
    pub name: String,
    /// Set up on its Integrations page: tickets can be opened there.
    pub configured: bool,
}

/// Every customer with its company in the PSA for tickets (ConnectWise or Halo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketCompaniesView {
    pub psa: TicketPsa,
    pub psa_name: String,
    /// "company" or "client", as the PSA calls a customer.
    pub company_word: String,
    /// Its plural.
    pub companies_word: String,
    pub configured: bool,
    /// Why the PSA's companies could not be read now, if they could not (the chosen ones are
    /// still listed).
    pub read_error: Option<String>,
    pub rows: Vec<TicketCompanyLine>,
    /// The PSA's companies, by name, to choose from.
    pub companies: Vec<PsaCompany>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketCompanyLine {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub company: Option<PsaCompany>,
    pub set_by: Option<String>,
    pub set_at: Option<DateTime<Utc>>,
    /// For a customer without a company: the one SeatSync would choose, and why.
    pub suggestion: Option<CompanySuggestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanySuggestion {
    pub company: PsaCompany,
    /// From 0 to 1.
    pub confidence: f64,
    pub reason: String,
}
