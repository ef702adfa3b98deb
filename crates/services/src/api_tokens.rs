//! API tokens (Settings, Admin): a token another system sends as `Authorization: Bearer …` to
//! read billing reports. It is made from 32 random bytes, shown once, and kept only as its
//! SHA-256 (with its first characters, to tell tokens apart); an Admin revokes it at any time.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use seatsync_api_types::api_tokens::{ApiTokenLine, CreatedApiToken};
use seatsync_db::api_tokens::{self, ApiTokenRow, NewToken};
use seatsync_domain::kinds::ApiScope;
use sha2::{Digest, Sha256};

use crate::{ServiceError, Services, Staff};

/// What every token starts with, so one found in a file or a log is recognisable.
const TOKEN_PREFIX: &str = "seatsync_";
/// Characters of a token shown in the list: the prefix and a few more.
const SHOWN_CHARACTERS: usize = TOKEN_PREFIX.len() + 6;

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn scope_words(scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::BillingRead => "read billing reports",
    }
}

fn line(row: ApiTokenRow) -> ApiTokenLine {
    ApiTokenLine {
        id: row.id,
        name: row.name,
        prefix: row.token_prefix,
        scope: row.scope,
        scope_words: scope_words(row.scope).into(),
        created_by: row.created_by,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
        revoked_by: row.revoked_by,
    }
}

impl Services {
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenLine>, ServiceError> {
        Ok(api_tokens::list(&self.pool).await?.into_iter().map(line).collect())
    }

    /// Makes a token that reads billing reports; its value is in the answer and nowhere else.
    pub async fn create_api_token(&self, by: &Staff, name: &str) -> Result<CreatedApiToken, ServiceError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ServiceError::Invalid(
                "Name the token after the system that will use it (up to 100 characters), such as 'Finance workflow'."
                    .into(),
            ));
        }
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
        let record =
            NewToken { name, hash: &hash(&token), prefix: &token[..SHOWN_CHARACTERS], scope: ApiScope::BillingRead };
        let id = api_tokens::insert(&self.pool, &record, by.id).await?;
        tracing::info!(by = %by.email, id, name, "an API token was made");
        let made = api_tokens::list(&self.pool)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| ServiceError::unexpected("reading the new API token", "it was not found"))?;
        Ok(CreatedApiToken { token, line: line(made) })
    }

    /// Revokes a token: it is refused from the next request. In words.
    pub async fn revoke_api_token(&self, by: &Staff, id: i64) -> Result<String, ServiceError> {
        let was_live =
            api_tokens::revoke(&self.pool, id, by.id).await.map_err(ServiceError::db_missing("That token"))?;
        tracing::info!(by = %by.email, id, "an API token was revoked");
        Ok(if was_live {
            "The token was revoked: any system using it is refused from now on.".into()
        } else {
            "The token was already revoked.".into()
        })
    }

    /// The token an `Authorization` header carries, if it is live and has `scope`: its id. `None`
    /// for a missing, malformed, unknown or revoked token, or one without the scope (the caller
    /// answers 401 without saying which).
    pub async fn api_caller(&self, authorization: Option<&str>, scope: ApiScope) -> Result<Option<i64>, ServiceError> {
        let Some(token) = authorization
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| t.starts_with(TOKEN_PREFIX))
        else {
            return Ok(None);
        };
        Ok(api_tokens::use_live(&self.pool, &hash(token)).await?.filter(|(_, s)| *s == scope).map(|(id, _)| id))
    }
}
