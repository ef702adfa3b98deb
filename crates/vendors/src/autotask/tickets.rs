//! Autotask tickets, their notes and attachments (vendor-apis.md, section 3): what the delivery
//! service opens. Creates are never retried blindly (`RetryMode::Unrepeatable`); the caller
//! re-reads by the reference it put in the title before trying again.

use reqwest::Method;
use seatsync_domain::CompanyId;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{filter, picklist_value, HttpAutotask, PicklistValue, VENDOR};
use crate::{serde_lenient, VendorError};

/// The largest file SeatSync attaches: Autotask's API takes 6 to 7 MB per file, so 6,000,000
/// bytes is safe everywhere. A larger file is refused before any call.
pub const MAX_ATTACHMENT_BYTES: usize = 6_000_000;

/// A ticket as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: i64,
    #[serde(default)]
    pub ticket_number: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// The status picklist's value (`Complete` is closed).
    #[serde(default, deserialize_with = "serde_lenient::opt_int")]
    pub status: Option<i64>,
}

/// A ticket's note as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketNote {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: i64,
    #[serde(default)]
    pub title: Option<String>,
}

/// How a new ticket is filed: picklist values the Admin chose (or the database's defaults).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TicketDefaults {
    pub queue_id: Option<i64>,
    pub status: Option<i64>,
    pub priority: Option<i64>,
    pub ticket_type: Option<i64>,
    pub issue_type: Option<i64>,
    pub source: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub company_id: CompanyId,
    pub title: String,
    pub description: String,
    pub defaults: TicketDefaults,
}

/// An attachment as listed (without its data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketAttachment {
    #[serde(deserialize_with = "serde_lenient::int")]
    pub id: i64,
    #[serde(default)]
    pub title: Option<String>,
}

