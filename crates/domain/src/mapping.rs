//! A mapping: what a tenant is billed as (an Autotask company) or an offer through (an Autotask
//! service), or that it is deliberately left out. One enum for every layer: `db` stores it, the
//! contract rules read it, and the pages receive its [`MappingState`].

use serde::{Deserialize, Serialize};

use crate::ids::{CompanyId, ServiceId};

/// Where a mapping stands, without what it points at: what a page shows and filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MappingState {
    Mapped,
    Ignored,
    Unmapped,
}

impl MappingState {
    pub fn label(self) -> &'static str {
        match self {
            MappingState::Mapped => "Mapped",
            MappingState::Ignored => "Ignored",
            MappingState::Unmapped => "Not mapped",
        }
    }
}

/// A mapping to a record of kind `Id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Mapping<Id> {
    /// Not decided yet: someone should map or ignore it.
    Unmapped,
    /// Billed as, or through, the record with this id.
    Mapped { id: Id },
    /// Deliberately never pushed to the PSA (the MSP's own tenant, a free or trial offer).
    Ignored,
}

/// How a customer tenant is mapped to a PSA company.
pub type TenantMapping = Mapping<CompanyId>;

/// How an offer is mapped to a PSA service.
pub type ServiceMapping = Mapping<ServiceId>;

impl<Id> Mapping<Id> {
    pub fn state(&self) -> MappingState {
        match self {
            Mapping::Unmapped => MappingState::Unmapped,
            Mapping::Mapped { .. } => MappingState::Mapped,
            Mapping::Ignored => MappingState::Ignored,
        }
    }

    /// The record mapped to, if any.
    pub fn id(&self) -> Option<&Id> {
        match self {
            Mapping::Mapped { id } => Some(id),
            _ => None,
        }
    }
}
