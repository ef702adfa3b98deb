//! Creating an Autotask company for a tenant that has none, and mapping the tenant to it.
//!
//! Autotask has no idempotency keys, so the name is looked up before creating (an existing
//! company is offered for mapping instead of a twin) and again when the create's outcome is
//! unknown: a company is created at most once.

use chrono::Utc;
use seatsync_db::{
    autotask_cache,
    mappings::{self, MappingEdit, Saved},
    DbError,
};
use seatsync_domain::{CompanyId, Mapping as Target, TenantId};
use seatsync_vendors::{
    autotask::{picklist_value, Company, NewCompany, Resource},
    VendorError,
};
use uuid::Uuid;

use crate::{
    tenants::{conflict_text, snapshot},
    Mapping, MappingError,
};

/// Autotask's `companyName` is at most 100 characters.
const NAME_MAX: usize = 100;
/// `phone` is at most 25.
const PHONE_MAX: usize = 25;
/// `webAddress` is at most 255.
const WEB_MAX: usize = 255;
/// The `companyType` label of a customer, which every tenant SeatSync bills is.
const CUSTOMER_TYPE: &str = "Customer";

/// What the create form starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyDraft {
    pub tenant_name: String,
    /// The tenant's name as Autotask would hold it.
    pub name: String,
    /// From the tenant's own domain, when it has one besides `*.onmicrosoft.com`.
    pub web_address: Option<String>,
    /// The active resources, by name: who can own the company.
    pub owners: Vec<Resource>,
    /// The owner to preselect: the resource with the signed-in person's e-mail address.
    pub default_owner: Option<i64>,
    /// Whether this Autotask database requires a phone number on a new company.
    pub phone_required: bool,
    /// The tenant mapping's version; the create is refused if it changed.
    pub version: i32,
}

/// The company as the person confirmed it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyRequest {
    pub name: String,
    pub owner_resource_id: i64,
    pub phone: Option<String>,
    pub web_address: Option<String>,
}

impl Mapping {
    /// The form for creating `tenant_id`'s company: its name and web address, and the owners.
    #[tracing::instrument(skip(self))]
    pub async fn company_draft(&self, tenant_id: &TenantId, by_email: &str) -> Result<CompanyDraft, MappingError> {
        let autotask = self.autotask()?.clone();
        let row = match mappings::tenant_row(&self.pool, tenant_id).await {
            Err(DbError::NotFound) => return Err(MappingError::NotFound("That tenant")),
            other => other?,
        };
        let (mut owners, required) = tokio::try_join!(autotask.resources(), autotask.required_fields("Companies"))?;
        owners.sort_by_key(|r| r.display_name().to_lowercase());
        let default_owner = owners
            .iter()
            .find(|r| r.email.as_deref().is_some_and(|e| e.trim().eq_ignore_ascii_case(by_email)))
            .map(|r| r.id);
        Ok(CompanyDraft {
            name: row.name.chars().take(NAME_MAX).collect(),
            web_address: row.primary_domain.as_deref().and_then(web_address_of),
            tenant_name: row.name,
            owners,
            default_owner,
            phone_required: required.iter().any(|f| f.eq_ignore_ascii_case("phone")),
            version: row.version,
        })
    }

    /// Creates the company in Autotask and maps the tenant to it, if the mapping is still at
    /// `expected_version`. A company already named so is not created twice: the person is told
    /// to map to it instead.
    #[tracing::instrument(skip(self))]
    pub async fn create_company_and_map(
        &self,
        tenant_id: &TenantId,
        request: &CompanyRequest,
        expected_version: i32,
        by: Uuid,
    ) -> Result<mappings::TenantRow, MappingError> {
        let autotask = self.autotask()?.clone();
        let request = checked(request)?;
        let before = match mappings::tenant_row(&self.pool, tenant_id).await {
            Err(DbError::NotFound) => return Err(MappingError::NotFound("That tenant")),
            other => other?,
        };
        // Refuse before touching Autotask when someone else changed the mapping meanwhile.
        if before.version != expected_version {
            let now = mappings::current::<CompanyId>(&self.pool, tenant_id.as_str()).await?;
            let what = match now.target {
                Target::Mapped { .. } => "mapped",
                Target::Ignored => "ignored",
                Target::Unmapped => "not mapped",
            };
            return Err(conflict_text(&before.name, what, now));
        }
        let name = request.name.as_str();
        let find = || async {
            Ok::<_, VendorError>(
                autotask
                    .companies_named(name)
                    .await?
                    .into_iter()
                    .find(|c| c.company_name.trim().eq_ignore_ascii_case(name)),
            )
        };
        if let Some(existing) = find().await? {
            store(&self.pool, &existing).await?;
            return Err(MappingError::Invalid(format!(
                "Autotask already has a company named {} (id {}); nothing was created. Map the tenant to it, or give the new company another name.",
                existing.company_name, existing.id
            )));
        }
        let types = autotask.picklist("Companies", "companyType").await?;
        let new = NewCompany {
            company_name: name.to_string(),
            company_type: picklist_value(&types, "Companies", "companyType", CUSTOMER_TYPE)?,
            owner_resource_id: request.owner_resource_id,
            phone: request.phone.clone(),
            web_address: request.web_address.clone(),
        };
        let created = match autotask.create_company(&new).await {
            Ok(id) => Some(id),
            // The create may have happened: look before anyone tries again.
            Err(VendorError::Uncertain { .. }) => None,
            Err(VendorError::MissingFields { fields, .. }) => {
                return Err(MappingError::Invalid(format!(
                    "Autotask requires {} on a new company; fill it in. Nothing was created.",
                    fields.join(", ")
                )))
            }
            Err(e) => return Err(e.into()),
        };
        let company = match (created, find().await?) {
            (_, Some(found)) => found,
            (Some(id), None) => Company {
                id,
                company_name: new.company_name.clone(),
                company_number: None,
                company_type: Some(new.company_type),
                is_active: true,
                web_address: new.web_address.clone(),
            },
            (None, None) => {
                return Err(MappingError::Invalid(
                    "Autotask did not confirm the new company and it is not there; nothing was created. Try again."
                        .into(),
                ))
            }
        };
        store(&self.pool, &company).await?;
        tracing::info!(company_id = %company.id, name = %company.company_name, "company created in Autotask");
        let saved = mappings::save(
            &self.pool,
            &MappingEdit {
                key: tenant_id.as_str(),
                target: Target::Mapped { id: company.id },
                expected_version,
                action: "create company and map",
                before: &snapshot(before.target(), before.company_name.as_deref()),
                after: &snapshot(Target::Mapped { id: company.id }, Some(&company.company_name)),
                by: Some(by),
                clear_dismissals: false,
            },
        )
        .await?;
        match saved {
            Saved::Done { .. } => Ok(mappings::tenant_row(&self.pool, tenant_id).await?),
            // The company exists now either way; say so, so nobody creates it again.
            Saved::Conflict(now) => Err(MappingError::Conflict(format!(
                "The company {} was created in Autotask, but {} changed the mapping of {} meanwhile, so it was not mapped. Map the tenant to {} if that is still right.",
                company.company_name,
                now.changed_by_name.unwrap_or_else(|| "someone".into()),
                before.name,
                company.company_name
            ))),
        }
    }
}

