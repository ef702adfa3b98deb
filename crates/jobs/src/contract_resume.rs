//! The resume of contract creations on the queue: a creation whose process stopped half-way is
//! carried to its end from what Autotask holds (read first), never creating a contract twice.

use chrono::Utc;

use crate::{Ended, JobParts, Stop};

pub(crate) async fn run(parts: &JobParts) -> Result<Ended, Stop> {
    match parts.contracts.resume_interrupted(Utc::now().date_naive()).await {
        Ok(resumed) => {
            if resumed > 0 {
                tracing::info!(resumed, "interrupted contract creations carried to their end");
            }
            Ok(Ended::ok())
        }
        Err(e) => Ok(Ended::failed(e.to_string())),
    }
}
