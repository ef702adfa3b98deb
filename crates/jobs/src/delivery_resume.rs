//! The resume of deliveries on the queue: a ticket or e-mail whose process stopped half-way is
//! carried to its end from its record (the ticket looked for by its reference first), never sent
//! twice; likewise a ticket note or close (the note looked for by its reference first).

use crate::{Ended, JobParts, Stop};

/// A delivery untouched this long belongs to a process that stopped (one in progress updates its
/// record at every step).
const STALE_AFTER: chrono::Duration = chrono::Duration::minutes(2);

pub(crate) async fn run(parts: &JobParts) -> Result<Ended, Stop> {
    let resumed = match parts.delivery.resume_stale(STALE_AFTER).await {
        Ok(deliveries) => parts.delivery.resume_stale_follow_ups(STALE_AFTER).await.map(|notes| deliveries + notes),
        Err(e) => Err(e),
    };
    match resumed {
        Ok(resumed) => {
            if resumed > 0 {
                tracing::info!(resumed, "interrupted deliveries carried to their end");
            }
            Ok(Ended::ok())
        }
        Err(e) => Ok(Ended::failed(e.to_string())),
    }
}
