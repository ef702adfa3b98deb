//! Staff accounts and their access (the Users page, Admin only).

use seatsync_api_types::{
    me::Me,
    users::{AccessEntry, PendingGrant, UserRow, UsersView},
};
use seatsync_db::users::{self, GrantOutcome, User};
use seatsync_domain::Role;
use uuid::Uuid;

use crate::{ServiceError, Services};

/// A signed-in member of staff, as every server function knows the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// `None`: signed in, but allowed nothing.
    pub role: Option<Role>,
}

impl From<User> for Staff {
    fn from(u: User) -> Self {
        Staff { id: u.id, role: u.role(), email: u.email, name: u.display_name }
    }
}

impl Staff {
    /// The caller as the page frame shows them.
    pub fn me(&self) -> Me {
        Me { name: self.name.clone(), email: self.email.clone(), role: self.role }
    }
}

fn row(u: User, me: Uuid) -> UserRow {
    UserRow {
        id: u.id.to_string(),
        role: u.role(),
        role_origin: u.role_origin(),
        is_you: u.id == me,
        role_changed_at: u.role_changed_at,
        blocked_at: u.blocked_at,
        name: u.display_name,
        email: u.email,
        claimed_role: u.claimed_role,
        role_override: u.role_override,
        last_sign_in_at: u.last_sign_in_at,
    }
}

fn user_id(text: &str) -> Result<Uuid, ServiceError> {
    text.parse().map_err(|_| ServiceError::Invalid(format!("'{text}' is not a user id.")))
}

const THAT_USER: &str = "That user";

impl Services {
    /// Everyone who has signed in, and the roles waiting for a first sign-in.
    pub async fn users(&self, me: &Staff) -> Result<UsersView, ServiceError> {
        let (list, grants) = tokio::try_join!(users::list(&self.pool), users::grants(&self.pool))?;
        Ok(UsersView {
            users: list.into_iter().map(|u| row(u, me.id)).collect(),
            pending: grants
                .into_iter()
                .map(|g| PendingGrant {
                    email: g.email,
                    role: g.role,
                    granted_by: g.granted_by_name,
                    granted_at: g.granted_at,
                })
                .collect(),
        })
    }

    /// Overrides a user's role, or (`role = None`) goes back to what the identity provider grants.
    pub async fn set_user_role(&self, by: &Staff, user_id: &str, role: Option<Role>) -> Result<UserRow, ServiceError> {
        let id = self::user_id(user_id)?;
        if id == by.id {
            // An Admin demoting themselves could leave nobody able to undo it.
            return Err(ServiceError::Invalid("You cannot change your own role; ask another Admin.".into()));
        }
        let updated =
            users::set_role_override(&self.pool, id, role, by.id).await.map_err(ServiceError::db_missing(THAT_USER))?;
        tracing::info!(by = %by.email, user = %updated.email, role = ?role, "role override changed");
        Ok(row(updated, by.id))
    }

    /// Blocks a user at once (every session ends at its next request, sign-in is refused), or
    /// lifts the block.
    pub async fn set_user_blocked(&self, by: &Staff, user_id: &str, blocked: bool) -> Result<UserRow, ServiceError> {
        let id = self::user_id(user_id)?;
        if id == by.id && blocked {
            return Err(ServiceError::Invalid("You cannot block yourself; ask another Admin.".into()));
        }
        let updated =
            users::set_blocked(&self.pool, id, blocked, by.id).await.map_err(ServiceError::db_missing(THAT_USER))?;
        tracing::info!(by = %by.email, user = %updated.email, blocked, "user access changed");
        Ok(row(updated, by.id))
    }

    /// Ends every session the user has, on every device; they can sign in again.
    pub async fn sign_out_everywhere(&self, by: &Staff, user_id: &str) -> Result<UserRow, ServiceError> {
        let id = self::user_id(user_id)?;
        let updated =
            users::revoke_sessions(&self.pool, id, by.id).await.map_err(ServiceError::db_missing(THAT_USER))?;
        tracing::info!(by = %by.email, user = %updated.email, "every session of the user ended");
        Ok(row(updated, by.id))
    }

    /// Gives a role to whoever signs in with `email` (at once when someone already has); what
    /// happened, in words.
    pub async fn grant_role(&self, by: &Staff, email: &str, role: Role) -> Result<String, ServiceError> {
        let email = email.trim();
        if !seatsync_domain::email::plausible_address(email) {
            return Err(ServiceError::Invalid(format!("'{email}' is not an e-mail address.")));
        }
        if email.eq_ignore_ascii_case(&by.email) {
            return Err(ServiceError::Invalid("You cannot change your own role; ask another Admin.".into()));
        }
        let outcome = users::grant_role(&self.pool, email, role, by.id).await?;
        tracing::info!(by = %by.email, %email, ?role, "role given to an address");
        Ok(match outcome {
            GrantOutcome::Applied(u) => {
                format!(
                    "{} has signed in before: they act as {} from their next request.",
                    u.display_name,
                    role.label()
                )
            }
            GrantOutcome::Waiting(g) => format!("{} will be {} from their first sign-in.", g.email, g.role.label()),
        })
    }

    /// Withdraws a role waiting for an address's first sign-in.
    pub async fn withdraw_grant(&self, by: &Staff, email: &str) -> Result<(), ServiceError> {
        let waiting = format!("A role waiting for '{}'", email.trim());
        users::withdraw_grant(&self.pool, email, by.id).await.map_err(ServiceError::db_missing(&waiting))
    }

    /// Every change to a user's access, newest first.
    pub async fn access_history(&self, user_id: &str) -> Result<Vec<AccessEntry>, ServiceError> {
        let id = self::user_id(user_id)?;
        users::find(&self.pool, id).await.map_err(ServiceError::db_missing(THAT_USER))?;
        Ok(users::access_history(&self.pool, id)
            .await?
            .into_iter()
            .map(|e| AccessEntry {
                change: e.change,
                what: e.change.describe(e.role_before, e.role_after),
                by: e.by_name,
                at: e.at,
            })
            .collect())
    }
}
