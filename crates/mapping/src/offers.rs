//! Microsoft offers to Autotask services: map, ignore, undo, reset, and create the service from
//! the naming template when none fits.

use chrono::Utc;
use seatsync_db::{
    autotask_cache,
    mappings::{self, MappingEdit, Saved},
    DbError,
};
use seatsync_domain::{
    billing_cycle_words,
    match_service,
    naming::{fit_name, AUTOTASK_SERVICE_NAME_MAX},
    // `Mapping` here is the mapping service (crate::Mapping); a mapping's state is a `Target`.
    Mapping as Target,
    MatchStrength,
    OfferForMatching,
    OfferKey,
    PricePeriod,
    ServiceForMatching,
    ServiceId,
    ServiceMapping,
    Term,
};
use seatsync_vendors::{
    autotask::{picklist_value, NewService},
    VendorError,
};
use serde_json::json;
use uuid::Uuid;

use crate::{settings::AppSettings, tenants::conflict_text, Mapping, MappingError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferAction {
    Map {
        service_id: ServiceId,
    },
    Ignore,
    UndoIgnore,
    Reset,
    /// Takes back an accepted suggestion (the bulk accept's undo): unmapped again.
    UndoAccept,
}

/// The service SeatSync proposes for an offer that has none: its name from the template, and
/// the price and cost where known.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDraft {
    pub name: String,
    /// An Autotask service already named so (mapping to it beats creating a twin).
    pub existing_service_id: Option<ServiceId>,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    /// The period the service bills per: the offer's billing cycle.
    pub period: PricePeriod,
}

impl Mapping {
    #[tracing::instrument(skip(self))]
    pub async fn apply_offer(
        &self,
        offer_key: &str,
        action: OfferAction,
        expected_version: i32,
        by: Option<Uuid>,
    ) -> Result<mappings::OfferRow, MappingError> {
        let before = match mappings::offer_row(&self.pool, offer_key).await {
            Err(DbError::NotFound) => return Err(MappingError::NotFound("That offer")),
            other => other?,
        };
        let (target, label, after_name) = match action {
            OfferAction::Map { service_id } => {
                let service = match autotask_cache::service(&self.pool, service_id).await {
                    Err(DbError::NotFound) => {
                        return Err(MappingError::Invalid(format!(
                            "Autotask service {service_id} is not known; refresh from Autotask and pick again."
                        )))
                    }
                    other => other?,
                };
                let label = if matches!(before.target(), Target::Mapped { .. }) { "change service" } else { "map" };
                (Target::Mapped { id: service_id }, label, Some(service.name))
            }
            OfferAction::Ignore => (Target::Ignored, "ignore", None),
            OfferAction::UndoIgnore => {
                if before.target() != Target::Ignored && before.version == expected_version {
                    return Err(MappingError::Invalid(
                        "This offer is not ignored, so there is nothing to undo.".into(),
                    ));
                }
                (Target::Unmapped, "undo ignore", None)
            }
            OfferAction::Reset => (Target::Unmapped, "reset", None),
            OfferAction::UndoAccept => {
                if !matches!(before.target(), Target::Mapped { .. }) && before.version == expected_version {
                    return Err(MappingError::Invalid("This offer is not mapped, so there is nothing to undo.".into()));
                }
                (Target::Unmapped, "undo accept", None)
            }
        };
        self.save_offer(&before, target, label, after_name.as_deref(), expected_version, by).await
    }

    async fn save_offer(
        &self,
        before: &mappings::OfferRow,
        target: ServiceMapping,
        label: &str,
        after_name: Option<&str>,
        expected_version: i32,
        by: Option<Uuid>,
    ) -> Result<mappings::OfferRow, MappingError> {
        let before_json = snapshot(before.target(), before.service_name.as_deref());
        let after_json = snapshot(target, after_name);
        match mappings::save(
            &self.pool,
            &MappingEdit {
                key: &before.offer_key,
                target,
                expected_version,
                action: label,
                before: &before_json,
                after: &after_json,
                by,
                clear_dismissals: false,
            },
        )
        .await?
        {
            Saved::Done { .. } => Ok(mappings::offer_row(&self.pool, &before.offer_key).await?),
            Saved::Conflict(now) => {
                let what = match now.target {
                    Target::Unmapped => "not mapped".to_string(),
                    Target::Ignored => "ignored".to_string(),
                    Target::Mapped { id } => match autotask_cache::service(&self.pool, id).await {
                        Ok(s) => format!("mapped to {}", s.name),
                        Err(_) => format!("mapped to service {id}"),
                    },
                };
                Err(conflict_text(&before.offer_name, &what, now))
            }
        }
    }

