//! HaloPSA's API (shared/docs/vendor-apis.md, section 5): a client-credentials token from
//! `{instance}/auth/token` (form-encoded, `?tenant=` for hosted instances, scope `all`), then
//! `{instance}/api/…` with a bearer token. The connection check reads the ticket types (the list
//! the ticket default is chosen from); the delivery service opens tickets (posted as a JSON array),
//! adds private notes (actions) in HTML, attaches files in base64 and closes a ticket by posting it
//! again with the closed status. Creates are never retried blindly: the
//! caller searches for its reference first.

use std::{sync::Arc, time::Duration};

use serde::Deserialize;
use url::Url;

use crate::{http, partner_center::BoxFuture, token::TokenCache, VendorError};

const VENDOR: &str = "HaloPSA";

#[derive(Debug, Clone)]
pub struct HaloSettings {
    /// The instance, `https://yourcompany.halopsa.com`.
    pub base_url: Url,
    /// Hosted instances only.
    pub tenant: Option<String>,
    /// The status a ticket is closed with. Halo's built-in "Closed" status is 9; an instance
    /// with its own is set with `SEATSYNC_HALO_CLOSED_STATUS_ID`.
    pub closed_status_id: i64,
    pub client_id: String,
    pub client_secret: String,
    /// The largest file attached to a ticket. Halo does not publish its API's limit, so it is a
    /// setting (`SEATSYNC_HALO_MAX_ATTACHMENT_MB`, default 10).
    pub max_attachment_bytes: usize,
}

/// A client (customer) of the Halo instance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HaloClient {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub inactive: bool,
}

/// A ticket as read back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HaloTicket {
    pub id: i64,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub status_id: Option<i64>,
}

/// An action on a ticket (a note among them), as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HaloAction {
    pub id: i64,
    #[serde(default)]
    pub note_html: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl HaloAction {
    /// Whether the note's text, in either of Halo's forms, holds `text`.
    pub fn mentions(&self, text: &str) -> bool {
        [&self.note_html, &self.note].into_iter().flatten().any(|n| n.contains(text))
    }
}

/// An attachment as listed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HaloAttachment {
    pub id: i64,
    #[serde(default)]
    pub filename: Option<String>,
}

/// A new ticket; `details` is HTML, which Halo renders.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHaloTicket {
    pub client_id: i64,
    pub summary: String,
    pub details_html: String,
    pub ticket_type_id: Option<i64>,
}

/// A ticket type (`/api/TicketType`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketType {
    pub id: i64,
    pub name: String,
}

/// What SeatSync needs from HaloPSA.
pub trait Halo: Send + Sync {
    /// The ticket types: a token and one read, to check the connection.
    fn ticket_types(&self) -> BoxFuture<'_, Result<Vec<TicketType>, VendorError>>;
    /// The active clients.
    fn clients(&self) -> BoxFuture<'_, Result<Vec<HaloClient>, VendorError>>;
    /// Opens a ticket; never retried once it may have arrived.
    fn create_ticket<'a>(&'a self, ticket: &'a NewHaloTicket) -> BoxFuture<'a, Result<HaloTicket, VendorError>>;
    /// Tickets whose summary contains `text` (Halo's `search`).
    fn tickets_with<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<Vec<HaloTicket>, VendorError>>;
    /// Attaches a file to a ticket; never retried once it may have arrived.
    fn attach_to_ticket<'a>(
        &'a self,
        ticket_id: i64,
        file_name: &'a str,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<(), VendorError>>;
    /// One ticket, or `None` when Halo has no such ticket.
    fn ticket(&self, ticket_id: i64) -> BoxFuture<'_, Result<Option<HaloTicket>, VendorError>>;
    /// The actions of a ticket.
    fn ticket_actions(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<HaloAction>, VendorError>>;
    /// Adds a private note (an action hidden from the end user) in HTML; never retried once it
    /// may have arrived.
    fn add_note<'a>(&'a self, ticket_id: i64, html: &'a str) -> BoxFuture<'a, Result<HaloAction, VendorError>>;
    /// Moves a ticket to a status (the ticket posted again with its `id`); the same status twice
    /// changes nothing.
    fn set_ticket_status(&self, ticket_id: i64, status_id: i64) -> BoxFuture<'_, Result<(), VendorError>>;
    /// The status [`Halo::set_ticket_status`] closes a ticket with.
    fn closed_status_id(&self) -> i64;
    /// The attachments of a ticket.
    fn ticket_attachments(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<HaloAttachment>, VendorError>>;
    /// The largest file [`Halo::attach_to_ticket`] sends.
    fn max_attachment_bytes(&self) -> usize;
}

pub struct HttpHalo {
    settings: HaloSettings,
    client: reqwest::Client,
    policy: http::RetryPolicy,
    tokens: TokenCache,
}

impl HttpHalo {
    pub fn new(settings: HaloSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        Arc::new(Self { settings, client, policy, tokens: TokenCache::default() })
    }

    fn base(&self) -> &str {
        self.settings.base_url.as_str().trim_end_matches('/')
    }

    async fn token(&self) -> Result<String, VendorError> {
        if let Some(token) = self.tokens.get("halo") {
            return Ok(token);
        }
        let mut url = format!("{}/auth/token", self.base());
        if let Some(tenant) = self.settings.tenant.as_deref().filter(|t| !t.is_empty()) {
            url =
                format!("{url}?tenant={}", url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>());
        }
        let (token, lifetime) = crate::token::request(
            VENDOR,
            &self.client,
            &self.policy,
            &url,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &self.settings.client_id),
                ("client_secret", &self.settings.client_secret),
                ("scope", "all"),
            ],
        )
        .await?;
        self.tokens.put("halo", token.clone(), lifetime.max(Duration::from_secs(60)));
        Ok(token)
    }
}

