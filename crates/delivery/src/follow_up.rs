//! Follow-ups on a delivered ticket: a note, or a note and then closing the ticket, in whichever
//! PSA the ticket went to (Autotask, ConnectWise Manage or HaloPSA).
//!
//! Like a delivery, a follow-up is recorded before anything is sent and carried from its record
//! alone. The note carries a reference made from its key (in Autotask's note title, in the first
//! line of a ConnectWise note or a Halo action): before it is added, and again when the answer was
//! lost, the ticket's notes are searched for it, so a note is never added twice. Closing sets the
//! ticket's closed status (Autotask's Complete, the first closed status of the ticket's
//! ConnectWise board, Halo's configured closed status), which changes nothing when done twice; a
//! lost answer is settled by reading the ticket.

use std::collections::HashMap;

use futures::{stream, StreamExt};
use seatsync_db::{
    deliveries::{self as db, DeliveryRow, FollowUpRow, NewFollowUp},
    locks::AdvisoryLock,
};
use seatsync_domain::kinds::{DeliveryChannel, DeliveryStatus, FollowUpKind};
use seatsync_vendors::VendorError;
use uuid::Uuid;

use crate::{escape_html, reference, text_to_html, Delivery, DeliveryError, Desk, LOCK_CLASS};

/// Autotask's longest note title.
const MAX_NOTE_TITLE_CHARS: usize = 250;

/// A note (and, for [`FollowUpKind::Close`], the close) to add to a delivered ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    /// The same key is the same follow-up: asked for twice, it is added once.
    pub dedup_key: String,
    pub kind: FollowUpKind,
    pub title: String,
    pub text: String,
}

/// Where a delivered ticket stands in its PSA, read now.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketState {
    /// The delivery has no ticket yet (pending or failed).
    NotMade,
    Open,
    /// Completed in the PSA (by SeatSync or a person).
    Closed,
    /// The PSA no longer has it.
    Gone,
    /// It could not be read; why.
    Unknown(String),
}

impl Delivery {
    /// Records a follow-up on the ticket of the delivery keyed `ticket_key` (unless its key is
    /// known) and carries it as far as it goes now.
    pub async fn follow_up(
        &self,
        ticket_key: &str,
        by: Option<Uuid>,
        follow_up: FollowUp,
    ) -> Result<FollowUpRow, DeliveryError> {
        if follow_up.dedup_key.trim().is_empty() || follow_up.title.trim().is_empty() {
            return Err(DeliveryError::Invalid("A follow-up needs a key and a title.".into()));
        }
        let Some(ticket) = db::find_by_key(&self.pool, ticket_key).await? else {
            return Err(DeliveryError::Invalid(format!("No ticket was recorded under '{ticket_key}'.")));
        };
        if ticket.channel == DeliveryChannel::Email {
            return Err(DeliveryError::Invalid(format!(
                "'{ticket_key}' is an e-mail, not a ticket: it takes no notes."
            )));
        }
        let id = db::record_follow_up(
            &self.pool,
            &NewFollowUp {
                delivery_id: ticket.id,
                dedup_key: &follow_up.dedup_key,
                kind: follow_up.kind,
                title: &follow_up.title,
                text_body: &follow_up.text,
                reference: &reference(&follow_up.dedup_key),
                requested_by: by,
            },
        )
        .await?;
        self.carry_follow_up(id).await
    }

    /// Carries a recorded follow-up as far as it goes now: a pending or failed one is (re)tried
    /// from where it stopped; a delivered one is left as it is.
    pub async fn carry_follow_up(&self, id: i64) -> Result<FollowUpRow, DeliveryError> {
        let row = db::find_follow_up(&self.pool, id).await?;
        if row.status == DeliveryStatus::Delivered {
            return Ok(row);
        }
        let lock = AdvisoryLock::acquire_named(&self.pool, LOCK_CLASS, &row.dedup_key).await?;
        let row = db::find_follow_up(&self.pool, id).await?;
        let outcome = if row.status == DeliveryStatus::Delivered {
            Ok(())
        } else {
            db::begin_follow_up_attempt(&self.pool, id).await?;
            self.add_follow_up(&row).await
        };
        lock.release().await;
        outcome?;
        Ok(db::find_follow_up(&self.pool, id).await?)
    }

