//! Deliveries (`deliveries`, `delivery_attachments`): the intent of every ticket and e-mail,
//! recorded before anything is sent, and how far each got.

use chrono::{DateTime, Utc};
use seatsync_domain::kinds::{DeliveryChannel, DeliveryStatus, FollowUpKind};
use sqlx::{FromRow, PgExecutor};
use uuid::Uuid;

use crate::DbError;

/// A delivery as recorded.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub dedup_key: String,
    pub channel: DeliveryChannel,
    pub purpose: String,
    pub title: String,
    pub text_body: String,
    pub html_body: Option<String>,
    pub email_to: Option<Vec<String>>,
    /// The PSA's id of the company (Autotask's or ConnectWise's, by `channel`).
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub reference: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub attachments_done: i32,
    pub answer: Option<String>,
    pub error: Option<String>,
    pub requested_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A file of a delivery.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AttachmentRow {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The intent to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery<'a> {
    pub dedup_key: &'a str,
    pub channel: DeliveryChannel,
    pub purpose: &'a str,
    pub title: &'a str,
    pub text_body: &'a str,
    pub html_body: Option<&'a str>,
    pub email_to: Option<&'a [String]>,
    pub company_id: Option<i64>,
    pub company_name: Option<&'a str>,
    pub reference: &'a str,
    pub requested_by: Option<Uuid>,
    pub attachments: &'a [(String, String, Vec<u8>)],
}

const COLUMNS: &str = "d.id, d.dedup_key, d.channel, d.purpose, d.title, d.text_body, d.html_body, d.email_to,
    d.company_id, d.company_name, d.reference, d.status, d.attempts, d.ticket_id, d.ticket_number,
    d.attachments_done, d.answer, d.error, u.display_name AS requested_by_name, d.created_at, d.delivered_at";

/// Records the intent with its files, unless a delivery with the same key exists; either way
/// the delivery's id, and whether it is new.
pub async fn record_intent(pool: &crate::PgPool, new: NewDelivery<'_>) -> Result<(i64, bool), DbError> {
    crate::in_transaction(pool, async |tx| {
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO deliveries (dedup_key, channel, purpose, title, text_body, html_body, email_to,
                 company_id, company_name, reference, status, requested_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11)
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        )
        .bind(new.dedup_key)
        .bind(new.channel)
        .bind(new.purpose)
        .bind(new.title)
        .bind(new.text_body)
        .bind(new.html_body)
        .bind(new.email_to)
        .bind(new.company_id)
        .bind(new.company_name)
        .bind(new.reference)
        .bind(new.requested_by)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = inserted else {
            let id = sqlx::query_scalar("SELECT id FROM deliveries WHERE dedup_key = $1")
                .bind(new.dedup_key)
                .fetch_one(&mut *tx)
                .await?;
            return Ok((id, false));
        };
        for (position, (file_name, content_type, bytes)) in new.attachments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO delivery_attachments (delivery_id, position, file_name, content_type, bytes)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(position as i32)
            .bind(file_name)
            .bind(content_type)
            .bind(bytes)
            .execute(&mut *tx)
            .await?;
        }
        Ok((id, true))
    })
    .await
}

pub async fn find(db: impl PgExecutor<'_>, id: i64) -> Result<DeliveryRow, DbError> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.requested_by WHERE d.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or(DbError::NotFound)
}

pub async fn attachments(db: impl PgExecutor<'_>, id: i64) -> Result<Vec<AttachmentRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT file_name, content_type, bytes FROM delivery_attachments WHERE delivery_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db)
    .await?)
}

/// The newest deliveries, newest first.
pub async fn recent(db: impl PgExecutor<'_>, limit: i64) -> Result<Vec<DeliveryRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.requested_by
         ORDER BY d.created_at DESC, d.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// An attempt begins.
pub async fn begin_attempt(db: impl PgExecutor<'_>, id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE deliveries SET attempts = attempts + 1, error = NULL, updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The ticket exists (created now, or found by its reference).
pub async fn ticket_made(
    db: impl PgExecutor<'_>,
    id: i64,
    ticket_id: i64,
    number: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE deliveries SET ticket_id = $2, ticket_number = $3, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(ticket_id)
        .bind(number)
        .execute(db)
        .await?;
    Ok(())
}

/// One more file is on the ticket.
pub async fn attachment_done(db: impl PgExecutor<'_>, id: i64, done: i32) -> Result<(), DbError> {
    sqlx::query("UPDATE deliveries SET attachments_done = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(done)
        .execute(db)
        .await?;
    Ok(())
}

/// How the attempt ended.
pub async fn finish(
    db: impl PgExecutor<'_>,
    id: i64,
    status: DeliveryStatus,
    answer: Option<&str>,
    error: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE deliveries SET status = $2, answer = coalesce($3, answer), error = $4, updated_at = now(),
             delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(answer)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// How many files each of these deliveries carries.
pub async fn attachment_counts(
    db: impl PgExecutor<'_>,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i32>, DbError> {
    #[derive(FromRow)]
    struct Count {
        delivery_id: i64,
        files: i64,
    }
    let rows: Vec<Count> = sqlx::query_as(
        "SELECT delivery_id, count(*) AS files FROM delivery_attachments WHERE delivery_id = ANY($1) GROUP BY delivery_id",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.delivery_id, r.files as i32)).collect())
}

/// Deliveries still pending that nobody touched for `seconds`: their process stopped.
pub async fn stale_pending(db: impl PgExecutor<'_>, seconds: i64) -> Result<Vec<i64>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE status = 'pending' AND updated_at < now() - make_interval(secs => $1)
         ORDER BY id",
    )
    .bind(seconds as f64)
    .fetch_all(db)
    .await?)
}

