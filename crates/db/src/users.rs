//! Staff accounts: created at first sign-in, refreshed at every sign-in.

use chrono::{DateTime, Utc};
use seatsync_domain::{role::effective_role, Role};
use sqlx::PgExecutor;
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
    pub role_changed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: DateTime<Utc>,
}

impl User {
    /// The role this user acts with now; `None` means signed in but allowed nothing.
    pub fn role(&self) -> Option<Role> {
        effective_role(self.claimed_role, self.role_override)
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    subject: String,
    email: String,
    display_name: String,
    claimed_role: Option<String>,
    role_override: Option<String>,
    role_changed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    last_sign_in_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        // The CHECK constraints guarantee these parse; an unparsable value can only come from a
        // hand edit, and then granting nothing is the safe reading.
        let parse = |v: Option<String>| v.and_then(|s| s.parse::<Role>().ok());
        User {
            id: r.id,
            subject: r.subject,
            email: r.email,
            display_name: r.display_name,
            claimed_role: parse(r.claimed_role),
            role_override: parse(r.role_override),
            role_changed_at: r.role_changed_at,
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
        }
    }
}

const COLUMNS: &str = "id, subject, email, display_name, claimed_role, role_override, \
                       role_changed_at, created_at, last_sign_in_at";

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

/// Creates the account at first sign-in or refreshes it; returns it as stored.
pub async fn record_sign_in(db: impl PgExecutor<'_>, s: SignIn<'_>) -> Result<User, DbError> {
    let bootstrap_override = s.is_bootstrap_admin.then_some(Role::Admin.as_str());
    let row: UserRow = sqlx::query_as(&format!(
        "INSERT INTO users (id, subject, email, display_name, claimed_role, role_override)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (subject) DO UPDATE SET
             email = EXCLUDED.email,
             display_name = EXCLUDED.display_name,
             claimed_role = EXCLUDED.claimed_role,
             last_sign_in_at = now()
         RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(s.subject)
    .bind(s.email)
    .bind(s.display_name)
    .bind(s.claimed_role.map(Role::as_str))
    .bind(bootstrap_override)
    .fetch_one(db)
    .await?;
    Ok(row.into())
}

pub async fn find(db: impl PgExecutor<'_>, id: Uuid) -> Result<User, DbError> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(db)
            .await?;
    row.map(Into::into).ok_or(DbError::NotFound)
}

/// Everyone who has signed in, by name.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<User>, DbError> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users ORDER BY lower(display_name), lower(email)"
    ))
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Sets or clears (`None`) an Admin's override of a user's role.
pub async fn set_role_override(
    db: impl PgExecutor<'_>,
    id: Uuid,
    role: Option<Role>,
    changed_by: Uuid,
) -> Result<User, DbError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "UPDATE users SET role_override = $2, role_changed_by = $3, role_changed_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(role.map(Role::as_str))
    .bind(changed_by)
    .fetch_optional(db)
    .await?;
    row.map(Into::into).ok_or(DbError::NotFound)
}