    /// The follow-ups of the ticket keyed `ticket_key`, oldest first.
    pub async fn follow_ups(&self, ticket_key: &str) -> Result<Vec<FollowUpRow>, DeliveryError> {
        match db::find_by_key(&self.pool, ticket_key).await? {
            Some(ticket) => Ok(db::follow_ups_of(&self.pool, ticket.id).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Where the ticket of the delivery keyed `ticket_key` stands in the PSA now.
    pub async fn ticket_state(&self, ticket_key: &str) -> Result<TicketState, DeliveryError> {
        let key = ticket_key.to_string();
        let mut states = self.ticket_states(std::slice::from_ref(&key)).await?;
        Ok(states.remove(&key).unwrap_or(TicketState::NotMade))
    }

    /// Where the tickets of the deliveries keyed `ticket_keys` stand, read in as few requests as
    /// each PSA allows rather than one per ticket where it can: Autotask 500 tickets to a query,
    /// ConnectWise 200; Halo reads one ticket a request, four at a time. A daily run over hundreds
    /// of open tickets stays a handful of requests in the first two.
    pub async fn ticket_states(&self, ticket_keys: &[String]) -> Result<HashMap<String, TicketState>, DeliveryError> {
        let mut states = HashMap::new();
        let mut by_channel: HashMap<DeliveryChannel, (DeliveryRow, HashMap<i64, String>)> = HashMap::new();
        let recorded: HashMap<String, DeliveryRow> =
            db::find_by_keys(&self.pool, ticket_keys).await?.into_iter().map(|d| (d.dedup_key.clone(), d)).collect();
        for key in ticket_keys {
            match recorded.get(key) {
                Some(row @ DeliveryRow { ticket_id: Some(id), .. }) if row.channel != DeliveryChannel::Email => {
                    by_channel
                        .entry(row.channel)
                        .or_insert_with(|| (row.clone(), HashMap::new()))
                        .1
                        .insert(*id, key.clone());
                }
                _ => {
                    states.insert(key.clone(), TicketState::NotMade);
                }
            }
        }
        for (sample, ids) in by_channel.into_values() {
            let Some(desk) = self.desk(&sample).await? else {
                let why = format!("{} is not configured.", psa_name(sample.channel));
                states.extend(ids.into_values().map(|key| (key, TicketState::Unknown(why.clone()))));
                continue;
            };
            let wanted: Vec<i64> = ids.keys().copied().collect();
            match desk.closed(&wanted).await {
                Ok(closed) => {
                    for (id, key) in ids {
                        let state = match closed.get(&id) {
                            None => TicketState::Gone,
                            Some(true) => TicketState::Closed,
                            Some(false) => TicketState::Open,
                        };
                        states.insert(key, state);
                    }
                }
                Err(e) => states.extend(ids.into_values().map(|key| (key, TicketState::Unknown(e.to_string())))),
            }
        }
        Ok(states)
    }

    /// Carries every follow-up left pending for longer than `stale_after`; how many.
    pub async fn resume_stale_follow_ups(&self, stale_after: chrono::Duration) -> Result<usize, DeliveryError> {
        let stale = db::stale_pending_follow_ups(&self.pool, stale_after.num_seconds()).await?;
        for id in &stale {
            let row = self.carry_follow_up(*id).await?;
            tracing::info!(follow_up = id, status = %row.status, "an interrupted ticket follow-up was carried on");
        }
        Ok(stale.len())
    }

    async fn add_follow_up(&self, row: &FollowUpRow) -> Result<(), DeliveryError> {
        let ticket = db::find(&self.pool, row.delivery_id).await?;
        let Some(ticket_id) = ticket.ticket_id else {
            return self.fail_follow_up(row.id, "The ticket is not made yet; the note is added once it is.").await;
        };
        let Some(desk) = self.desk(&ticket).await? else {
            let why = format!("{} is not configured.", psa_name(ticket.channel));
            return self.fail_follow_up(row.id, &why).await;
        };
        let psa = desk.name();
        if row.note_id.is_none() {
            // Added already (by an attempt whose answer was lost, or a process that stopped)?
            let existing = match desk.find_note(ticket_id, &row.reference).await {
                Ok(found) => found,
                Err(e) => return self.fail_follow_up(row.id, &format!("Reading the ticket's notes failed: {e}")).await,
            };
            let note_id = match existing {
                Some(id) => id,
                None => match desk.add_note(ticket_id, &row.title, &row.text_body, &row.reference).await {
                    Ok(id) => id,
                    Err(VendorError::Uncertain { detail, .. }) => match desk.find_note(ticket_id, &row.reference).await
                    {
                        Ok(Some(id)) => id,
                        Ok(None) => {
                            let error = format!("{psa}'s answer was lost ({detail}) and the note is not on the ticket; it is added next time.");
                            return self.fail_follow_up(row.id, &error).await;
                        }
                        Err(e) => {
                            let error = format!("{psa}'s answer was lost ({detail}) and reading the notes failed ({e}); they are read again before the note is sent.");
                            return self.fail_follow_up(row.id, &error).await;
                        }
                    },
                    Err(e) => return self.fail_follow_up(row.id, &format!("Adding the note failed: {e}")).await,
                },
            };
            db::note_made(&self.pool, row.id, note_id).await?;
        }
        if row.kind == FollowUpKind::Close {
            if let Err(e) = desk.close(ticket_id).await {
                // Closing twice changes nothing, but read first: the answer may just be lost.
                let done = desk.closed(&[ticket_id]).await.is_ok_and(|c| c.get(&ticket_id) == Some(&true));
                if !done {
                    return self.fail_follow_up(row.id, &format!("Closing the ticket failed: {e}")).await;
                }
            }
        }
        db::finish_follow_up(&self.pool, row.id, DeliveryStatus::Delivered, None).await?;
        Ok(())
    }

    async fn fail_follow_up(&self, id: i64, error: &str) -> Result<(), DeliveryError> {
        tracing::warn!(follow_up = id, error, "a ticket follow-up failed");
        db::finish_follow_up(&self.pool, id, DeliveryStatus::Failed, Some(error)).await?;
        Ok(())
    }
}

fn psa_name(channel: DeliveryChannel) -> &'static str {
    match channel {
        DeliveryChannel::ConnectWise => "ConnectWise Manage",
        DeliveryChannel::Halo => "HaloPSA",
        DeliveryChannel::Autotask => "Autotask",
        DeliveryChannel::Email => "E-mail",
    }
}

/// How many Halo tickets are read at once (Halo reads one ticket a request).
const HALO_READS_AT_ONCE: usize = 4;

impl Desk {
    /// The note on the ticket that carries `reference`, if there is one.
    async fn find_note(&self, ticket_id: i64, reference: &str) -> Result<Option<i64>, VendorError> {
        Ok(match self {
            Desk::Autotask { client, .. } => client
                .ticket_notes(ticket_id)
                .await?
                .into_iter()
                .find(|n| n.title.as_deref().is_some_and(|t| t.contains(reference)))
                .map(|n| n.id),
            Desk::ConnectWise { client, .. } => client
                .ticket_notes(ticket_id)
                .await?
                .into_iter()
                .find(|n| n.text.as_deref().is_some_and(|t| t.contains(reference)))
                .map(|n| n.id),
            Desk::Halo { client, .. } => {
                client.ticket_actions(ticket_id).await?.into_iter().find(|a| a.mentions(reference)).map(|a| a.id)
            }
        })
    }

    /// Adds the note, its title carrying `reference`; the note's id.
    async fn add_note(&self, ticket_id: i64, title: &str, text: &str, reference: &str) -> Result<i64, VendorError> {
        let titled = note_title(title, reference);
        Ok(match self {
            Desk::Autotask { client, .. } => client.add_ticket_note(ticket_id, &titled, text).await?,
            // ConnectWise's notes have no title: it is the note's first line.
            Desk::ConnectWise { client, .. } => {
                client.add_ticket_note(ticket_id, &format!("{titled}\n\n{text}")).await?.id
            }
            Desk::Halo { client, .. } => {
                let html = format!("<p><strong>{}</strong></p>{}", escape_html(&titled), text_to_html(text));
                client.add_note(ticket_id, &html).await?.id
            }
        })
    }

    /// Sets the ticket's closed status.
    async fn close(&self, ticket_id: i64) -> Result<(), VendorError> {
        match self {
            Desk::Autotask { client, .. } => client.complete_ticket(ticket_id).await,
            Desk::ConnectWise { client, .. } => {
                // A closed status of the board the ticket is on: statuses belong to a board.
                let ticket = client.tickets_by_id(&[ticket_id]).await?.into_iter().next();
                let Some(board) = ticket.and_then(|t| t.board).map(|b| b.id) else {
                    return Err(VendorError::Malformed {
                        vendor: "ConnectWise Manage",
                        what: "ticket".into(),
                        detail: format!("ticket {ticket_id} was not found or names no board"),
                    });
                };
                let statuses = client.board_statuses(board).await?;
                let Some(closed) = statuses.iter().find(|s| s.closed_status && !s.inactive) else {
                    return Err(VendorError::Malformed {
                        vendor: "ConnectWise Manage",
                        what: "status list".into(),
                        detail: format!("board {board} has no closed status"),
                    });
                };
                client.set_ticket_status(ticket_id, closed.id).await.map(|_| ())
            }
            Desk::Halo { client, .. } => client.set_ticket_status(ticket_id, client.closed_status_id()).await,
        }
    }

    /// Whether each of the tickets that still exists is closed; a ticket the PSA no longer has
    /// is missing from the answer.
    async fn closed(&self, ids: &[i64]) -> Result<HashMap<i64, bool>, VendorError> {
        match self {
            Desk::Autotask { client, .. } => {
                let (tickets, complete) = tokio::try_join!(client.tickets_by_id(ids), client.complete_status())?;
                Ok(tickets.into_iter().map(|t| (t.id, t.status == Some(complete))).collect())
            }
            Desk::ConnectWise { client, .. } => {
                Ok(client.tickets_by_id(ids).await?.into_iter().map(|t| (t.id, t.closed_flag)).collect())
            }
            Desk::Halo { client, .. } => {
                let closed_status = client.closed_status_id();
                let read: Vec<Result<Option<seatsync_vendors::halo::HaloTicket>, VendorError>> =
                    stream::iter(ids.to_vec())
                        .map(|id: i64| client.ticket(id))
                        .buffer_unordered(HALO_READS_AT_ONCE)
                        .collect()
                        .await;
                let mut states = HashMap::new();
                for ticket in read {
                    if let Some(t) = ticket? {
                        states.insert(t.id, t.status_id == Some(closed_status));
                    }
                }
                Ok(states)
            }
        }
    }
}

/// `title [reference]` within Autotask's note title length (the shortest of the three); the
/// reference is never cut.
fn note_title(title: &str, reference: &str) -> String {
    crate::summary_with_reference(title, reference, MAX_NOTE_TITLE_CHARS)
}
