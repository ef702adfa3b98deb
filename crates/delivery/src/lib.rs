//! Delivery: the one place SeatSync tells a person something, as a PSA ticket or an e-mail.
//!
//! Every message carries a dedup key. The intent (the message, its files and where it goes) is
//! recorded before anything is sent; asking again with the same key finds that record and never
//! makes a second ticket or e-mail. A delivery is carried to its end from its record alone
//! ([`Delivery::carry`]), one step at a time, each step recorded before the next:
//!
//! - **Ticket** (Autotask, ConnectWise Manage or HaloPSA, the one the Admin chose for tickets):
//!   the title carries a short reference made from the key. Before the
//!   ticket is created on any attempt but the first, and again when the answer to the create was
//!   lost, the company's tickets are searched for the reference: a ticket that exists is used,
//!   never made again. Each file
//!   is attached in turn, its count recorded; a file whose answer was lost is looked for on the
//!   ticket by name before it is sent again.
//! - **E-mail**: SMTP has no way to ask whether a message arrived. A message whose answer was
//!   lost is marked uncertain and not sent again by SeatSync; the same message id is used if a
//!   person sends it again, so a copy is recognisable as one message.

mod follow_up;

use std::sync::Arc;

use seatsync_db::{
    deliveries::{self as db, DeliveryRow, NewDelivery},
    locks::AdvisoryLock,
    DbError, PgPool,
};
use seatsync_domain::{
    kinds::{DeliveryChannel, DeliveryStatus, TicketPsa},
    CompanyId,
};
use seatsync_integrations::ClientSlots;
use seatsync_vendors::{
    autotask::{
        tickets::{NewTicket, TicketDefaults, MAX_ATTACHMENT_BYTES},
        Autotask,
    },
    connectwise::{ConnectWise, NewCwTicket, MAX_SUMMARY_CHARS},
    halo::{Halo, NewHaloTicket},
    smtp::{MailAttachment, OutgoingMail},
    VendorError,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use follow_up::{FollowUp, TicketState};

/// Where the Admin's ticket defaults are kept (`app_settings`).
pub const TICKET_DEFAULTS_KEY: &str = "autotask_ticket_defaults";

/// Where the Admin's ConnectWise ticket defaults (board and status) are kept (`app_settings`).
pub const CONNECTWISE_DEFAULTS_KEY: &str = "connectwise_ticket_defaults";

/// Where the Admin's HaloPSA ticket default (the ticket type) is kept (`app_settings`).
pub const HALO_DEFAULTS_KEY: &str = "halo_ticket_defaults";

/// Where the Admin's choice of the PSA for tickets is kept (`app_settings`).
pub const TICKET_PSA_KEY: &str = "ticket_psa";

/// Advisory-lock class of a delivery in progress: one instance carries a delivery at a time.
const LOCK_CLASS: i32 = 0x05ea_7de1;

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq)]
pub struct FileAttachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Where a message goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Recipient {
    Email {
        to: Vec<String>,
    },
    /// A ticket for this Autotask company.
    AutotaskTicket {
        company_id: CompanyId,
        company_name: String,
    },
    /// A service ticket for this ConnectWise Manage company.
    ConnectWiseTicket {
        company_id: i64,
        company_name: String,
    },
    /// A ticket for this HaloPSA client.
    HaloTicket {
        client_id: i64,
        client_name: String,
    },
}