/// Halo answers a list either as an array or wrapped in an object (`{"tickettypes":[…]}`,
/// depending on version and parameters): both are read.
#[derive(Deserialize)]
#[serde(untagged)]
enum ListBody<T> {
    Bare(Vec<T>),
    Wrapped(std::collections::BTreeMap<String, serde_json::Value>),
}

impl<T: serde::de::DeserializeOwned> ListBody<T> {
    fn into_items(self) -> Result<Vec<T>, String> {
        match self {
            ListBody::Bare(items) => Ok(items),
            ListBody::Wrapped(fields) => {
                let list = fields.into_values().find(|v| v.is_array()).ok_or("no list in the answer")?;
                serde_json::from_value(list).map_err(|e| e.to_string())
            }
        }
    }
}

impl HttpHalo {
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<Vec<T>, VendorError> {
        let token = self.token().await?;
        let url = format!("{}/api/{path}", self.base());
        let res = http::send(VENDOR, &self.policy, || self.client.get(&url).bearer_auth(&token).query(query)).await;
        if let Err(VendorError::Status { status: 401, .. }) = &res {
            self.tokens.forget("halo");
        }
        let body: ListBody<T> = http::json(VENDOR, what, res?).await?;
        body.into_items().map_err(|detail| VendorError::Malformed { vendor: VENDOR, what: what.into(), detail })
    }

    /// Posts one record as Halo wants it (a JSON array of one); the record created, which Halo
    /// answers as an object or as an array of one.
    async fn post_one<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        record: serde_json::Value,
        what: &str,
    ) -> Result<T, VendorError> {
        let token = self.token().await?;
        let url = format!("{}/api/{path}", self.base());
        let body = serde_json::Value::Array(vec![record]);
        let options = http::SendOptions { mode: http::RetryMode::Unrepeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req = self.client.post(&url).bearer_auth(&token).json(&body);
            async move { Ok(req) }
        })
        .await?;
        let uncertain = |detail: String| VendorError::Uncertain {
            vendor: VENDOR,
            detail: format!("HaloPSA accepted the {what} but its answer could not be read ({detail})"),
        };
        let value: serde_json::Value = http::json(VENDOR, what, res).await.map_err(|e| uncertain(e.to_string()))?;
        let record = match value {
            serde_json::Value::Array(mut items) if !items.is_empty() => items.remove(0),
            other => other,
        };
        serde_json::from_value(record).map_err(|e| uncertain(e.to_string()))
    }
}

