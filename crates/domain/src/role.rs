//! Staff roles and how they are derived from the identity provider's `roles` claim.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// What a signed-in member of staff may do. Ordered: every role may do what the ones below it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Browses every page; changes nothing.
    Viewer,
    /// Edits mappings and acts on contracts.
    Editor,
    /// Settings, integrations, users, and the few things only some may see.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Admin];

    /// Whether a holder of `self` may do what needs `required`.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Editor => "Editor",
            Role::Admin => "Admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The text was not one of `viewer`, `editor` or `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role; expected viewer, editor or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            _ => Err(UnknownRole(s.to_string())),
        }
    }
}

/// Maps the app-role values found in the ID token's `roles` claim to SeatSync roles.
///
/// Entra ID puts the *value* of each app role assigned to the user into `roles`; tenants name
/// those values as they like, so the mapping is configuration, e.g.
/// `SeatSync.Admin=admin,SeatSync.Editor=editor,SeatSync.Viewer=viewer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleMap {
    entries: Vec<(String, Role)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleMapError {
    #[error("entry '{0}' is not of the form CLAIM_VALUE=ROLE")]
    Malformed(String),
    #[error("entry '{entry}': {source}")]
    UnknownRole { entry: String, source: UnknownRole },
    #[error("the claim value '{0}' is mapped twice")]
    Duplicate(String),
    #[error("the mapping is empty; map at least one claim value to a role")]
    Empty,
}

impl RoleMap {
    /// Parses `VALUE=ROLE` pairs separated by commas. Claim values compare case-sensitively,
    /// as Entra ID does.
    pub fn parse(text: &str) -> Result<Self, RoleMapError> {
        let mut entries: Vec<(String, Role)> = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (claim, role) = entry.split_once('=').ok_or_else(|| RoleMapError::Malformed(entry.to_string()))?;
            let claim = claim.trim();
            if claim.is_empty() {
                return Err(RoleMapError::Malformed(entry.to_string()));
            }
            let role = role.parse().map_err(|source| RoleMapError::UnknownRole { entry: entry.to_string(), source })?;
            if entries.iter().any(|(c, _)| c == claim) {
                return Err(RoleMapError::Duplicate(claim.to_string()));
            }
            entries.push((claim.to_string(), role));
        }
        if entries.is_empty() {
            return Err(RoleMapError::Empty);
        }
        Ok(Self { entries })
    }

    /// The highest role any of the claim values grants; `None` when no value is mapped.
    pub fn role_for<S: AsRef<str>>(&self, claim_values: &[S]) -> Option<Role> {
        claim_values
            .iter()
            .filter_map(|v| self.entries.iter().find(|(claim, _)| claim == v.as_ref()).map(|(_, role)| *role))
            .max()
    }
}

/// The role a user acts with: an Admin's override wins over what the identity provider says.
pub fn effective_role(claimed: Option<Role>, override_role: Option<Role>) -> Option<Role> {
    override_role.or(claimed)
}

/// Who set a role that wins over the identity provider's claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideSource {
    /// An Admin chose it on the Users page.
    Admin,
    /// `SEATSYNC_BOOTSTRAP_ADMIN_EMAIL` named the user: Admin from the first sign-in.
    Bootstrap,
    /// An Admin gave it to the e-mail address before the user's first sign-in.
    PreAssigned,
}

impl OverrideSource {
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideSource::Admin => "admin",
            OverrideSource::Bootstrap => "bootstrap",
            OverrideSource::PreAssigned => "pre_assigned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(OverrideSource::Admin),
            "bootstrap" => Some(OverrideSource::Bootstrap),
            "pre_assigned" => Some(OverrideSource::PreAssigned),
            _ => None,
        }
    }
}

/// Where the role a user acts with comes from, for the Users page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleOrigin {
    /// The `roles` claim of the last sign-in, through the role map.
    IdentityProvider,
    Override(OverrideSource),
    /// Neither: the user may sign in and do nothing.
    Nothing,
}

impl RoleOrigin {
    pub fn of(claimed: Option<Role>, override_role: Option<Role>, source: Option<OverrideSource>) -> Self {
        match (override_role, claimed) {
            (Some(_), _) => RoleOrigin::Override(source.unwrap_or(OverrideSource::Admin)),
            (None, Some(_)) => RoleOrigin::IdentityProvider,
            (None, None) => RoleOrigin::Nothing,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoleOrigin::IdentityProvider => "Entra ID app role",
            RoleOrigin::Override(OverrideSource::Admin) => "Admin override",
            RoleOrigin::Override(OverrideSource::Bootstrap) => "Bootstrap admin (configuration)",
            RoleOrigin::Override(OverrideSource::PreAssigned) => "Pre-assigned before first sign-in",
            RoleOrigin::Nothing => "No role",
        }
    }
}

/// One change to who may do what, as the access history lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessChange {
    /// The identity provider's claim changed at a sign-in (or was first seen).
    ClaimedRole,
    OverrideSet,
    OverrideCleared,
    BootstrapAdmin,
    PreAssigned,
    PreAssignmentWithdrawn,
    /// A pre-assigned role took effect at the first sign-in.
    PreAssignmentApplied,
    Blocked,
    Unblocked,
    SignedOutEverywhere,
}

