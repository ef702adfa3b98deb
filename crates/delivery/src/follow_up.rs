//! Follow-ups on a delivered ticket: a note, or a note and then closing the ticket.
//!
//! Like a delivery, a follow-up is recorded before anything is sent and carried from its record
//! alone. The note's title carries a reference made from its key: before it is added, and again
//! when the answer was lost, the ticket's notes are searched for it, so a note is never added
//! twice. Closing sets the ticket's status to Complete, which changes nothing when done twice; a
//! lost answer is settled by reading the ticket.
//!
//! Autotask only for now: SeatSync maps tenants to Autotask companies, so the tickets that get
//! follow-ups (the unused-licence alerts) are Autotask's.

use std::collections::HashMap;

use seatsync_db::{
    deliveries::{self as db, DeliveryRow, FollowUpRow, NewFollowUp},
    locks::AdvisoryLock,
};
use seatsync_domain::kinds::{DeliveryChannel, DeliveryStatus, FollowUpKind};
use seatsync_vendors::{autotask::Autotask, VendorError};
use uuid::Uuid;

use crate::{reference, Delivery, DeliveryError, LOCK_CLASS};

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
        if ticket.channel != DeliveryChannel::Autotask {
            return Err(DeliveryError::Invalid(format!(
                "Notes are added to Autotask tickets only; this one went to {}.",
                ticket.channel
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
    /// Autotask allows (500 tickets to a query) rather than one per ticket: a daily run over
    /// hundreds of open tickets stays a handful of requests.
    pub async fn ticket_states(&self, ticket_keys: &[String]) -> Result<HashMap<String, TicketState>, DeliveryError> {
        let mut states = HashMap::new();
        let mut ids: HashMap<i64, String> = HashMap::new();
        let recorded: HashMap<String, DeliveryRow> =
            db::find_by_keys(&self.pool, ticket_keys).await?.into_iter().map(|d| (d.dedup_key.clone(), d)).collect();
        for key in ticket_keys {
            match recorded.get(key).cloned() {
                Some(DeliveryRow { ticket_id: Some(id), channel: DeliveryChannel::Autotask, .. }) => {
                    ids.insert(id, key.clone());
                }
                Some(DeliveryRow { ticket_id: Some(_), channel, .. }) => {
                    states.insert(key.clone(), TicketState::Unknown(format!("{channel} tickets are not read back")));
                }
                _ => {
                    states.insert(key.clone(), TicketState::NotMade);
                }
            }
        }
        if ids.is_empty() {
            return Ok(states);
        }
        let Some(autotask) = self.clients.autotask.get() else {
            for key in ids.into_values() {
                states.insert(key, TicketState::Unknown("Autotask is not configured.".into()));
            }
            return Ok(states);
        };
        let wanted: Vec<i64> = ids.keys().copied().collect();
        let read =
            async { Ok::<_, VendorError>((autotask.tickets_by_id(&wanted).await?, autotask.complete_status().await?)) };
        match read.await {
            Ok((tickets, complete)) => {
                let status: HashMap<i64, Option<i64>> = tickets.into_iter().map(|t| (t.id, t.status)).collect();
                for (id, key) in ids {
                    let state = match status.get(&id) {
                        None => TicketState::Gone,
                        Some(s) if *s == Some(complete) => TicketState::Closed,
                        Some(_) => TicketState::Open,
                    };
                    states.insert(key, state);
                }
            }
            Err(e) => {
                for key in ids.into_values() {
                    states.insert(key, TicketState::Unknown(e.to_string()));
                }
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

    fn autotask_for(&self, row: &DeliveryRow) -> Option<std::sync::Arc<dyn Autotask>> {
        (row.channel == DeliveryChannel::Autotask).then(|| self.clients.autotask.get()).flatten()
    }

    async fn add_follow_up(&self, row: &FollowUpRow) -> Result<(), DeliveryError> {
        let ticket = db::find(&self.pool, row.delivery_id).await?;
        let Some(ticket_id) = ticket.ticket_id else {
            return self.fail_follow_up(row.id, "The ticket is not made yet; the note is added once it is.").await;
        };
        let Some(autotask) = self.autotask_for(&ticket) else {
            return self.fail_follow_up(row.id, "Autotask is not configured.").await;
        };
        if row.note_id.is_none() {
            let found = |notes: Vec<seatsync_vendors::autotask::tickets::TicketNote>| {
                notes.into_iter().find(|n| n.title.as_deref().is_some_and(|t| t.contains(&row.reference))).map(|n| n.id)
            };
            // Added already (by an attempt whose answer was lost, or a process that stopped)?
            let existing = match autotask.ticket_notes(ticket_id).await {
                Ok(notes) => found(notes),
                Err(e) => return self.fail_follow_up(row.id, &format!("Reading the ticket's notes failed: {e}")).await,
            };
            let note_id = match existing {
                Some(id) => id,
                None => {
                    let title = note_title(&row.title, &row.reference);
                    match autotask.add_ticket_note(ticket_id, &title, &row.text_body).await {
                        Ok(id) => id,
                        Err(VendorError::Uncertain { detail, .. }) => match autotask.ticket_notes(ticket_id).await {
                            Ok(notes) => match found(notes) {
                                Some(id) => id,
                                None => {
                                    let error = format!("Autotask's answer was lost ({detail}) and the note is not on the ticket; it is added next time.");
                                    return self.fail_follow_up(row.id, &error).await;
                                }
                            },
                            Err(e) => {
                                let error = format!("Autotask's answer was lost ({detail}) and reading the notes failed ({e}); they are read again before the note is sent.");
                                return self.fail_follow_up(row.id, &error).await;
                            }
                        },
                        Err(e) => return self.fail_follow_up(row.id, &format!("Adding the note failed: {e}")).await,
                    }
                }
            };
            db::note_made(&self.pool, row.id, note_id).await?;
        }
        if row.kind == FollowUpKind::Close {
            if let Err(e) = autotask.complete_ticket(ticket_id).await {
                // Completing twice changes nothing, but read first: the answer may just be lost.
                let done = match (autotask.ticket(ticket_id).await, autotask.complete_status().await) {
                    (Ok(Some(t)), Ok(complete)) => t.status == Some(complete),
                    _ => false,
                };
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

/// `title [reference]` within Autotask's note title length; the reference is never cut.
fn note_title(title: &str, reference: &str) -> String {
    crate::summary_with_reference(title, reference, MAX_NOTE_TITLE_CHARS)
}