/// The ticket fields an Admin chooses a default for, with their labels, in the order shown.
pub const DEFAULT_FIELDS: [(&str, &str); 6] = [
    ("queueID", "Queue"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("ticketType", "Ticket type"),
    ("issueType", "Issue type"),
    ("source", "Source"),
];

impl TicketDefaults {
    pub fn get(&self, field: &str) -> Option<i64> {
        match field {
            "queueID" => self.queue_id,
            "status" => self.status,
            "priority" => self.priority,
            "ticketType" => self.ticket_type,
            "issueType" => self.issue_type,
            "source" => self.source,
            _ => None,
        }
    }

    /// Sets a field by its Autotask name; false for a name that is not one of [`DEFAULT_FIELDS`].
    pub fn set(&mut self, field: &str, value: Option<i64>) -> bool {
        let slot = match field {
            "queueID" => &mut self.queue_id,
            "status" => &mut self.status,
            "priority" => &mut self.priority,
            "ticketType" => &mut self.ticket_type,
            "issueType" => &mut self.issue_type,
            "source" => &mut self.source,
            _ => return false,
        };
        *slot = value;
        true
    }
}

/// The first active value marked as the default, when the database marks one.
fn default_of(values: &[PicklistValue]) -> Option<i64> {
    values.iter().find(|v| v.is_default && v.is_active).and_then(|v| v.value.trim().parse().ok())
}

impl HttpAutotask {
    /// The value to send for a ticket picklist: the one chosen, else the database's default.
    pub(super) async fn ticket_pick(&self, field: &str, chosen: Option<i64>) -> Result<Option<i64>, VendorError> {
        if chosen.is_some() {
            return Ok(chosen);
        }
        let fields = self.fields_of("Tickets").await?;
        Ok(fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(field))
            .and_then(|f| f.picklist_values.as_deref())
            .and_then(default_of))
    }

    pub(super) async fn post_ticket(&self, ticket: &NewTicket) -> Result<i64, VendorError> {
        let d = &ticket.defaults;
        let mut body = json!({
            "companyID": ticket.company_id.get(),
            "title": ticket.title,
            "description": ticket.description,
        });
        for (field, _) in DEFAULT_FIELDS {
            if let Some(value) = self.ticket_pick(field, d.get(field)).await? {
                body[field] = json!(value);
            }
        }
        self.write(Method::POST, "Tickets", "Tickets", body, "created ticket").await
    }

    pub(super) async fn query_tickets_with(
        &self,
        company_id: CompanyId,
        reference: &str,
    ) -> Result<Vec<Ticket>, VendorError> {
        let filter = vec![filter::eq("companyID", company_id.get()), filter::cond("contains", "title", reference)];
        self.query("Tickets", filter, "ticket list").await
    }

    pub(super) async fn post_note(&self, ticket_id: i64, title: &str, text: &str) -> Result<i64, VendorError> {
        let note_type = self.ticket_note_pick("noteType").await?;
        let publish = self.ticket_note_pick("publish").await?;
        let mut body = json!({"ticketID": ticket_id, "title": title, "description": text});
        if let Some(v) = note_type {
            body["noteType"] = json!(v);
        }
        if let Some(v) = publish {
            body["publish"] = json!(v);
        }
        self.write(Method::POST, "TicketNotes", &format!("Tickets/{ticket_id}/Notes"), body, "created ticket note")
            .await
    }

    pub(super) async fn query_notes(&self, ticket_id: i64) -> Result<Vec<TicketNote>, VendorError> {
        self.query("TicketNotes", vec![filter::eq("ticketID", ticket_id)], "ticket note list").await
    }

    pub(super) async fn query_ticket(&self, ticket_id: i64) -> Result<Option<Ticket>, VendorError> {
        Ok(self.query("Tickets", vec![filter::eq("id", ticket_id)], "ticket").await?.into_iter().next())
    }

    /// Sets the ticket's status to the picklist entry labelled "Complete" in this database.
    pub(super) async fn patch_complete(&self, ticket_id: i64) -> Result<(), VendorError> {
        let complete = self.read_complete_status().await?;
        let body = json!({"id": ticket_id, "status": complete});
        self.write(Method::PATCH, "Tickets", "Tickets", body, "closed ticket").await.map(|_| ())
    }

    /// The value of the status "Complete" (Autotask's closed status; 5 in most databases, read
    /// from the picklist because the number is not documented).
    pub(super) async fn read_complete_status(&self) -> Result<i64, VendorError> {
        let fields = self.fields_of("Tickets").await?;
        let values = fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("status"))
            .and_then(|f| f.picklist_values.clone())
            .unwrap_or_default();
        picklist_value(&values, "Tickets", "status", "Complete")
    }

    async fn ticket_note_pick(&self, field: &str) -> Result<Option<i64>, VendorError> {
        let fields = self.fields_of("TicketNotes").await?;
        Ok(fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(field))
            .and_then(|f| f.picklist_values.as_deref())
            .and_then(default_of))
    }

    pub(super) async fn post_attachment(
        &self,
        ticket_id: i64,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<i64, VendorError> {
        use base64::{engine::general_purpose::STANDARD, Engine};
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(too_large(file_name, bytes.len()));
        }
        let fields = self.fields_of("TicketAttachments").await?;
        let values = |field: &str| {
            fields.iter().find(|f| f.name.eq_ignore_ascii_case(field)).and_then(|f| f.picklist_values.clone())
        };
        // A file, by its documented value; the database's own spelling when it lists one.
        let attachment_type = values("attachmentType")
            .and_then(|vs| vs.into_iter().find(|v| v.value.eq_ignore_ascii_case("FILE_ATTACHMENT")).map(|v| v.value))
            .unwrap_or_else(|| "FILE_ATTACHMENT".to_string());
        let publish = match values("publish") {
            Some(vs) => match default_of(&vs) {
                Some(v) => Some(v),
                None => Some(picklist_value(&vs, "TicketAttachments", "publish", "All Autotask Users")?),
            },
            None => None,
        };
        let body = json!({
            "parentID": ticket_id,
            "title": file_name,
            "fullPath": file_name,
            "attachmentType": attachment_type,
            "contentType": content_type,
            "data": STANDARD.encode(bytes),
        });
        let mut body = body;
        if let Some(publish) = publish {
            body["publish"] = json!(publish);
        }
        self.write(
            Method::POST,
            "TicketAttachments",
            &format!("Tickets/{ticket_id}/Attachments"),
            body,
            "created attachment",
        )
        .await
    }

    pub(super) async fn query_attachments(&self, ticket_id: i64) -> Result<Vec<TicketAttachment>, VendorError> {
        self.query("TicketAttachments", vec![filter::eq("parentID", ticket_id)], "attachment list").await
    }
}

/// A file over Autotask's limit, said before anything is sent.
pub fn too_large(file_name: &str, bytes: usize) -> VendorError {
    VendorError::file_too_large(VENDOR, file_name, bytes, MAX_ATTACHMENT_BYTES, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_picklist_value_is_the_marked_active_one() {
        let v = |value: &str, default: bool, active: bool| PicklistValue {
            value: value.into(),
            label: value.into(),
            is_active: active,
            is_default: default,
        };
        assert_eq!(default_of(&[v("1", false, true), v("2", true, true)]), Some(2));
        assert_eq!(default_of(&[v("1", true, false), v("2", false, true)]), None);
    }
}
