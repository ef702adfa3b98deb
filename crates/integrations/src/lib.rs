//! Integrations configured in the app.
//!
//! A field's value comes from its environment variable when that is set (so installations
//! configured before this page existed keep working, and an operator can always override),
//! otherwise from what an Admin saved on the Integrations page, otherwise from the catalogue's
//! default (`seatsync_domain::integration`). Secrets are saved encrypted ([`secrets`]) and are
//! never returned: the page learns only that one is set, when and by whom. Every change is
//! audited.
//!
//! The vendor clients are built from the resolved values and kept in [`Slot`]s that the mapping,
//! contract and job services share. A change saved on this instance rebuilds them at once;
//! other instances notice the change within their watch interval ([`Integrations::watch`]).

mod clients;
pub mod secrets;
mod view;

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use chrono::{DateTime, Utc};
use seatsync_api_types::settings::FieldChange;
use seatsync_db::{
    integrations::{self as db, NewAuditEntry, NewValue},
    DbError, PgPool,
};
use seatsync_domain::{
    integration::{resolve, FieldSpec, ValueSource},
    kinds::{IntegrationAction, IntegrationKey},
};
use seatsync_licence_sync::LicenceSync;
use seatsync_vendors::{
    automate::Automate, autotask::Autotask, auvik::Auvik, connectwise::ConnectWise, datto_rmm::DattoRmm, duo::Duo,
    halo::Halo, huntress::Huntress, ninjaone::NinjaOne, pax8::Pax8, sentinelone::SentinelOne, smtp::Mailer, Slot,
};
use tokio::sync::Mutex;
use uuid::Uuid;

pub use secrets::{SecretError, SecretsKey};

/// The environment variable holding the key for secrets at rest.
pub const SECRETS_KEY_VAR: &str = "SEATSYNC_SECRETS_KEY";
/// The key being replaced, during a rotation.
pub const PREVIOUS_SECRETS_KEY_VAR: &str = "SEATSYNC_SECRETS_KEY_PREVIOUS";

#[derive(Debug, thiserror::Error)]
pub enum IntegrationsError {
    /// A problem with the keys at start: names the variable, says what to do.
    #[error("{var}: {problem}")]
    Key { var: &'static str, problem: String },
    /// A submitted value that cannot be saved, in words.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("building the {integration} client failed: {error}")]
    Client { integration: &'static str, error: String },
}

impl From<sqlx::Error> for IntegrationsError {
    fn from(e: sqlx::Error) -> Self {
        IntegrationsError::Db(DbError::from(e))
    }
}

/// What the integrations are opened with.
#[derive(Debug, Clone, Default)]
pub struct IntegrationsConfig {
    /// The environment's values of the catalogue's variables (already checked at start).
    pub environment: BTreeMap<String, String>,
    pub key: Option<SecretsKey>,
    /// The key being replaced: values under it are re-encrypted with `key` at start.
    pub previous_key: Option<SecretsKey>,
    /// Vendor requests the licence sync keeps in flight at once.
    pub sync_concurrency: usize,
}

/// The value a field takes now, and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedField {
    pub value: Option<String>,
    pub source: ValueSource,
    pub set_at: Option<DateTime<Utc>>,
    pub set_by: Option<String>,
}

/// Every field of every integration, resolved.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    fields: HashMap<(IntegrationKey, &'static str), ResolvedField>,
}

impl Resolved {
    pub fn field(&self, key: IntegrationKey, name: &str) -> Option<&ResolvedField> {
        let spec = key.field(name)?;
        self.fields.get(&(key, spec.name))
    }

    /// The field's value, if it has one.
    pub fn get(&self, key: IntegrationKey, name: &str) -> Option<&str> {
        self.field(key, name)?.value.as_deref()
    }

    /// The required fields without a value.
    pub fn missing(&self, key: IntegrationKey) -> Vec<&'static FieldSpec> {
        seatsync_domain::integration::missing_fields(key, |name| self.get(key, name).is_some())
    }

    pub fn is_configured(&self, key: IntegrationKey) -> bool {
        self.missing(key).is_empty()
    }
}

