//! The integrations as the Integrations page shows them: values that are not secret, and for a
//! secret only whether it is set, when and by whom.

use seatsync_api_types::settings::{
    FieldInfo, FieldInput, FieldSource, IntegrationChange, IntegrationDetail, IntegrationInfo,
};
use seatsync_domain::{
    integration::{FieldKind, ValueSource},
    kinds::IntegrationKey,
};

use crate::{Integrations, IntegrationsError, Resolved};

/// How many changes an integration's page lists.
const HISTORY_LENGTH: i64 = 50;

impl Resolved {
    pub fn info(&self, key: IntegrationKey) -> IntegrationInfo {
        let endpoint = match key {
            IntegrationKey::Autotask => self.get(key, "zone_url").map(str::to_string),
            IntegrationKey::Pax8 => self.get(key, "api_url").map(str::to_string),
            IntegrationKey::Smtp => {
                self.get(key, "host").map(|h| format!("{h}:{}", self.get(key, "port").unwrap_or("587")))
            }
            _ => self.get(key, "base_url").map(str::to_string),
        };
        IntegrationInfo {
            key,
            name: key.name().into(),
            used_by: key.used_by().iter().map(|s| s.to_string()).collect(),
            endpoint,
            configured: self.is_configured(key),
            missing: self.missing(key).into_iter().map(|f| f.label.to_string()).collect(),
            // Every integration has a client with a harmless call (the billing tools may not).
            testable: true,
        }
    }

    pub fn infos(&self) -> Vec<IntegrationInfo> {
        IntegrationKey::ALL.into_iter().map(|k| self.info(k)).collect()
    }

    fn fields(&self, key: IntegrationKey) -> Vec<FieldInfo> {
        key.fields()
            .iter()
            .map(|spec| {
                let resolved = self.field(key, spec.name).cloned().unwrap_or(crate::ResolvedField {
                    value: None,
                    source: ValueSource::Unset,
                    set_at: None,
                    set_by: None,
                });
                let source = match resolved.source {
                    ValueSource::Environment => FieldSource::Environment,
                    ValueSource::Stored => FieldSource::Stored,
                    ValueSource::Default => FieldSource::Default,
                    ValueSource::Unset => FieldSource::Unset,
                };
                FieldInfo {
                    name: spec.name.into(),
                    label: spec.label.into(),
                    help: spec.help.into(),
                    input: match spec.kind {
                        FieldKind::Text => FieldInput::Text,
                        FieldKind::Url => FieldInput::Url,
                        FieldKind::Secret => FieldInput::Secret,
                        FieldKind::Email => FieldInput::Email,
                        FieldKind::Port
                        | FieldKind::Percent
                        | FieldKind::Megabytes
                        | FieldKind::PerMinute
                        | FieldKind::RecordId => FieldInput::Number,
                        FieldKind::Choice(choices) => {
                            FieldInput::Choice(choices.iter().map(|c| c.to_string()).collect())
                        }
                    },
                    required: spec.required,
                    env: spec.env.into(),
                    source,
                    is_set: resolved.value.is_some(),
                    // Never a secret's value, whatever its source.
                    value: if spec.is_secret() { None } else { resolved.value },
                    default: spec.default.map(str::to_string),
                    set_at: resolved.set_at,
                    set_by: resolved.set_by,
                }
            })
            .collect()
    }
}

impl Integrations {
    /// One integration's page: its fields, where each value comes from, and its history.
    pub async fn detail(&self, key: IntegrationKey) -> Result<IntegrationDetail, IntegrationsError> {
        let resolved = self.resolved().await?;
        let history = self
            .history(key, HISTORY_LENGTH)
            .await?
            .into_iter()
            .map(|e| IntegrationChange {
                at: e.at,
                field: e.field.map(|f| key.field(&f).map(|s| s.label.to_string()).unwrap_or(f)),
                action: e.action,
                old_value: e.old_value,
                new_value: e.new_value,
                by: e.by_name,
            })
            .collect();
        Ok(IntegrationDetail {
            info: resolved.info(key),
            fields: resolved.fields(key),
            history,
            secrets_can_be_stored: self.secrets_can_be_stored(),
        })
    }
}