/// A follow-up on a delivered ticket, as recorded.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct FollowUpRow {
    pub id: i64,
    pub delivery_id: i64,
    pub dedup_key: String,
    pub kind: FollowUpKind,
    pub title: String,
    pub text_body: String,
    pub reference: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub note_id: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

const FOLLOW_UP_COLUMNS: &str = "id, delivery_id, dedup_key, kind, title, text_body, reference, status, attempts,
    note_id, error, created_at, delivered_at";

/// The intent of a follow-up to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUp<'a> {
    pub delivery_id: i64,
    pub dedup_key: &'a str,
    pub kind: FollowUpKind,
    pub title: &'a str,
    pub text_body: &'a str,
    pub reference: &'a str,
    pub requested_by: Option<Uuid>,
}

/// The delivery recorded under `dedup_key`, if any.
pub async fn find_by_key(db: impl PgExecutor<'_>, dedup_key: &str) -> Result<Option<DeliveryRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.requested_by WHERE d.dedup_key = $1"
    ))
    .bind(dedup_key)
    .fetch_optional(db)
    .await?)
}

/// The deliveries recorded under any of `dedup_keys`, in one query.
pub async fn find_by_keys(db: impl PgExecutor<'_>, dedup_keys: &[String]) -> Result<Vec<DeliveryRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM deliveries d LEFT JOIN users u ON u.id = d.requested_by WHERE d.dedup_key = ANY($1)"
    ))
    .bind(dedup_keys)
    .fetch_all(db)
    .await?)
}

/// Writes a delivery's title and text afresh, only while the PSA refused it and no ticket was
/// made (an uncertain or made ticket keeps what was sent); whether it was written.
pub async fn rewrite_unmade(db: impl PgExecutor<'_>, id: i64, title: &str, text_body: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE deliveries SET title = $2, text_body = $3 WHERE id = $1 AND ticket_id IS NULL AND status = 'failed'",
    )
    .bind(id)
    .bind(title)
    .bind(text_body)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the follow-up unless one with its key exists; its id either way.
pub async fn record_follow_up(db: impl PgExecutor<'_>, new: &NewFollowUp<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "WITH inserted AS (
             INSERT INTO delivery_followups (delivery_id, dedup_key, kind, title, text_body, reference, status, requested_by)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id)
         SELECT id FROM inserted UNION ALL SELECT id FROM delivery_followups WHERE dedup_key = $2 LIMIT 1",
    )
    .bind(new.delivery_id)
    .bind(new.dedup_key)
    .bind(new.kind)
    .bind(new.title)
    .bind(new.text_body)
    .bind(new.reference)
    .bind(new.requested_by)
    .fetch_one(db)
    .await?)
}

pub async fn find_follow_up(db: impl PgExecutor<'_>, id: i64) -> Result<FollowUpRow, DbError> {
    sqlx::query_as(&format!("SELECT {FOLLOW_UP_COLUMNS} FROM delivery_followups WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(DbError::NotFound)
}

/// The follow-ups of every delivery in `delivery_ids`, each delivery's oldest first, in one query.
pub async fn follow_ups_of_all(db: impl PgExecutor<'_>, delivery_ids: &[i64]) -> Result<Vec<FollowUpRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {FOLLOW_UP_COLUMNS} FROM delivery_followups WHERE delivery_id = ANY($1) ORDER BY delivery_id, id"
    ))
    .bind(delivery_ids)
    .fetch_all(db)
    .await?)
}

/// The follow-ups of a delivery, oldest first.
pub async fn follow_ups_of(db: impl PgExecutor<'_>, delivery_id: i64) -> Result<Vec<FollowUpRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {FOLLOW_UP_COLUMNS} FROM delivery_followups WHERE delivery_id = $1 ORDER BY id"
    ))
    .bind(delivery_id)
    .fetch_all(db)
    .await?)
}

pub async fn begin_follow_up_attempt(db: impl PgExecutor<'_>, id: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE delivery_followups SET attempts = attempts + 1, error = NULL, updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// The note is on the ticket (added now, or found by its reference).
pub async fn note_made(db: impl PgExecutor<'_>, id: i64, note_id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE delivery_followups SET note_id = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(note_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn finish_follow_up(
    db: impl PgExecutor<'_>,
    id: i64,
    status: DeliveryStatus,
    error: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE delivery_followups SET status = $2, error = $3, updated_at = now(),
             delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}

/// Follow-ups still pending that nobody touched for `seconds`: their process stopped.
pub async fn stale_pending_follow_ups(db: impl PgExecutor<'_>, seconds: i64) -> Result<Vec<i64>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM delivery_followups
         WHERE status = 'pending' AND updated_at < now() - make_interval(secs => $1) ORDER BY id",
    )
    .bind(seconds as f64)
    .fetch_all(db)
    .await?)
}