/// The clients built from the integrations, shared with the services that use them.
#[derive(Clone, Default)]
pub struct ClientSlots {
    pub licence_sync: Slot<LicenceSync>,
    pub autotask: Slot<dyn Autotask>,
    pub pax8: Slot<dyn Pax8>,
    pub connectwise: Slot<dyn ConnectWise>,
    pub halo: Slot<dyn Halo>,
    pub mailer: Slot<dyn Mailer>,
    pub datto_rmm: Slot<dyn DattoRmm>,
    pub huntress: Slot<dyn Huntress>,
    pub ninjaone: Slot<dyn NinjaOne>,
    pub sentinelone: Slot<dyn SentinelOne>,
    pub automate: Slot<dyn Automate>,
    pub duo: Slot<dyn Duo>,
    pub auvik: Slot<dyn Auvik>,
}

/// The integrations of this installation.
pub struct Integrations {
    pool: PgPool,
    config: IntegrationsConfig,
    slots: ClientSlots,
    /// The audit version the clients were last built at; the lock makes one rebuild at a time.
    built_at: Mutex<Option<i64>>,
}

impl Integrations {
    /// Checks the stored secrets against the key (re-encrypting those under the previous key
    /// first), then builds every client. A key that cannot read the stored secrets stops here,
    /// with an error naming the variable.
    pub async fn open(pool: PgPool, config: IntegrationsConfig) -> Result<Arc<Self>, IntegrationsError> {
        let this = Arc::new(Self { pool, config, slots: ClientSlots::default(), built_at: Mutex::new(None) });
        this.check_keys().await?;
        this.refresh().await?;
        Ok(this)
    }

    /// The slots the services hold; their clients follow every change.
    pub fn slots(&self) -> &ClientSlots {
        &self.slots
    }

    /// Secrets can be saved in the app (a key is set).
    pub fn secrets_can_be_stored(&self) -> bool {
        self.config.key.is_some()
    }

    /// Every field of every integration as it is now.
    pub async fn resolved(&self) -> Result<Resolved, IntegrationsError> {
        let stored = db::values(&self.pool).await?;
        let mut by_field: HashMap<(IntegrationKey, &str), &db::StoredValue> = HashMap::new();
        for v in &stored {
            by_field.insert((v.integration, v.field.as_str()), v);
        }
        let mut fields = HashMap::new();
        for (key, spec) in seatsync_domain::integration::all_fields() {
            let row = by_field.get(&(key, spec.name)).copied();
            let stored_value = match row {
                Some(row) => self.read_stored(row)?,
                None => None,
            };
            let environment = self.config.environment.get(spec.env).map(String::as_str);
            let (value, source) = resolve(spec, environment, stored_value.as_deref());
            let (set_at, set_by) = match row {
                Some(r) => (Some(r.set_at), r.set_by_name.clone()),
                None => (None, None),
            };
            fields.insert((key, spec.name), ResolvedField { value: value.map(str::to_string), source, set_at, set_by });
        }
        Ok(Resolved { fields })
    }

    fn read_stored(&self, row: &db::StoredValue) -> Result<Option<String>, IntegrationsError> {
        if let Some(plain) = &row.plain_value {
            return Ok(Some(plain.clone()));
        }
        let (Some(sealed), Some(key_id)) = (&row.secret_value, &row.key_id) else {
            return Ok(None);
        };
        let key = self.config.key.as_ref().ok_or_else(|| IntegrationsError::Key {
            var: SECRETS_KEY_VAR,
            problem: format!("is not set, but secrets are stored in the database ({}: {})", row.integration, row.field),
        })?;
        if key.id() != key_id {
            return Err(wrong_key(key, key_id));
        }
        key.open(&context(row.integration, &row.field), sealed).map(Some).map_err(|e| IntegrationsError::Key {
            var: SECRETS_KEY_VAR,
            problem: format!("the stored secret {} of {} cannot be read: {e}", row.field, row.integration.name()),
        })
    }