impl Halo for HttpHalo {
    fn ticket_types(&self) -> BoxFuture<'_, Result<Vec<TicketType>, VendorError>> {
        Box::pin(async move {
            let token = self.token().await?;
            let url = format!("{}/api/TicketType", self.base());
            let res = http::send(VENDOR, &self.policy, || self.client.get(&url).bearer_auth(&token)).await;
            if let Err(VendorError::Status { status: 401, .. }) = &res {
                self.tokens.forget("halo");
            }
            let body: ListBody<TicketType> = http::json(VENDOR, "ticket type list", res?).await?;
            body.into_items().map_err(|detail| VendorError::Malformed {
                vendor: VENDOR,
                what: "ticket type list".into(),
                detail,
            })
        })
    }

    fn clients(&self) -> BoxFuture<'_, Result<Vec<HaloClient>, VendorError>> {
        Box::pin(async move {
            let all: Vec<HaloClient> = self.read("Client", &[], "client list").await?;
            Ok(all.into_iter().filter(|c| !c.inactive).collect())
        })
    }

    fn create_ticket<'a>(&'a self, ticket: &'a NewHaloTicket) -> BoxFuture<'a, Result<HaloTicket, VendorError>> {
        Box::pin(async move {
            let mut record = serde_json::json!({
                "summary": ticket.summary,
                "details": ticket.details_html,
                "client_id": ticket.client_id,
            });
            if let Some(t) = ticket.ticket_type_id {
                record["tickettype_id"] = serde_json::json!(t);
            }
            self.post_one("Tickets", record, "created ticket").await
        })
    }

    fn tickets_with<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<Vec<HaloTicket>, VendorError>> {
        Box::pin(async move {
            let found: Vec<HaloTicket> = self.read("Tickets", &[("search", text.to_string())], "ticket list").await?;
            // `search` looks in more than the summary: keep the tickets whose summary holds it.
            Ok(found.into_iter().filter(|t| t.summary.as_deref().is_some_and(|s| s.contains(text))).collect())
        })
    }

    fn attach_to_ticket<'a>(
        &'a self,
        ticket_id: i64,
        file_name: &'a str,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<(), VendorError>> {
        Box::pin(async move {
            use base64::{engine::general_purpose::STANDARD, Engine};
            if bytes.len() > self.settings.max_attachment_bytes {
                return Err(too_large(file_name, bytes.len(), self.settings.max_attachment_bytes));
            }
            let record = serde_json::json!({"ticket_id": ticket_id, "filename": file_name, "data_base64": STANDARD.encode(bytes)});
            self.post_one::<serde_json::Value>("Attachment", record, "attachment").await.map(|_| ())
        })
    }

    fn ticket(&self, ticket_id: i64) -> BoxFuture<'_, Result<Option<HaloTicket>, VendorError>> {
        Box::pin(async move {
            let token = self.token().await?;
            let url = format!("{}/api/Tickets/{ticket_id}", self.base());
            match http::send(VENDOR, &self.policy, || self.client.get(&url).bearer_auth(&token)).await {
                Ok(res) => http::json(VENDOR, "ticket", res).await.map(Some),
                Err(VendorError::Status { status: 404, .. }) => Ok(None),
                Err(e) => {
                    if let VendorError::Status { status: 401, .. } = &e {
                        self.tokens.forget("halo");
                    }
                    Err(e)
                }
            }
        })
    }

    fn ticket_actions(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<HaloAction>, VendorError>> {
        Box::pin(async move { self.read("Actions", &[("ticket_id", ticket_id.to_string())], "action list").await })
    }

    fn add_note<'a>(&'a self, ticket_id: i64, html: &'a str) -> BoxFuture<'a, Result<HaloAction, VendorError>> {
        Box::pin(async move {
            let record = serde_json::json!({
                "ticket_id": ticket_id,
                "note_html": html,
                "outcome": "Private Note",
                "hiddenfromuser": true,
            });
            self.post_one("Actions", record, "added note").await
        })
    }

    fn set_ticket_status(&self, ticket_id: i64, status_id: i64) -> BoxFuture<'_, Result<(), VendorError>> {
        Box::pin(async move {
            let record = serde_json::json!({"id": ticket_id, "status_id": status_id});
            self.post_one::<serde_json::Value>("Tickets", record, "changed ticket").await.map(|_| ())
        })
    }

    fn closed_status_id(&self) -> i64 {
        self.settings.closed_status_id
    }

    fn ticket_attachments(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<HaloAttachment>, VendorError>> {
        Box::pin(
            async move { self.read("Attachment", &[("ticket_id", ticket_id.to_string())], "attachment list").await },
        )
    }

    fn max_attachment_bytes(&self) -> usize {
        self.settings.max_attachment_bytes
    }
}

/// A file over the configured limit, said before anything is sent.
pub fn too_large(file_name: &str, bytes: usize, limit: usize) -> VendorError {
    VendorError::file_too_large(VENDOR, file_name, bytes, limit, Some("SEATSYNC_HALO_MAX_ATTACHMENT_MB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_bare_or_wrapped() {
        let bare: ListBody<TicketType> = serde_json::from_str(r#"[{"id":1,"name":"Incident"}]"#).unwrap();
        assert_eq!(bare.into_items().unwrap()[0].name, "Incident");
        let wrapped: ListBody<TicketType> =
            serde_json::from_str(r#"{"record_count":1,"tickettypes":[{"id":2,"name":"Request"}]}"#).unwrap();
        assert_eq!(wrapped.into_items().unwrap()[0].id, 2);
    }
}
