//! Staff accounts: created at first sign-in, refreshed at every sign-in; the roles Admins give,
//! block or hand out before a first sign-in; and the history of every change to who may do what.

use chrono::{DateTime, Timelike, Utc};
use seatsync_domain::{role::effective_role, AccessChange, OverrideSource, Role, RoleOrigin};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::DbError;

/// A member of staff as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub subject: String,
    pub email: String,
    pub display_name: String,
    pub claimed_role: Option<Role>,
    pub role_override: Option<Role>,
    pub override_source: Option<OverrideSource>,
    pub role_changed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: DateTime<Utc>,
    /// Blocked users are signed out at their next request and cannot sign in.
    pub blocked_at: Option<DateTime<Utc>>,
    /// Sessions that began before this have ended.
    pub sessions_revoked_at: Option<DateTime<Utc>>,
}

impl User {
    /// The role this user acts with now; `None` means signed in but allowed nothing.
    pub fn role(&self) -> Option<Role> {
        effective_role(self.claimed_role, self.role_override)
    }

    pub fn role_origin(&self) -> RoleOrigin {
        RoleOrigin::of(self.claimed_role, self.role_override, self.override_source)
    }

    pub fn is_blocked(&self) -> bool {
        self.blocked_at.is_some()
    }

    /// Whether a session begun at `signed_in_at` may still be used: the user is not blocked and
    /// the session began after the last "sign out everywhere" (a session begun in the same
    /// millisecond, which only a sign-in racing the revocation can be, is kept).
    pub fn session_is_valid(&self, signed_in_at: DateTime<Utc>) -> bool {
        !self.is_blocked()
            && self.sessions_revoked_at.is_none_or(|revoked| {
                signed_in_at >= revoked.with_nanosecond(revoked.nanosecond() / 1_000_000 * 1_000_000).unwrap_or(revoked)
            })
    }
}

/// The CHECK constraints guarantee these parse; an unparsable value can only come from a hand
/// edit, and then granting nothing is the safe reading.
fn parse_role(v: Option<String>) -> Option<Role> {
    v.and_then(|s| s.parse::<Role>().ok())
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    subject: String,
    email: String,
    display_name: String,
    claimed_role: Option<String>,
    role_override: Option<String>,
    override_source: Option<String>,
    role_changed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    last_sign_in_at: DateTime<Utc>,
    blocked_at: Option<DateTime<Utc>>,
    sessions_revoked_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            subject: r.subject,
            email: r.email,
            display_name: r.display_name,
            claimed_role: parse_role(r.claimed_role),
            role_override: parse_role(r.role_override),
            override_source: r.override_source.as_deref().and_then(OverrideSource::parse),
            role_changed_at: r.role_changed_at,
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
            blocked_at: r.blocked_at,
            sessions_revoked_at: r.sessions_revoked_at,
        }
    }
}

const COLUMNS: &str = "id, subject, email, display_name, claimed_role, role_override, override_source, \
                       role_changed_at, created_at, last_sign_in_at, blocked_at, sessions_revoked_at";

/// Who has just proved their identity, as read from a verified ID token.
#[derive(Debug, Clone)]
pub struct SignIn<'a> {
    pub subject: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub claimed_role: Option<Role>,
    /// The configured bootstrap admin: made Admin when the account is first created.
    pub is_bootstrap_admin: bool,
}

/// One entry of the access history.
struct Event<'a> {
    user_id: Option<Uuid>,
    email: &'a str,
    change: AccessChange,
    before: Option<Role>,
    after: Option<Role>,
    by: Option<Uuid>,
}