/// A message to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// The same key is the same message: asked for twice, it is delivered once.
    pub dedup_key: String,
    /// What it is for, in words ("Test e-mail", "Unused licences").
    pub purpose: String,
    pub title: String,
    pub text: String,
    /// Sent beside the text where the channel shows HTML.
    pub html: Option<String>,
    pub attachments: Vec<FileAttachment>,
    pub to: Recipient,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Said before anything was recorded or sent.
    #[error("{0}")]
    Invalid(String),
    #[error("{0} is not configured: set it up on the Integrations page first.")]
    NotConfigured(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The delivery service.
pub struct Delivery {
    pool: PgPool,
    clients: ClientSlots,
}

/// The short reference put in a ticket's title: enough of a hash of the key to be unique among
/// a company's tickets, short enough to read.
pub fn reference(dedup_key: &str) -> String {
    let digest = Sha256::digest(dedup_key.as_bytes());
    let hex: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("SeatSync {hex}")
}

impl Delivery {
    pub fn new(pool: PgPool, clients: ClientSlots) -> Arc<Self> {
        Arc::new(Self { pool, clients })
    }

    /// Whether tickets can be opened in `psa` now.
    pub fn configured(&self, psa: TicketPsa) -> bool {
        match psa {
            TicketPsa::Autotask => self.clients.autotask.is_set(),
            TicketPsa::ConnectWise => self.clients.connectwise.is_set(),
            TicketPsa::Halo => self.clients.halo.is_set(),
        }
    }

    /// The PSA SeatSync's tickets go to, as the Admin chose it (Autotask until then).
    pub async fn ticket_psa(&self) -> Result<TicketPsa, DeliveryError> {
        Ok(seatsync_db::settings::get(&self.pool, TICKET_PSA_KEY).await?.unwrap_or_default())
    }

    /// Records the message (unless its key is known) and carries it as far as it goes now.
    pub async fn deliver(&self, by: Option<Uuid>, outgoing: Outgoing) -> Result<DeliveryRow, DeliveryError> {
        check(&outgoing, &self.clients)?;
        let reference = reference(&outgoing.dedup_key);
        let (channel, email_to, company_id, company_name) = match &outgoing.to {
            Recipient::Email { to } => (DeliveryChannel::Email, Some(to.as_slice()), None, None),
            Recipient::AutotaskTicket { company_id, company_name } => {
                (DeliveryChannel::Autotask, None, Some(company_id.get()), Some(company_name.as_str()))
            }
            Recipient::ConnectWiseTicket { company_id, company_name } => {
                (DeliveryChannel::ConnectWise, None, Some(*company_id), Some(company_name.as_str()))
            }
            Recipient::HaloTicket { client_id, client_name } => {
                (DeliveryChannel::Halo, None, Some(*client_id), Some(client_name.as_str()))
            }
        };
        let files: Vec<(String, String, Vec<u8>)> = outgoing
            .attachments
            .iter()
            .map(|a| (a.file_name.clone(), a.content_type.clone(), a.bytes.clone()))
            .collect();
        let (id, new) = db::record_intent(
            &self.pool,
            NewDelivery {
                dedup_key: &outgoing.dedup_key,
                channel,
                purpose: &outgoing.purpose,
                title: &outgoing.title,
                text_body: &outgoing.text,
                html_body: outgoing.html.as_deref(),
                email_to,
                company_id,
                company_name,
                reference: &reference,
                requested_by: by,
                attachments: &files,
            },
        )
        .await?;
        if !new {
            tracing::info!(key = %outgoing.dedup_key, id, "a delivery with this key exists: not sent again");
        }
        self.carry(id).await
    }

    /// Carries a recorded delivery as far as it goes now: a pending or failed one is (re)tried
    /// from where it stopped; a delivered or uncertain one is left as it is.
    pub async fn carry(&self, id: i64) -> Result<DeliveryRow, DeliveryError> {
        let row = db::find(&self.pool, id).await?;
        if matches!(row.status, DeliveryStatus::Delivered | DeliveryStatus::Uncertain) {
            return Ok(row);
        }
        let lock = AdvisoryLock::acquire_named(&self.pool, LOCK_CLASS, &row.dedup_key).await?;
        // Read again under the lock: another instance may have finished it meanwhile.
        let row = db::find(&self.pool, id).await?;
        let outcome = if matches!(row.status, DeliveryStatus::Delivered | DeliveryStatus::Uncertain) {
            Ok(())
        } else {
            db::begin_attempt(&self.pool, id).await?;
            match row.channel {
                DeliveryChannel::Email => self.send_email(&row).await,
                DeliveryChannel::Autotask | DeliveryChannel::ConnectWise | DeliveryChannel::Halo => {
                    self.open_ticket(&row).await
                }
            }
        };
        lock.release().await;
        outcome?;
        Ok(db::find(&self.pool, id).await?)
    }

    /// A person's "Send again" for an e-mail whose answer was lost: sent once more, under the
    /// same message id, so a mail client that got the first shows the second as the same
    /// message. Only an e-mail in that state can be sent again, and only once per click: a second
    /// click finds it sent.
    pub async fn send_again(&self, id: i64) -> Result<DeliveryRow, DeliveryError> {
        let row = db::find(&self.pool, id).await?;
        let lock = AdvisoryLock::acquire_named(&self.pool, LOCK_CLASS, &row.dedup_key).await?;
        // Read again under the lock: another person may have sent it again meanwhile.
        let row = db::find(&self.pool, id).await?;
        let outcome = if row.channel != DeliveryChannel::Email || row.status != DeliveryStatus::Uncertain {
            Err(DeliveryError::Invalid(format!(
                "Only an e-mail that may not have arrived can be sent again; this one is {}.",
                row.status
            )))
        } else {
            db::begin_attempt(&self.pool, id).await?;
            self.send_email(&row).await
        };
        lock.release().await;
        outcome?;
        Ok(db::find(&self.pool, id).await?)
    }

    /// Carries every delivery left pending for longer than `stale_after` (its process stopped);
    /// how many were carried.
    pub async fn resume_stale(&self, stale_after: chrono::Duration) -> Result<usize, DeliveryError> {
        let stale = db::stale_pending(&self.pool, stale_after.num_seconds()).await?;
        for id in &stale {
            let row = self.carry(*id).await?;
            tracing::info!(delivery = id, status = %row.status, "an interrupted delivery was carried on");
        }
        Ok(stale.len())
    }

    /// The newest deliveries, for the Jobs page.
    pub async fn recent(&self, limit: i64) -> Result<Vec<DeliveryRow>, DbError> {
        db::recent(&self.pool, limit).await
    }

    async fn send_email(&self, row: &DeliveryRow) -> Result<(), DeliveryError> {
        let Some(mailer) = self.clients.mailer.get() else {
            return self.fail(row.id, "SMTP is not configured.").await;
        };
        let attachments = db::attachments(&self.pool, row.id)
            .await?
            .into_iter()
            .map(|a| MailAttachment { file_name: a.file_name, content_type: a.content_type, bytes: a.bytes })
            .collect();
        let mail = OutgoingMail {
            to: row.email_to.clone().unwrap_or_default(),
            subject: row.title.clone(),
            text: row.text_body.clone(),
            html: row.html_body.clone(),
            attachments,
            message_id: message_id(&row.dedup_key),
        };
        match mailer.send(&mail).await {
            Ok(answer) => {
                db::finish(&self.pool, row.id, DeliveryStatus::Delivered, Some(&answer), None).await?;
                Ok(())
            }
            Err(VendorError::Uncertain { detail, .. }) => {
                let error = format!(
                    "The mail server's answer was lost ({detail}): the message may have been sent. SeatSync does not send it again by itself."
                );
                db::finish(&self.pool, row.id, DeliveryStatus::Uncertain, None, Some(&error)).await?;
                Ok(())
            }
            Err(e) => self.fail(row.id, &e.to_string()).await,
        }
    }

    /// The PSA a ticket delivery goes to, as configured now.
    async fn desk(&self, row: &DeliveryRow) -> Result<Option<Desk>, DeliveryError> {
        Ok(match row.channel {
            DeliveryChannel::Autotask => match self.clients.autotask.get() {
                Some(client) => {
                    let defaults =
                        seatsync_db::settings::get(&self.pool, TICKET_DEFAULTS_KEY).await?.unwrap_or_default();
                    Some(Desk::Autotask { client, defaults })
                }
                None => None,
            },
            DeliveryChannel::ConnectWise => match self.clients.connectwise.get() {
                Some(client) => {
                    let defaults =
                        seatsync_db::settings::get(&self.pool, CONNECTWISE_DEFAULTS_KEY).await?.unwrap_or_default();
                    Some(Desk::ConnectWise { client, defaults })
                }
                None => None,
            },
            DeliveryChannel::Halo => match self.clients.halo.get() {
                Some(client) => {
                    let defaults = seatsync_db::settings::get(&self.pool, HALO_DEFAULTS_KEY).await?.unwrap_or_default();
                    Some(Desk::Halo { client, defaults })
                }
                None => None,
            },
            DeliveryChannel::Email => None,
        })
    }

    async fn open_ticket(&self, row: &DeliveryRow) -> Result<(), DeliveryError> {
        let Some(desk) = self.desk(row).await? else {
            let psa = match row.channel {
                DeliveryChannel::ConnectWise => "ConnectWise Manage",
                DeliveryChannel::Halo => "HaloPSA",
                _ => "Autotask",
            };
            return self.fail(row.id, &format!("{psa} is not configured.")).await;
        };
        let Some(company_id) = row.company_id else {
            return self.fail(row.id, "The delivery names no company.").await;
        };
        let psa = desk.name();
        let ticket = match row.ticket_id {
            Some(id) => TicketRef { id, number: row.ticket_number.clone() },
            None => {
                // Made already (by an attempt whose answer was lost, or a process that stopped)?
                // Only an earlier attempt can have made it: the first one saves the search,
                // a third of what opening a ticket costs in a PSA's request budget.
                let found = if row.attempts == 0 {
                    None
                } else {
                    match desk.find(company_id, &row.reference).await {
                        Ok(found) => found,
                        Err(e) => return self.fail(row.id, &format!("Looking for the ticket failed: {e}")).await,
                    }
                };
                let ticket = match found {
                    Some(t) => t,
                    None => match desk.create(company_id, row, &row.reference).await {
                        Ok(t) => t,
                        Err(VendorError::Uncertain { detail, .. }) => {
                            // Re-read before anything else: the ticket may exist.
                            match desk.find(company_id, &row.reference).await {
                                Ok(Some(t)) => t,
                                Ok(None) => {
                                    let error = format!("{psa}'s answer was lost ({detail}) and no ticket was made; it is tried again next time.");
                                    return self.fail(row.id, &error).await;
                                }
                                Err(e) => {
                                    let error = format!("{psa}'s answer was lost ({detail}) and looking for the ticket failed ({e}); it is looked for again before anything is sent.");
                                    return self.fail(row.id, &error).await;
                                }
                            }
                        }
                        Err(e) => return self.fail(row.id, &e.to_string()).await,
                    },
                };
                db::ticket_made(&self.pool, row.id, ticket.id, ticket.number.as_deref()).await?;
                ticket
            }
        };
        let files = db::attachments(&self.pool, row.id).await?;
        let mut done = row.attachments_done.max(0) as usize;
        while done < files.len() {
            let file = &files[done];
            match desk.attach(ticket.id, &file.file_name, &file.content_type, &file.bytes).await {
                Ok(()) => {}
                Err(VendorError::Uncertain { .. }) => {
                    let on_ticket = desk.has_file(ticket.id, &file.file_name).await.unwrap_or(false);
                    if !on_ticket {
                        let error = format!("{psa}'s answer to attaching '{}' was lost and the file is not on the ticket; it is attached next time.", file.file_name);
                        return self.fail(row.id, &error).await;
                    }
                }
                Err(e) => return self.fail(row.id, &format!("Attaching '{}' failed: {e}", file.file_name)).await,
            }
            done += 1;
            db::attachment_done(&self.pool, row.id, done as i32).await?;
        }
        let answer = match &ticket.number {
            Some(n) => format!("Ticket {n}"),
            None => format!("Ticket #{}", ticket.id),
        };
        db::finish(&self.pool, row.id, DeliveryStatus::Delivered, Some(&answer), None).await?;
        Ok(())
    }

    async fn fail(&self, id: i64, error: &str) -> Result<(), DeliveryError> {
        tracing::warn!(delivery = id, error, "a delivery failed");
        db::finish(&self.pool, id, DeliveryStatus::Failed, None, Some(error)).await?;
        Ok(())
    }
}

/// The `Message-ID` of a key's e-mail: the same key, the same id.
fn message_id(dedup_key: &str) -> String {
    let digest = Sha256::digest(dedup_key.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@seatsync")
}

/// What can be refused before anything is recorded: an empty message, no recipient, a file over
/// the channel's limit, an integration that is not set up.
fn check(outgoing: &Outgoing, clients: &ClientSlots) -> Result<(), DeliveryError> {
    if outgoing.dedup_key.trim().is_empty() || outgoing.title.trim().is_empty() {
        return Err(DeliveryError::Invalid("A message needs a key and a title.".into()));
    }
    match &outgoing.to {
        Recipient::Email { to } => {
            if to.is_empty() || to.iter().any(|a| !a.contains('@')) {
                return Err(DeliveryError::Invalid(
                    "Give at least one e-mail address, such as billing@your-msp.example.".into(),
                ));
            }
            if !clients.mailer.is_set() {
                return Err(DeliveryError::NotConfigured("SMTP"));
            }
        }
        Recipient::AutotaskTicket { .. } => {
            if let Some(big) = outgoing.attachments.iter().find(|a| a.bytes.len() > MAX_ATTACHMENT_BYTES) {
                return Err(DeliveryError::Invalid(
                    seatsync_vendors::autotask::tickets::too_large(&big.file_name, big.bytes.len()).to_string(),
                ));
            }
            if !clients.autotask.is_set() {
                return Err(DeliveryError::NotConfigured("Autotask"));
            }
        }
        Recipient::HaloTicket { .. } => {
            let Some(halo) = clients.halo.get() else {
                return Err(DeliveryError::NotConfigured("HaloPSA"));
            };
            let limit = halo.max_attachment_bytes();
            if let Some(big) = outgoing.attachments.iter().find(|a| a.bytes.len() > limit) {
                return Err(DeliveryError::Invalid(
                    seatsync_vendors::halo::too_large(&big.file_name, big.bytes.len(), limit).to_string(),
                ));
            }
        }
        Recipient::ConnectWiseTicket { .. } => {
            let Some(cw) = clients.connectwise.get() else {
                return Err(DeliveryError::NotConfigured("ConnectWise Manage"));
            };
            let limit = cw.max_attachment_bytes();
            if let Some(big) = outgoing.attachments.iter().find(|a| a.bytes.len() > limit) {
                return Err(DeliveryError::Invalid(
                    seatsync_vendors::connectwise::too_large(&big.file_name, big.bytes.len(), limit).to_string(),
                ));
            }
        }
    }
    Ok(())
}

/// The board and status a ConnectWise ticket is opened on, as the Admin chose them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConnectWiseDefaults {
    pub board_id: Option<i64>,
    pub status_id: Option<i64>,
}

/// The ticket type HaloPSA tickets are opened as, as the Admin chose it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HaloDefaults {
    pub ticket_type_id: Option<i64>,
}

