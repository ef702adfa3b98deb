//! ConnectWise Manage's REST API (shared/docs/vendor-apis.md, section 5): Basic authentication
//! with `{companyId}+{publicKey}:{privateKey}` and the `clientId` header on every call. The
//! connection check (`/system/info`), the companies, boards and statuses an Admin chooses from,
//! and service tickets with internal notes, documents and their status (closed by a JSON Patch)
//! for the delivery service. Creates are never
//! retried blindly: the caller looks for its reference in the summaries first.

use std::sync::Arc;

use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use url::Url;

use crate::{http, partner_center::BoxFuture, VendorError};

const VENDOR: &str = "ConnectWise Manage";

#[derive(Debug, Clone)]
pub struct ConnectWiseSettings {
    /// `https://api-na.myconnectwise.net/v4_6_release/apis/3.0`.
    pub base_url: Url,
    pub company_id: String,
    pub public_key: String,
    pub private_key: String,
    pub client_id: String,
    /// The largest file attached to a ticket. ConnectWise does not publish its limit, so it is a
    /// setting (`SEATSYNC_CONNECTWISE_MAX_ATTACHMENT_MB`, default 10).
    pub max_attachment_bytes: usize,
}

/// The longest ticket summary ConnectWise takes.
pub const MAX_SUMMARY_CHARS: usize = 100;

/// A company (`/company/companies`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwCompany {
    pub id: i64,
    #[serde(default)]
    pub identifier: Option<String>,
    pub name: String,
    #[serde(default)]
    pub deleted_flag: bool,
}

/// A service board, or a status of one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwChoice {
    pub id: i64,
    pub name: String,
    #[serde(default, alias = "inactiveFlag")]
    pub inactive: bool,
    #[serde(default)]
    pub default_flag: bool,
    /// A status that closes the ticket (statuses only).
    #[serde(default)]
    pub closed_status: bool,
}

/// A reference to another record (`{"id": 1, "name": "…"}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CwRef {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
}

/// A service ticket as read back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwTicket {
    pub id: i64,
    #[serde(default)]
    pub summary: Option<String>,
    /// Set by ConnectWise when the ticket's status is a closed one.
    #[serde(default)]
    pub closed_flag: bool,
    #[serde(default)]
    pub board: Option<CwRef>,
    #[serde(default)]
    pub status: Option<CwRef>,
}

/// A note on a service ticket.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CwNote {
    pub id: i64,
    #[serde(default)]
    pub text: Option<String>,
}

/// A document on a record.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwDocument {
    pub id: i64,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub file_name: Option<String>,
}

/// A new service ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCwTicket {
    pub company_id: i64,
    /// At most [`MAX_SUMMARY_CHARS`].
    pub summary: String,
    pub description: String,
    pub board_id: Option<i64>,
    pub status_id: Option<i64>,
}

/// What `/system/info` says of the server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub is_cloud: Option<bool>,
    #[serde(default)]
    pub cloud_region: Option<String>,
}