async fn record(conn: &mut PgConnection, e: Event<'_>) -> Result<(), DbError> {
    sqlx::query("INSERT INTO user_access_events (user_id, email, change, role_before, role_after, by_user) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(e.user_id)
        .bind(e.email)
        .bind(e.change.as_str())
        .bind(e.before.map(Role::as_str))
        .bind(e.after.map(Role::as_str))
        .bind(e.by)
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates the account at first sign-in or refreshes it; returns it as stored. A first sign-in
/// takes up a role pre-assigned to the address (or the bootstrap Admin role); a claim that
/// differs from the last one is written to the history.
pub async fn record_sign_in(db: &sqlx::PgPool, s: SignIn<'_>) -> Result<User, DbError> {
    let mut tx = db.begin().await?;
    let existing: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE subject = $1 FOR UPDATE"))
            .bind(s.subject)
            .fetch_optional(&mut *tx)
            .await?;
    let user: User = match existing {
        Some(before) => {
            let before: User = before.into();
            let row: UserRow = sqlx::query_as(&format!(
                "UPDATE users SET email = $2, display_name = $3, claimed_role = $4, last_sign_in_at = now()
                 WHERE id = $1 RETURNING {COLUMNS}"
            ))
            .bind(before.id)
            .bind(s.email)
            .bind(s.display_name)
            .bind(s.claimed_role.map(Role::as_str))
            .fetch_one(&mut *tx)
            .await?;
            if before.claimed_role != s.claimed_role {
                let e = Event {
                    user_id: Some(before.id),
                    email: s.email,
                    change: AccessChange::ClaimedRole,
                    before: before.claimed_role,
                    after: s.claimed_role,
                    by: None,
                };
                record(&mut tx, e).await?;
            }
            row.into()
        }
        None => {
            let grant: Option<(String, Uuid)> =
                sqlx::query_as("DELETE FROM role_grants WHERE email = lower($1) RETURNING role, granted_by")
                    .bind(s.email)
                    .fetch_optional(&mut *tx)
                    .await?;
            let grant = grant.and_then(|(role, by)| role.parse::<Role>().ok().map(|r| (r, by)));
            let (role_override, source, changed_by) = match (s.is_bootstrap_admin, grant) {
                (true, _) => (Some(Role::Admin), Some(OverrideSource::Bootstrap), None),
                (false, Some((role, by))) => (Some(role), Some(OverrideSource::PreAssigned), Some(by)),
                (false, None) => (None, None, None),
            };
            let row: UserRow = sqlx::query_as(&format!(
                "INSERT INTO users (id, subject, email, display_name, claimed_role, role_override, override_source, role_changed_by, role_changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END)
                 RETURNING {COLUMNS}"
            ))
            .bind(Uuid::new_v4())
            .bind(s.subject)
            .bind(s.email)
            .bind(s.display_name)
            .bind(s.claimed_role.map(Role::as_str))
            .bind(role_override.map(Role::as_str))
            .bind(source.map(OverrideSource::as_str))
            .bind(changed_by)
            .fetch_one(&mut *tx)
            .await?;
            let user: User = row.into();
            // Events made for the address before the account existed now belong to it.
            sqlx::query(
                "UPDATE user_access_events SET user_id = $1 WHERE user_id IS NULL AND lower(email) = lower($2)",
            )
            .bind(user.id)
            .bind(s.email)
            .execute(&mut *tx)
            .await?;
            if s.claimed_role.is_some() {
                record(
                    &mut tx,
                    Event {
                        user_id: Some(user.id),
                        email: s.email,
                        change: AccessChange::ClaimedRole,
                        before: None,
                        after: s.claimed_role,
                        by: None,
                    },
                )
                .await?;
            }
            let applied = match source {
                Some(OverrideSource::Bootstrap) => Some((AccessChange::BootstrapAdmin, None)),
                Some(OverrideSource::PreAssigned) => Some((AccessChange::PreAssignmentApplied, changed_by)),
                _ => None,
            };
            if let Some((change, by)) = applied {
                record(
                    &mut tx,
                    Event { user_id: Some(user.id), email: s.email, change, before: None, after: role_override, by },
                )
                .await?;
            }
            user
        }
    };
    tx.commit().await?;
    Ok(user)
}

pub async fn find(db: impl PgExecutor<'_>, id: Uuid) -> Result<User, DbError> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_optional(db).await?;
    row.map(Into::into).ok_or(DbError::NotFound)
}

/// Everyone who has signed in, by name.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<User>, DbError> {
    let rows: Vec<UserRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users ORDER BY lower(display_name), lower(email)"))
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Locks the user's row for a change made by an Admin; `NotFound` when there is none.
async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<User, DbError> {
    let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(Into::into).ok_or(DbError::NotFound)
}

/// Sets or clears (`None`) an Admin's override of a user's role.
pub async fn set_role_override(
    db: &sqlx::PgPool,
    id: Uuid,
    role: Option<Role>,
    changed_by: Uuid,
) -> Result<User, DbError> {
    let mut tx = db.begin().await?;
    let before = lock(&mut tx, id).await?;
    let row: UserRow = sqlx::query_as(&format!(
        "UPDATE users SET role_override = $2, override_source = CASE WHEN $2::text IS NULL THEN NULL ELSE 'admin' END,
                          role_changed_by = $3, role_changed_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(role.map(Role::as_str))
    .bind(changed_by)
    .fetch_one(&mut *tx)
    .await?;
    let after: User = row.into();
    let change = if role.is_some() { AccessChange::OverrideSet } else { AccessChange::OverrideCleared };
    record(
        &mut tx,
        Event {
            user_id: Some(id),
            email: &after.email,
            change,
            before: before.role(),
            after: after.role(),
            by: Some(changed_by),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Blocks a user (every session ends at its next request, sign-in is refused) or lifts the block.
pub async fn set_blocked(db: &sqlx::PgPool, id: Uuid, blocked: bool, by: Uuid) -> Result<User, DbError> {
    let mut tx = db.begin().await?;
    let before = lock(&mut tx, id).await?;
    if before.is_blocked() == blocked {
        tx.commit().await?;
        return Ok(before);
    }
    let row: UserRow = sqlx::query_as(&format!(
        "UPDATE users SET blocked_at = CASE WHEN $2 THEN now() ELSE NULL END, blocked_by = CASE WHEN $2 THEN $3 ELSE NULL END
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(blocked)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    let change = if blocked { AccessChange::Blocked } else { AccessChange::Unblocked };
    record(
        &mut tx,
        Event {
            user_id: Some(id),
            email: &before.email,
            change,
            before: before.role(),
            after: before.role(),
            by: Some(by),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Ends every session the user has now, on every device ("sign out everywhere").
pub async fn revoke_sessions(db: &sqlx::PgPool, id: Uuid, by: Uuid) -> Result<User, DbError> {
    let mut tx = db.begin().await?;
    let before = lock(&mut tx, id).await?;
    let row: UserRow =
        sqlx::query_as(&format!("UPDATE users SET sessions_revoked_at = now() WHERE id = $1 RETURNING {COLUMNS}"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    record(
        &mut tx,
        Event {
            user_id: Some(id),
            email: &before.email,
            change: AccessChange::SignedOutEverywhere,
            before: None,
            after: None,
            by: Some(by),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// A role waiting for an address's first sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub email: String,
    pub role: Role,
    pub granted_by_name: Option<String>,
    pub granted_at: DateTime<Utc>,
}

/// What giving a role to an address did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantOutcome {
    /// Nobody has signed in with the address yet: it waits for the first sign-in.
    Waiting(RoleGrant),
    /// Someone already has: their role was set at once.
    Applied(User),
}

/// Gives `role` to whoever signs in with `email`. Applied at once when the address already
/// belongs to a user.
pub async fn grant_role(db: &sqlx::PgPool, email: &str, role: Role, by: Uuid) -> Result<GrantOutcome, DbError> {
    let email = email.trim().to_lowercase();
    let existing: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = $1 ORDER BY last_sign_in_at DESC LIMIT 1")
            .bind(&email)
            .fetch_optional(db)
            .await?;
    if let Some(id) = existing {
        return Ok(GrantOutcome::Applied(set_role_override(db, id, Some(role), by).await?));
    }
    let mut tx = db.begin().await?;
    let before: Option<String> = sqlx::query_scalar("SELECT role FROM role_grants WHERE email = $1 FOR UPDATE")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO role_grants (email, role, granted_by) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET role = EXCLUDED.role, granted_by = EXCLUDED.granted_by, granted_at = now()",
    )
    .bind(&email)
    .bind(role.as_str())
    .bind(by)
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        Event {
            user_id: None,
            email: &email,
            change: AccessChange::PreAssigned,
            before: parse_role(before),
            after: Some(role),
            by: Some(by),
        },
    )
    .await?;
    tx.commit().await?;
    let grant = grants(db).await?.into_iter().find(|g| g.email == email).ok_or(DbError::NotFound)?;
    Ok(GrantOutcome::Waiting(grant))
}

/// Withdraws a role waiting for an address; `NotFound` when none waits.
pub async fn withdraw_grant(db: &sqlx::PgPool, email: &str, by: Uuid) -> Result<(), DbError> {
    let email = email.trim().to_lowercase();
    let mut tx = db.begin().await?;
    let role: Option<String> = sqlx::query_scalar("DELETE FROM role_grants WHERE email = $1 RETURNING role")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(role) = role else { return Err(DbError::NotFound) };
    record(
        &mut tx,
        Event {
            user_id: None,
            email: &email,
            change: AccessChange::PreAssignmentWithdrawn,
            before: parse_role(Some(role)),
            after: None,
            by: Some(by),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    email: String,
    role: String,
    granted_by_name: Option<String>,
    granted_at: DateTime<Utc>,
}

/// Roles waiting for a first sign-in, by address.
pub async fn grants(db: impl PgExecutor<'_>) -> Result<Vec<RoleGrant>, DbError> {
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT g.email, g.role, u.display_name AS granted_by_name, g.granted_at
         FROM role_grants g LEFT JOIN users u ON u.id = g.granted_by ORDER BY g.email",
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(RoleGrant {
                role: r.role.parse().ok()?,
                email: r.email,
                granted_by_name: r.granted_by_name,
                granted_at: r.granted_at,
            })
        })
        .collect())
}

/// One change to a user's access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEvent {
    pub change: AccessChange,
    pub role_before: Option<Role>,
    pub role_after: Option<Role>,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    change: String,
    role_before: Option<String>,
    role_after: Option<String>,
    by_name: Option<String>,
    at: DateTime<Utc>,
}

/// The history of a user's access, newest first.
pub async fn access_history(db: impl PgExecutor<'_>, id: Uuid) -> Result<Vec<AccessEvent>, DbError> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.change, e.role_before, e.role_after, b.display_name AS by_name, e.at
         FROM user_access_events e LEFT JOIN users b ON b.id = e.by_user
         WHERE e.user_id = $1 ORDER BY e.at DESC, e.id DESC",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(AccessEvent {
                change: AccessChange::parse(&r.change)?,
                role_before: parse_role(r.role_before),
                role_after: parse_role(r.role_after),
                by_name: r.by_name,
                at: r.at,
            })
        })
        .collect())
}
