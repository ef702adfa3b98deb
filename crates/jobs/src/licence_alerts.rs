//! The unused-licence alerts on the queue: Pax8 read, companies matched, every tenant weighed,
//! then each tenant's ticket opened, noted or closed, and the e-mails the Admin asked for sent.
//! A run taken over simply runs again: the findings are read and replaced, and every ticket,
//! note, close and e-mail goes through the delivery service under a key (an e-mail's names this
//! job run), so none is made twice. A Pax8 read that fails keeps the last good one, and a ticket
//! or e-mail that cannot be sent is tried again next run; the run then ends partial and says so.

use seatsync_db::{jobs as db, kinds::JobStatus, PgPool};

use crate::{Ended, JobParts, JobRun, Stop};

pub(crate) async fn run(pool: &PgPool, parts: &JobParts, stored: &JobRun) -> Result<Ended, Stop> {
    let summary = parts.licence_alerts.run(chrono::Utc::now()).await.map_err(|e| Stop::Retry(e.to_string()))?;
    db::set_detail(pool, stored.id, summary.run_id).await.map_err(|e| Stop::Retry(e.to_string()))?;
    let mut problems = Vec::new();
    if let Some(e) = summary.pax8_error {
        problems.push(format!("Pax8 could not be read ({e}); its last good read was used"));
    }
    match parts.alert_tickets.send_after(summary.run_id).await {
        Ok(tickets) if !tickets.failed.is_empty() => {
            problems.push(format!("tickets not sent (tried again next run): {}", tickets.failed.join("; ")));
        }
        Ok(_) => {}
        Err(e) => problems.push(format!("the tickets could not be sent: {e}")),
    }
    match parts.alert_tickets.email_after(summary.run_id, &format!("job-{}", stored.id)).await {
        Ok(Some(emails)) if !emails.failed.is_empty() => {
            problems.push(format!("e-mails not sent: {}", emails.failed.join("; ")));
        }
        Ok(_) => {}
        Err(e) => problems.push(format!("the e-mails could not be sent: {e}")),
    }
    Ok(if problems.is_empty() {
        Ended::ok()
    } else {
        Ended { status: JobStatus::Partial, error: Some(problems.join(". ")) }
    })
}