/// A ticket that exists in the PSA.
struct TicketRef {
    id: i64,
    number: Option<String>,
}

/// The PSA a ticket goes to, with how tickets are filed there.
enum Desk {
    Autotask { client: Arc<dyn Autotask>, defaults: TicketDefaults },
    ConnectWise { client: Arc<dyn ConnectWise>, defaults: ConnectWiseDefaults },
    Halo { client: Arc<dyn Halo>, defaults: HaloDefaults },
}

impl Desk {
    fn name(&self) -> &'static str {
        match self {
            Desk::Autotask { .. } => "Autotask",
            Desk::ConnectWise { .. } => "ConnectWise",
            Desk::Halo { .. } => "HaloPSA",
        }
    }

    /// The company's ticket whose title carries `reference`, if there is one.
    async fn find(&self, company_id: i64, reference: &str) -> Result<Option<TicketRef>, VendorError> {
        Ok(match self {
            Desk::Autotask { client, .. } => client
                .tickets_with(CompanyId::new(company_id), reference)
                .await?
                .into_iter()
                .next()
                .map(|t| TicketRef { id: t.id, number: t.ticket_number }),
            Desk::ConnectWise { client, .. } => client
                .tickets_with(reference)
                .await?
                .into_iter()
                .next()
                .map(|t| TicketRef { id: t.id, number: Some(format!("#{}", t.id)) }),
            Desk::Halo { client, .. } => client
                .tickets_with(reference)
                .await?
                .into_iter()
                .next()
                .map(|t| TicketRef { id: t.id, number: Some(format!("#{}", t.id)) }),
        })
    }

    async fn create(&self, company_id: i64, row: &DeliveryRow, reference: &str) -> Result<TicketRef, VendorError> {
        let (title, text) = (row.title.as_str(), row.text_body.as_str());
        match self {
            Desk::Autotask { client, defaults } => {
                let ticket = NewTicket {
                    company_id: CompanyId::new(company_id),
                    title: format!("{title} [{reference}]"),
                    description: text.to_string(),
                    defaults: defaults.clone(),
                };
                let id = client.create_ticket(&ticket).await?;
                // Its number, for people; the id is what SeatSync needs.
                let number = client
                    .tickets_with(CompanyId::new(company_id), reference)
                    .await
                    .ok()
                    .and_then(|ts| ts.into_iter().find(|t| t.id == id))
                    .and_then(|t| t.ticket_number);
                Ok(TicketRef { id, number })
            }
            Desk::ConnectWise { client, defaults } => {
                let ticket = NewCwTicket {
                    company_id,
                    summary: summary_with_reference(title, reference, MAX_SUMMARY_CHARS),
                    description: text.to_string(),
                    board_id: defaults.board_id,
                    status_id: defaults.status_id,
                };
                let made = client.create_ticket(&ticket).await?;
                Ok(TicketRef { id: made.id, number: Some(format!("#{}", made.id)) })
            }
            Desk::Halo { client, defaults } => {
                // Halo renders HTML: the message's own, or its text made safe, in paragraphs.
                let details_html = match &row.html_body {
                    Some(html) => html.clone(),
                    None => text_to_html(text),
                };
                let ticket = NewHaloTicket {
                    client_id: company_id,
                    summary: format!("{title} [{reference}]"),
                    details_html,
                    ticket_type_id: defaults.ticket_type_id,
                };
                let made = client.create_ticket(&ticket).await?;
                Ok(TicketRef { id: made.id, number: Some(format!("#{}", made.id)) })
            }
        }
    }

    async fn attach(
        &self,
        ticket_id: i64,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(), VendorError> {
        match self {
            Desk::Autotask { client, .. } => {
                client.attach_to_ticket(ticket_id, file_name, content_type, bytes).await.map(|_| ())
            }
            Desk::ConnectWise { client, .. } => {
                client.attach_to_ticket(ticket_id, file_name, content_type, bytes).await.map(|_| ())
            }
            Desk::Halo { client, .. } => client.attach_to_ticket(ticket_id, file_name, bytes).await,
        }
    }

    async fn has_file(&self, ticket_id: i64, file_name: &str) -> Result<bool, VendorError> {
        Ok(match self {
            Desk::Autotask { client, .. } => {
                client.ticket_attachments(ticket_id).await?.iter().any(|a| a.title.as_deref() == Some(file_name))
            }
            Desk::ConnectWise { client, .. } => client
                .ticket_documents(ticket_id)
                .await?
                .iter()
                .any(|d| d.title.as_deref() == Some(file_name) || d.file_name.as_deref() == Some(file_name)),
            Desk::Halo { client, .. } => {
                client.ticket_attachments(ticket_id).await?.iter().any(|a| a.filename.as_deref() == Some(file_name))
            }
        })
    }
}

