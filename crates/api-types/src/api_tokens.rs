//! API tokens for other systems (Settings): each token's record, and a new token shown once.

use chrono::{DateTime, Utc};
use seatsync_domain::kinds::ApiScope;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenLine {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to tell tokens apart (never the token).
    pub prefix: String,
    pub scope: ApiScope,
    /// The scope in words.
    pub scope_words: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

/// A token just made: the only time its value is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub token: String,
    pub line: ApiTokenLine,
}