    /// The service the template names for this offer, and what is known of its price.
    pub async fn service_draft(&self, offer_key: &str) -> Result<ServiceDraft, MappingError> {
        let row = match mappings::offer_row(&self.pool, offer_key).await {
            Err(DbError::NotFound) => return Err(MappingError::NotFound("That offer")),
            other => other?,
        };
        let key = OfferKey::parse_key_string(offer_key).map_err(|e| MappingError::Invalid(e.to_string()))?;
        let (settings, services, monthly_cost) = tokio::try_join!(
            AppSettings::load(&self.pool),
            autotask_cache::services(&self.pool),
            mappings::offer_monthly_cost(&self.pool, offer_key)
        )?;
        Ok(draft(&settings.service_template(), &row.offer_name, &key, &services, monthly_cost))
    }

    /// [`Mapping::service_draft`] for every unmapped offer, in a fixed number of queries: the
    /// preview of creating them all from the template.
    pub async fn unmapped_service_drafts(&self) -> Result<Vec<(mappings::OfferRow, ServiceDraft)>, MappingError> {
        let (rows, settings, services, costs) = tokio::try_join!(
            mappings::offer_rows(&self.pool),
            AppSettings::load(&self.pool),
            autotask_cache::services(&self.pool),
            mappings::offer_monthly_costs(&self.pool)
        )?;
        let template = settings.service_template();
        Ok(rows
            .into_iter()
            .filter(|r| r.target() == Target::Unmapped)
            .filter_map(|r| {
                let key = OfferKey::parse_key_string(&r.offer_key).ok()?;
                let d = draft(&template, &r.offer_name, &key, &services, costs.get(&r.offer_key).copied());
                Some((r, d))
            })
            .collect())
    }

    /// Creates the service in Autotask (or finds the one already named so) and maps the offer to
    /// it. Autotask has no idempotency keys, so the name is looked up before creating and again
    /// when the create's outcome is unknown: never two services.
    #[tracing::instrument(skip(self))]
    pub async fn create_service_and_map(
        &self,
        offer_key: &str,
        name: &str,
        unit_price: f64,
        unit_cost: Option<f64>,
        expected_version: i32,
        by: Uuid,
    ) -> Result<mappings::OfferRow, MappingError> {
        let autotask = self.autotask()?.clone();
        let name = name.trim();
        if name.is_empty() {
            return Err(MappingError::Invalid("The service needs a name.".into()));
        }
        if name.chars().count() > AUTOTASK_SERVICE_NAME_MAX {
            return Err(MappingError::Invalid(format!(
                "Autotask service names are at most {AUTOTASK_SERVICE_NAME_MAX} characters."
            )));
        }
        if !unit_price.is_finite() || unit_price < 0.0 || unit_cost.is_some_and(|c| !c.is_finite() || c < 0.0) {
            return Err(MappingError::Invalid("Price and cost must be amounts of zero or more.".into()));
        }
        let before = match mappings::offer_row(&self.pool, offer_key).await {
            Err(DbError::NotFound) => return Err(MappingError::NotFound("That offer")),
            other => other?,
        };
        // Refuse before touching Autotask when someone else changed the mapping meanwhile.
        if before.version != expected_version {
            let now = mappings::current::<ServiceId>(&self.pool, offer_key).await?;
            let what = if matches!(now.target, Target::Mapped { .. }) {
                "mapped"
            } else if now.target == Target::Ignored {
                "ignored"
            } else {
                "not mapped"
            };
            return Err(conflict_text(&before.offer_name, what, now));
        }
        let key = OfferKey::parse_key_string(offer_key).map_err(|e| MappingError::Invalid(e.to_string()))?;
        let period_label = PricePeriod::of_billing_cycle(&key.billing).autotask_label();
        let periods = autotask.picklist("Services", "periodType").await?;
        let period_type = picklist_value(&periods, "Services", "periodType", period_label)?;
        let settings = AppSettings::load(&self.pool).await?;
        let find = || async {
            Ok::<_, VendorError>(
                autotask.services_named(name).await?.into_iter().find(|s| s.name.eq_ignore_ascii_case(name)),
            )
        };
        let service = match find().await? {
            Some(existing) => existing,
            None => {
                let new = NewService {
                    name: name.to_string(),
                    description: Some(format!("Microsoft {} ({})", before.offer_name, key.to_key_string())),
                    unit_price,
                    unit_cost,
                    period_type,
                    billing_code_id: settings.service_billing_code_id,
                };
                let created = match autotask.create_service(&new).await {
                    Ok(id) => Some(id),
                    // The create may have happened: look before anyone tries again.
                    Err(VendorError::Uncertain { .. }) => None,
                    Err(VendorError::MissingFields { fields, .. }) if fields.iter().any(|f| f.eq_ignore_ascii_case("billingCodeID")) => {
                        return Err(MappingError::Invalid(
                            "Autotask requires an allocation code on every service: an Admin chooses the one for new services under Settings, then try again. Nothing was created.".into(),
                        ))
                    }
                    Err(e) => return Err(e.into()),
                };
                let found = find().await?;
                match (created, found) {
                    (_, Some(s)) => s,
                    (Some(id), None) => seatsync_vendors::autotask::Service {
                        id,
                        name: new.name.clone(),
                        description: new.description.clone(),
                        unit_price: Some(unit_price),
                        unit_cost,
                        period_type: Some(period_type),
                        is_active: true,
                    },
                    (None, None) => return Err(MappingError::Invalid(
                        "Autotask did not confirm the new service and it is not there; nothing was created. Try again."
                            .into(),
                    )),
                }
            }
        };
        let stored = autotask_cache::Service {
            id: service.id,
            name: service.name.clone(),
            description: service.description.clone(),
            unit_price: service.unit_price,
            unit_cost: service.unit_cost,
            period_type: service.period_type,
            period_label: Some(period_label.to_string()),
            is_active: service.is_active,
        };
        autotask_cache::store_service(&self.pool, &stored, Utc::now()).await?;
        tracing::info!(service_id = %service.id, name = %service.name, "service ready in Autotask");
        self.save_offer(
            &before,
            Target::Mapped { id: service.id },
            "create service and map",
            Some(&service.name),
            expected_version,
            Some(by),
        )
        .await
    }
}