impl AccessChange {
    pub const ALL: [AccessChange; 10] = [
        AccessChange::ClaimedRole,
        AccessChange::OverrideSet,
        AccessChange::OverrideCleared,
        AccessChange::BootstrapAdmin,
        AccessChange::PreAssigned,
        AccessChange::PreAssignmentWithdrawn,
        AccessChange::PreAssignmentApplied,
        AccessChange::Blocked,
        AccessChange::Unblocked,
        AccessChange::SignedOutEverywhere,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessChange::ClaimedRole => "claimed_role",
            AccessChange::OverrideSet => "override_set",
            AccessChange::OverrideCleared => "override_cleared",
            AccessChange::BootstrapAdmin => "bootstrap_admin",
            AccessChange::PreAssigned => "pre_assigned",
            AccessChange::PreAssignmentWithdrawn => "pre_assignment_withdrawn",
            AccessChange::PreAssignmentApplied => "pre_assignment_applied",
            AccessChange::Blocked => "blocked",
            AccessChange::Unblocked => "unblocked",
            AccessChange::SignedOutEverywhere => "signed_out_everywhere",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// What happened, in words; `before` and `after` are the roles around the change.
    pub fn describe(self, before: Option<Role>, after: Option<Role>) -> String {
        let role = |r: Option<Role>| r.map(Role::label).unwrap_or("no role");
        match self {
            AccessChange::ClaimedRole => format!("Entra ID grants {} (was {})", role(after), role(before)),
            AccessChange::OverrideSet => format!("Role set to {} (was {})", role(after), role(before)),
            AccessChange::OverrideCleared => {
                format!("Override removed: back to what Entra ID grants (was {})", role(before))
            }
            AccessChange::BootstrapAdmin => "Made Admin at first sign-in by the bootstrap setting".into(),
            AccessChange::PreAssigned => format!("{} pre-assigned to this address", role(after)),
            AccessChange::PreAssignmentWithdrawn => format!("Pre-assigned {} withdrawn", role(before)),
            AccessChange::PreAssignmentApplied => format!("Pre-assigned {} took effect at first sign-in", role(after)),
            AccessChange::Blocked => "Blocked: every session ended, sign-in refused".into(),
            AccessChange::Unblocked => "Unblocked: may sign in again".into(),
            AccessChange::SignedOutEverywhere => "Signed out on every device".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn map() -> RoleMap {
        RoleMap::parse("SeatSync.Admin=admin, SeatSync.Editor=editor,SeatSync.Viewer=viewer").unwrap()
    }

    #[test]
    fn highest_mapped_role_wins() {
        assert_eq!(map().role_for(&["SeatSync.Viewer", "SeatSync.Admin"]), Some(Role::Admin));
        assert_eq!(map().role_for(&["SeatSync.Editor"]), Some(Role::Editor));
    }

    #[test]
    fn unmapped_or_missing_claims_grant_nothing() {
        assert_eq!(map().role_for::<&str>(&[]), None);
        assert_eq!(map().role_for(&["Other.App", "seatsync.admin"]), None);
    }

    #[test]
    fn parse_errors_name_the_entry() {
        assert_eq!(RoleMap::parse("x"), Err(RoleMapError::Malformed("x".into())));
        assert!(matches!(RoleMap::parse("a=boss"), Err(RoleMapError::UnknownRole { .. })));
        assert_eq!(RoleMap::parse("a=admin,a=viewer"), Err(RoleMapError::Duplicate("a".into())));
        assert_eq!(RoleMap::parse(" , "), Err(RoleMapError::Empty));
        assert_eq!(RoleMap::parse("=admin"), Err(RoleMapError::Malformed("=admin".into())));
    }

    #[test]
    fn override_beats_claim() {
        assert_eq!(effective_role(Some(Role::Admin), Some(Role::Viewer)), Some(Role::Viewer));
        assert_eq!(effective_role(None, Some(Role::Editor)), Some(Role::Editor));
        assert_eq!(effective_role(Some(Role::Editor), None), Some(Role::Editor));
        assert_eq!(effective_role(None, None), None);
    }

    #[test]
    fn where_a_role_comes_from() {
        assert_eq!(RoleOrigin::of(Some(Role::Editor), None, None), RoleOrigin::IdentityProvider);
        assert_eq!(
            RoleOrigin::of(Some(Role::Editor), Some(Role::Admin), Some(OverrideSource::Bootstrap)),
            RoleOrigin::Override(OverrideSource::Bootstrap)
        );
        assert_eq!(RoleOrigin::of(None, Some(Role::Viewer), None), RoleOrigin::Override(OverrideSource::Admin));
        assert_eq!(RoleOrigin::of(None, None, Some(OverrideSource::Admin)), RoleOrigin::Nothing);
        for c in AccessChange::ALL {
            assert_eq!(AccessChange::parse(c.as_str()), Some(c));
            assert!(!c.describe(Some(Role::Viewer), Some(Role::Admin)).is_empty());
        }
        for s in [OverrideSource::Admin, OverrideSource::Bootstrap, OverrideSource::PreAssigned] {
            assert_eq!(OverrideSource::parse(s.as_str()), Some(s));
        }
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop_oneof![Just(Role::Viewer), Just(Role::Editor), Just(Role::Admin)]
    }

    proptest! {
        #[test]
        fn allows_is_a_total_order(a in any_role(), b in any_role()) {
            prop_assert!(a.allows(a));
            prop_assert!(a.allows(b) || b.allows(a));
            prop_assert_eq!(a.allows(b) && b.allows(a), a == b);
        }

        #[test]
        fn role_text_round_trips(r in any_role()) {
            prop_assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
            prop_assert_eq!(r.label().parse::<Role>().unwrap(), r);
        }

        #[test]
        fn granted_role_is_one_of_the_mapped(claims in proptest::collection::vec(
            prop_oneof![Just("SeatSync.Admin"), Just("SeatSync.Editor"), Just("SeatSync.Viewer"), Just("Other")], 0..6)) {
            let granted = map().role_for(&claims);
            let mapped: Vec<Role> = claims.iter().filter_map(|c| map().role_for(&[*c])).collect();
            prop_assert_eq!(granted, mapped.iter().copied().max());
        }
    }
}