/// What SeatSync needs from ConnectWise Manage.
pub trait ConnectWise: Send + Sync {
    /// The server's version: one harmless authenticated call, to check the connection.
    fn system_info(&self) -> BoxFuture<'_, Result<SystemInfo, VendorError>>;
    /// Every company that is not deleted, following pages.
    fn companies(&self) -> BoxFuture<'_, Result<Vec<CwCompany>, VendorError>>;
    /// The service boards.
    fn boards(&self) -> BoxFuture<'_, Result<Vec<CwChoice>, VendorError>>;
    /// A board's statuses.
    fn board_statuses(&self, board_id: i64) -> BoxFuture<'_, Result<Vec<CwChoice>, VendorError>>;
    /// Opens a service ticket; never retried once it may have arrived.
    fn create_ticket<'a>(&'a self, ticket: &'a NewCwTicket) -> BoxFuture<'a, Result<CwTicket, VendorError>>;
    /// Tickets whose summary contains `text`.
    fn tickets_with<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<Vec<CwTicket>, VendorError>>;
    /// Attaches a file to a ticket (`/system/documents`); never retried once it may have arrived.
    fn attach_to_ticket<'a>(
        &'a self,
        ticket_id: i64,
        file_name: &'a str,
        content_type: &'a str,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<CwDocument, VendorError>>;
    /// The tickets with these ids that exist, read a few hundred to a request.
    fn tickets_by_id<'a>(&'a self, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<CwTicket>, VendorError>>;
    /// The notes on a ticket.
    fn ticket_notes(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<CwNote>, VendorError>>;
    /// Adds an internal note to a ticket; never retried once it may have arrived.
    fn add_ticket_note<'a>(&'a self, ticket_id: i64, text: &'a str) -> BoxFuture<'a, Result<CwNote, VendorError>>;
    /// Moves a ticket to a status (a JSON Patch of `status/id`); setting the same status twice
    /// changes nothing.
    fn set_ticket_status(&self, ticket_id: i64, status_id: i64) -> BoxFuture<'_, Result<CwTicket, VendorError>>;
    /// The documents on a ticket.
    fn ticket_documents(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<CwDocument>, VendorError>>;
    /// The largest file [`ConnectWise::attach_to_ticket`] sends.
    fn max_attachment_bytes(&self) -> usize;
}

pub struct HttpConnectWise {
    settings: ConnectWiseSettings,
    authorization: String,
    client: reqwest::Client,
    policy: http::RetryPolicy,
}

impl HttpConnectWise {
    pub fn new(settings: ConnectWiseSettings, client: reqwest::Client, policy: http::RetryPolicy) -> Arc<Self> {
        let credentials = format!("{}+{}:{}", settings.company_id, settings.public_key, settings.private_key);
        let authorization = format!("Basic {}", STANDARD.encode(credentials));
        Arc::new(Self { settings, authorization, client, policy })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = format!("{}/{path}", self.settings.base_url.as_str().trim_end_matches('/'));
        self.client
            .request(method, url)
            .header("Authorization", &self.authorization)
            .header("clientId", &self.settings.client_id)
            .header("Accept", "application/json")
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::GET, path)
    }

    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<T, VendorError> {
        let res = http::send(VENDOR, &self.policy, || self.get(path).query(query)).await?;
        http::json(VENDOR, what, res).await
    }

    /// A write ConnectWise cannot de-duplicate: sent once; an answer that may be lost is
    /// [`VendorError::Uncertain`].
    async fn write<T: serde::de::DeserializeOwned>(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, VendorError> {
        let options = http::SendOptions { mode: http::RetryMode::Unrepeatable, is_final: None };
        let res = http::send_with(VENDOR, &self.policy, options, || {
            let req = build();
            async move { Ok(req) }
        })
        .await?;
        http::json(VENDOR, what, res).await.map_err(|e| VendorError::Uncertain {
            vendor: VENDOR,
            detail: format!("ConnectWise accepted the {what} but its answer could not be read ({e})"),
        })
    }
}

/// Pages of up to this many records.
const PAGE_SIZE: usize = 1000;

/// Ticket ids in one `id in (…)` condition: short enough for any server's address length.
const IDS_PER_QUERY: usize = 200;

impl ConnectWise for HttpConnectWise {
    fn system_info(&self) -> BoxFuture<'_, Result<SystemInfo, VendorError>> {
        Box::pin(async move {
            let res = http::send(VENDOR, &self.policy, || self.get("system/info")).await?;
            http::json(VENDOR, "system information", res).await
        })
    }

    fn companies(&self) -> BoxFuture<'_, Result<Vec<CwCompany>, VendorError>> {
        Box::pin(async move {
            let mut all = Vec::new();
            for page in 1.. {
                let query = [
                    ("page", page.to_string()),
                    ("pageSize", PAGE_SIZE.to_string()),
                    ("conditions", "deletedFlag = false".to_string()),
                ];
                let batch: Vec<CwCompany> = self.read("company/companies", &query, "company list").await?;
                let last = batch.len() < PAGE_SIZE;
                all.extend(batch.into_iter().filter(|c| !c.deleted_flag));
                if last {
                    break;
                }
            }
            Ok(all)
        })
    }