/// Plain text as HTML: escaped, paragraphs at blank lines, line breaks kept.
fn text_to_html(text: &str) -> String {
    text.split("\n\n").map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>"))).collect()
}

/// Text that reads as itself inside HTML.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `title [reference]` in at most `limit` characters: the title is shortened (with an ellipsis),
/// never the reference, which finds the ticket again.
fn summary_with_reference(title: &str, reference: &str, limit: usize) -> String {
    let suffix = format!(" [{reference}]");
    let room = limit.saturating_sub(suffix.chars().count());
    let title: String = if title.chars().count() > room {
        title.chars().take(room.saturating_sub(1)).collect::<String>() + "…"
    } else {
        title.to_string()
    };
    format!("{title}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_safe_html_paragraphs() {
        assert_eq!(
            text_to_html("Seats <3>\nfree\n\nBye & thanks"),
            "<p>Seats &lt;3&gt;<br>free</p><p>Bye &amp; thanks</p>"
        );
    }

    #[test]
    fn a_long_title_is_shortened_never_the_reference() {
        let r = reference("k");
        let s = summary_with_reference(&"x".repeat(150), &r, 100);
        assert_eq!(s.chars().count(), 100);
        assert!(s.ends_with(&format!("… [{r}]")));
        assert_eq!(summary_with_reference("Short", &r, 100), format!("Short [{r}]"));
    }

    #[test]
    fn references_and_message_ids_follow_the_key() {
        assert_eq!(reference("a"), reference("a"));
        assert_ne!(reference("a"), reference("b"));
        assert!(reference("a").starts_with("SeatSync ") && reference("a").len() == "SeatSync ".len() + 10);
        assert_eq!(message_id("a"), message_id("a"));
        assert!(message_id("a").ends_with("@seatsync"));
    }
}