/// A service proposed for an unmapped offer, at the version the offer's mapping had when read
/// (accepting it is refused if someone mapped the offer since).
#[derive(Debug, Clone, PartialEq)]
pub struct OfferSuggestion {
    pub offer_key: String,
    pub version: i32,
    pub service_id: ServiceId,
    pub service_name: String,
    pub strength: MatchStrength,
    pub reason: String,
}

impl Mapping {
    /// The service each unmapped offer most likely bills through, judged from the services'
    /// names and periods; offers with no clear fit are left out.
    pub async fn service_suggestions(&self) -> Result<Vec<OfferSuggestion>, MappingError> {
        let rows = mappings::offer_rows(&self.pool).await?;
        self.service_suggestions_for(&rows).await
    }

    /// [`Mapping::service_suggestions`] for offer rows the caller has already read.
    pub async fn service_suggestions_for(
        &self,
        rows: &[mappings::OfferRow],
    ) -> Result<Vec<OfferSuggestion>, MappingError> {
        let services = autotask_cache::services(&self.pool).await?;
        let candidates: Vec<ServiceForMatching> = services
            .iter()
            .map(|s| ServiceForMatching {
                id: s.id,
                name: s.name.clone(),
                period: PricePeriod::from_autotask_label(s.period_label.as_deref()),
                is_active: s.is_active,
            })
            .collect();
        let mut out = Vec::new();
        for row in rows.iter().filter(|r| r.target() == Target::Unmapped) {
            let Ok(key) = OfferKey::parse_key_string(&row.offer_key) else { continue };
            let offer = OfferForMatching { product: &row.offer_name, term: key.term(), billing: &key.billing };
            let Some(found) = match_service(&offer, &candidates) else { continue };
            let service_name =
                services.iter().find(|s| s.id == found.service_id).map(|s| s.name.clone()).unwrap_or_default();
            out.push(OfferSuggestion {
                offer_key: row.offer_key.clone(),
                version: row.version,
                service_id: found.service_id,
                service_name,
                strength: found.strength,
                reason: found.reason,
            });
        }
        Ok(out)
    }
}

fn snapshot(target: ServiceMapping, service_name: Option<&str>) -> serde_json::Value {
    match target {
        Target::Unmapped => json!({"state": "unmapped"}),
        Target::Ignored => json!({"state": "ignored"}),
        Target::Mapped { id } => json!({"state": "mapped", "service_id": id, "service_name": service_name}),
    }
}

/// The service the template names for an offer: an existing service of that name is reused
/// rather than created twice; its cost per billing period from the product's monthly cost.
fn draft(
    template: &seatsync_domain::Template,
    offer_name: &str,
    key: &OfferKey,
    services: &[autotask_cache::Service],
    monthly_cost: Option<f64>,
) -> ServiceDraft {
    let term = key.term();
    // An unknown term or cycle renders as nothing, as the codes did, not as "no term".
    let term_words = term.map(Term::in_words).unwrap_or(&key.term);
    let billing_words = if key.billing.is_empty() { String::new() } else { billing_cycle_words(&key.billing) };
    let name = fit_name(
        &template.render(&[
            ("product", offer_name),
            ("term", &key.term),
            ("term_words", term_words),
            ("term_label", term.map(Term::label).unwrap_or("")),
            ("billing", &key.billing),
            ("billing_words", &billing_words),
        ]),
        AUTOTASK_SERVICE_NAME_MAX,
    );
    let period = PricePeriod::of_billing_cycle(&key.billing);
    let existing_service_id = services.iter().find(|s| s.name.eq_ignore_ascii_case(&name)).map(|s| s.id);
    let unit_cost = monthly_cost.map(|c| period.amount_per_period(c));
    ServiceDraft { name, existing_service_id, unit_price: None, unit_cost, period }
}