    fn boards(&self) -> BoxFuture<'_, Result<Vec<CwChoice>, VendorError>> {
        Box::pin(async move { self.read("service/boards", &[("pageSize", PAGE_SIZE.to_string())], "board list").await })
    }

    fn board_statuses(&self, board_id: i64) -> BoxFuture<'_, Result<Vec<CwChoice>, VendorError>> {
        Box::pin(async move {
            let path = format!("service/boards/{board_id}/statuses");
            self.read(&path, &[("pageSize", PAGE_SIZE.to_string())], "status list").await
        })
    }

    fn create_ticket<'a>(&'a self, ticket: &'a NewCwTicket) -> BoxFuture<'a, Result<CwTicket, VendorError>> {
        Box::pin(async move {
            let mut body = serde_json::json!({
                "summary": ticket.summary,
                "company": {"id": ticket.company_id},
                "initialDescription": ticket.description,
            });
            if let Some(board) = ticket.board_id {
                body["board"] = serde_json::json!({"id": board});
            }
            if let Some(status) = ticket.status_id {
                body["status"] = serde_json::json!({"id": status});
            }
            self.write(|| self.request(reqwest::Method::POST, "service/tickets").json(&body), "created ticket").await
        })
    }

    fn tickets_with<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<Vec<CwTicket>, VendorError>> {
        Box::pin(async move {
            // Quotes inside a condition's string are escaped with a backslash.
            let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
            let query = [("conditions", format!("summary like \"%{escaped}%\"")), ("pageSize", PAGE_SIZE.to_string())];
            self.read("service/tickets", &query, "ticket list").await
        })
    }

    fn attach_to_ticket<'a>(
        &'a self,
        ticket_id: i64,
        file_name: &'a str,
        content_type: &'a str,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<CwDocument, VendorError>> {
        Box::pin(async move {
            if bytes.len() > self.settings.max_attachment_bytes {
                return Err(too_large(file_name, bytes.len(), self.settings.max_attachment_bytes));
            }
            let build = || {
                let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string());
                let part = part.mime_str(content_type).unwrap_or_else(|_| {
                    reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string())
                });
                let form = reqwest::multipart::Form::new()
                    .text("recordType", "Ticket")
                    .text("recordId", ticket_id.to_string())
                    .text("title", file_name.to_string())
                    .part("file", part);
                self.request(reqwest::Method::POST, "system/documents").multipart(form)
            };
            self.write(build, "attached document").await
        })
    }

    fn tickets_by_id<'a>(&'a self, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<CwTicket>, VendorError>> {
        Box::pin(async move {
            let mut all = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(IDS_PER_QUERY) {
                let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
                let query =
                    [("conditions", format!("id in ({})", list.join(","))), ("pageSize", PAGE_SIZE.to_string())];
                all.extend(self.read::<Vec<CwTicket>>("service/tickets", &query, "ticket list").await?);
            }
            Ok(all)
        })
    }

    fn ticket_notes(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<CwNote>, VendorError>> {
        Box::pin(async move {
            let path = format!("service/tickets/{ticket_id}/notes");
            self.read(&path, &[("pageSize", PAGE_SIZE.to_string())], "note list").await
        })
    }

    fn add_ticket_note<'a>(&'a self, ticket_id: i64, text: &'a str) -> BoxFuture<'a, Result<CwNote, VendorError>> {
        Box::pin(async move {
            // An internal note: it is for the MSP's staff, who act on the alert.
            let body = serde_json::json!({
                "text": text,
                "detailDescriptionFlag": false,
                "internalAnalysisFlag": true,
                "resolutionFlag": false,
            });
            let path = format!("service/tickets/{ticket_id}/notes");
            self.write(|| self.request(reqwest::Method::POST, &path).json(&body), "added note").await
        })
    }

    fn set_ticket_status(&self, ticket_id: i64, status_id: i64) -> BoxFuture<'_, Result<CwTicket, VendorError>> {
        Box::pin(async move {
            let body = serde_json::json!([{"op": "replace", "path": "status/id", "value": status_id}]);
            let path = format!("service/tickets/{ticket_id}");
            self.write(|| self.request(reqwest::Method::PATCH, &path).json(&body), "changed ticket").await
        })
    }

    fn ticket_documents(&self, ticket_id: i64) -> BoxFuture<'_, Result<Vec<CwDocument>, VendorError>> {
        Box::pin(async move {
            let query = [("recordType", "Ticket".to_string()), ("recordId", ticket_id.to_string())];
            self.read("system/documents", &query, "document list").await
        })
    }

    fn max_attachment_bytes(&self) -> usize {
        self.settings.max_attachment_bytes
    }
}

/// A file over the configured limit, said before anything is sent.
pub fn too_large(file_name: &str, bytes: usize, limit: usize) -> VendorError {
    VendorError::file_too_large(VENDOR, file_name, bytes, limit, Some("SEATSYNC_CONNECTWISE_MAX_ATTACHMENT_MB"))
}