/// The request trimmed, blanks as none, lengths within Autotask's.
fn checked(request: &CompanyRequest) -> Result<CompanyRequest, MappingError> {
    let blank_none = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let name = request.name.trim().to_string();
    if name.is_empty() {
        return Err(MappingError::Invalid("The company needs a name.".into()));
    }
    let too_long = |what: &str, value: &Option<String>, max: usize| {
        if value.as_deref().is_some_and(|v| v.chars().count() > max) {
            Err(MappingError::Invalid(format!("Autotask takes at most {max} characters for the {what}.")))
        } else {
            Ok(())
        }
    };
    too_long("company name", &Some(name.clone()), NAME_MAX)?;
    let phone = blank_none(&request.phone);
    too_long("phone number", &phone, PHONE_MAX)?;
    let web_address = blank_none(&request.web_address);
    too_long("web address", &web_address, WEB_MAX)?;
    if request.owner_resource_id <= 0 {
        return Err(MappingError::Invalid("Choose who owns the company in Autotask.".into()));
    }
    Ok(CompanyRequest { name, owner_resource_id: request.owner_resource_id, phone, web_address })
}

async fn store(pool: &seatsync_db::PgPool, c: &Company) -> Result<(), DbError> {
    let cached = autotask_cache::Company {
        id: c.id,
        name: c.company_name.clone(),
        number: c.company_number.clone(),
        company_type: c.company_type,
        is_active: c.is_active,
        web_address: c.web_address.clone(),
    };
    autotask_cache::store_company(pool, &cached, Utc::now()).await
}

/// `https://www.example.com` for a tenant whose domain is `example.com`; none for the
/// `onmicrosoft.com` domain every tenant has, which is nobody's web site.
fn web_address_of(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if domain.is_empty() || domain.ends_with(".onmicrosoft.com") || !domain.contains('.') {
        return None;
    }
    Some(format!("https://www.{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_web_address_comes_only_from_the_tenants_own_domain() {
        assert_eq!(web_address_of("contoso.com").as_deref(), Some("https://www.contoso.com"));
        assert_eq!(web_address_of(" Fabrikam.co.uk. ").as_deref(), Some("https://www.fabrikam.co.uk"));
        assert_eq!(web_address_of("contoso.onmicrosoft.com"), None);
        assert_eq!(web_address_of("localhost"), None);
        assert_eq!(web_address_of(""), None);
    }

    #[test]
    fn a_request_is_trimmed_and_held_to_autotasks_lengths() {
        let ok = checked(&CompanyRequest {
            name: "  Contoso Ltd ".into(),
            owner_resource_id: 7,
            phone: Some("   ".into()),
            web_address: Some(" https://contoso.com ".into()),
        })
        .unwrap();
        assert_eq!(ok.name, "Contoso Ltd");
        assert_eq!(ok.phone, None, "a blank phone is no phone");
        assert_eq!(ok.web_address.as_deref(), Some("https://contoso.com"));
        let base = CompanyRequest { name: "A".into(), owner_resource_id: 7, phone: None, web_address: None };
        assert!(checked(&CompanyRequest { name: " ".into(), ..base.clone() }).is_err());
        assert!(checked(&CompanyRequest { name: "x".repeat(101), ..base.clone() }).is_err());
        assert!(checked(&CompanyRequest { phone: Some("1".repeat(26)), ..base.clone() }).is_err());
        assert!(checked(&CompanyRequest { owner_resource_id: 0, ..base.clone() }).is_err());
        assert!(checked(&base).is_ok());
    }
}