    /// At start: every stored secret must open with the key; those under the previous key are
    /// re-encrypted with the new one (in one transaction, so two instances starting at once
    /// do it once).
    async fn check_keys(&self) -> Result<(), IntegrationsError> {
        let mut tx = self.pool.begin().await?;
        let secrets = db::lock_secrets(&mut tx).await?;
        if secrets.is_empty() {
            return Ok(());
        }
        let Some(key) = &self.config.key else {
            return Err(IntegrationsError::Key {
                var: SECRETS_KEY_VAR,
                problem: format!(
                    "is required: {} integration secret(s) are stored encrypted in the database; set the key they were saved with ({})",
                    secrets.len(),
                    SecretsKey::EXPECTED
                ),
            });
        };
        let mut rotated: Vec<IntegrationKey> = Vec::new();
        for row in &secrets {
            let (Some(sealed), Some(key_id)) = (&row.secret_value, &row.key_id) else { continue };
            let place = context(row.integration, &row.field);
            if key_id == key.id() {
                key.open(&place, sealed).map_err(|e| IntegrationsError::Key {
                    var: SECRETS_KEY_VAR,
                    problem: format!(
                        "the stored secret {} of {} cannot be read: {e}",
                        row.field,
                        row.integration.name()
                    ),
                })?;
                continue;
            }
            let previous = self.config.previous_key.as_ref().filter(|p| p.id() == key_id);
            let Some(previous) = previous else {
                return Err(wrong_key(key, key_id));
            };
            let plain = previous.open(&place, sealed).map_err(|e| IntegrationsError::Key {
                var: PREVIOUS_SECRETS_KEY_VAR,
                problem: format!("the stored secret {} of {} cannot be read: {e}", row.field, row.integration.name()),
            })?;
            db::reencrypt(&mut *tx, row.integration, &row.field, &key.seal(&place, &plain), key.id()).await?;
            if !rotated.contains(&row.integration) {
                rotated.push(row.integration);
            }
        }
        for integration in &rotated {
            db::record(
                &mut *tx,
                NewAuditEntry {
                    integration: *integration,
                    field: None,
                    action: IntegrationAction::Rotated,
                    old_value: None,
                    new_value: None,
                    by: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        if !rotated.is_empty() {
            tracing::info!(integrations = ?rotated, key = key.id(), "stored secrets re-encrypted with the new key; {PREVIOUS_SECRETS_KEY_VAR} can be removed");
        }
        Ok(())
    }

    /// Saves an Admin's changes to one integration in one transaction, audits each, and
    /// rebuilds the clients. Nothing is saved when any change is refused.
    pub async fn save(
        &self,
        by: Option<Uuid>,
        integration: IntegrationKey,
        changes: &[FieldChange],
    ) -> Result<usize, IntegrationsError> {
        let mut checked = Vec::new();
        for change in changes {
            let spec = integration.field(&change.field).ok_or_else(|| {
                IntegrationsError::Invalid(format!("{} has no field '{}'.", integration.name(), change.field))
            })?;
            if self.config.environment.get(spec.env).is_some_and(|v| !v.trim().is_empty()) {
                return Err(IntegrationsError::Invalid(format!(
                    "{} is set by the environment variable {}, which wins over this page: change it there, or remove it to manage it here.",
                    spec.label, spec.env
                )));
            }
            let value = match change.value.as_deref() {
                None => None,
                Some(raw) => Some(spec.check(raw).map_err(IntegrationsError::Invalid)?),
            };
            if spec.is_secret() && value.is_some() && self.config.key.is_none() {
                return Err(IntegrationsError::Invalid(format!(
                    "{} is a secret, and secrets are saved only encrypted: set {SECRETS_KEY_VAR} on the server ({}) and restart it first.",
                    spec.label,
                    SecretsKey::EXPECTED
                )));
            }
            checked.push((spec, value));
        }
        let mut tx = self.pool.begin().await?;
        let mut changed = 0;
        for (spec, value) in checked {
            let before = db::lock_value(&mut tx, integration, spec.name).await?;
            let old_plain = before.as_ref().and_then(|b| b.plain_value.clone());
            match value {
                None => {
                    if db::clear_value(&mut *tx, integration, spec.name).await? {
                        let old = (!spec.is_secret()).then_some(old_plain.as_deref()).flatten();
                        audit(&mut tx, integration, spec, IntegrationAction::Cleared, old, None, by).await?;
                        changed += 1;
                    }
                }
                Some(value) => {
                    if !spec.is_secret() && old_plain.as_deref() == Some(value.as_str()) {
                        continue;
                    }
                    let new = match (spec.is_secret(), &self.config.key) {
                        (true, Some(key)) => NewValue::Encrypted {
                            ciphertext: key.seal(&context(integration, spec.name), &value),
                            key_id: key.id().to_string(),
                        },
                        _ => NewValue::Plain(value.clone()),
                    };
                    db::set_value(&mut *tx, integration, spec.name, &new, by).await?;
                    let (old, new_value) =
                        if spec.is_secret() { (None, None) } else { (old_plain.as_deref(), Some(value.as_str())) };
                    audit(&mut tx, integration, spec, IntegrationAction::Set, old, new_value, by).await?;
                    changed += 1;
                }
            }
        }
        tx.commit().await?;
        if changed > 0 {
            tracing::info!(integration = integration.as_str(), fields = changed, "integration settings changed");
            self.refresh().await?;
        }
        Ok(changed)
    }

    /// Rebuilds the clients when any integration changed since they were built (here or on
    /// another instance). Cheap when nothing changed: one small query.
    pub async fn refresh(&self) -> Result<bool, IntegrationsError> {
        let mut built_at = self.built_at.lock().await;
        let version = db::version(&self.pool).await?;
        if *built_at == Some(version) {
            return Ok(false);
        }
        let resolved = self.resolved().await?;
        clients::rebuild(&self.pool, &resolved, &self.slots, self.config.sync_concurrency)?;
        *built_at = Some(version);
        Ok(true)
    }

    /// Keeps this instance's clients in step with changes saved on other instances.
    pub fn watch(self: &Arc<Self>, every: Duration) {
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(this) = this.upgrade() else { return };
                match this.refresh().await {
                    Ok(true) => tracing::info!("integration settings changed elsewhere: clients rebuilt"),
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "integration settings could not be re-read; the clients stay as they were")
                    }
                }
            }
        });
    }

    /// The newest changes to one integration.
    pub async fn history(&self, integration: IntegrationKey, limit: i64) -> Result<Vec<db::AuditEntry>, DbError> {
        db::history(&self.pool, integration, limit).await
    }
}

fn wrong_key(key: &SecretsKey, stored_id: &str) -> IntegrationsError {
    IntegrationsError::Key {
        var: SECRETS_KEY_VAR,
        problem: format!(
            "is not the key the stored integration secrets were saved with (they name key {stored_id}; this key is {}). Set the key they were saved with; to change keys, set the old one as {PREVIOUS_SECRETS_KEY_VAR} and the new one as {SECRETS_KEY_VAR} for one start",
            key.id()
        ),
    }
}

/// Binds a ciphertext to its integration and field.
fn context(integration: IntegrationKey, field: &str) -> String {
    format!("{}/{field}", integration.as_str())
}

async fn audit(
    tx: &mut sqlx::PgConnection,
    integration: IntegrationKey,
    spec: &FieldSpec,
    action: IntegrationAction,
    old_value: Option<&str>,
    new_value: Option<&str>,
    by: Option<Uuid>,
) -> Result<(), DbError> {
    db::record(&mut *tx, NewAuditEntry { integration, field: Some(spec.name), action, old_value, new_value, by }).await
}
