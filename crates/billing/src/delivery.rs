//! Each report sent where the Admin said (`domain::billing_delivery`): a ticket "Billing
//! Reconciliation <period>" in the PSA for tickets and an e-mail, each with the report and its
//! changes as CSV files and the tools' log in the text, through the delivery service, so each is
//! sent once (its key names the report) and a lost answer is settled, never sent blindly again.

use seatsync_db::{deliveries::DeliveryRow, jobs as job_db, settings};
use seatsync_delivery::{Delivery, FileAttachment, Outgoing, Recipient};
use seatsync_domain::{
    billing::{changes, ToolStatus},
    billing_delivery::{period_words, BillingDelivery, BillingSchedule},
    kinds::{DeliveryStatus, JobKind, TicketPsa},
    CompanyId,
};

use crate::{BillingError, BillingReports, StoredReport};

/// Where the Admin's delivery settings are kept (`app_settings`).
pub const DELIVERY_KEY: &str = "billing_delivery";

/// How one way of sending a report fared.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// "a ticket in Autotask for Northwind MSP", "an e-mail to billing@…".
    pub what: String,
    pub ok: bool,
    /// What happened, in words (the ticket's number, or why it failed).
    pub said: String,
}

const CSV: &str = "text/csv; charset=utf-8";

impl BillingReports {
    pub async fn delivery_settings(&self) -> Result<BillingDelivery, BillingError> {
        Ok(settings::get(&self.pool, DELIVERY_KEY).await?.unwrap_or_default())
    }

    /// Sends report `report_id` each way the Admin set; what each did. A way that cannot be
    /// taken (a PSA not set up, a ticket company chosen in another PSA) is said as failed.
    pub async fn deliver(&self, delivery: &Delivery, report_id: i64) -> Result<Vec<Sent>, BillingError> {
        let wanted = self.delivery_settings().await?;
        if wanted.ticket_company.is_none() && wanted.email_to.is_empty() {
            return Ok(Vec::new());
        }
        let pair = self.with_previous(report_id).await?;
        let Some(shown) = pair.first() else { return Ok(Vec::new()) };
        let schedule = job_db::schedules(&self.pool).await?.into_iter().find(|s| s.job == JobKind::BillingReport);
        let frequency = schedule
            .and_then(|s| BillingSchedule::from_cron(s.app_cron.as_deref().unwrap_or(&s.cron)))
            .map(|s| s.frequency);
        let title = format!("Billing Reconciliation {}", period_words(frequency, shown.made_at));
        let text = log(shown, pair.get(1));
        let attachments = files(shown, pair.get(1));
        let mut sent = Vec::new();
        if let Some(company) = &wanted.ticket_company {
            let psa = delivery.ticket_psa().await.map_err(|e| BillingError::Delivery(e.to_string()))?;
            let what = format!("a ticket in {} for {}", psa.name(), company.name);
            let chosen_in = wanted.ticket_psa.unwrap_or_default();
            if chosen_in != psa {
                sent.push(Sent {
                    what,
                    ok: false,
                    said: format!(
                        "the company for billing tickets was chosen in {}, and tickets now go to {}: choose it again on the Billing page",
                        chosen_in.name(),
                        psa.name()
                    ),
                });
            } else {
                let to = match psa {
                    TicketPsa::Autotask => Recipient::AutotaskTicket {
                        company_id: CompanyId::new(company.id),
                        company_name: company.name.clone(),
                    },
                    TicketPsa::ConnectWise => {
                        Recipient::ConnectWiseTicket { company_id: company.id, company_name: company.name.clone() }
                    }
                    TicketPsa::Halo => {
                        Recipient::HaloTicket { client_id: company.id, client_name: company.name.clone() }
                    }
                };
                let outgoing = Outgoing {
                    dedup_key: format!("billing-report:{report_id}:ticket"),
                    purpose: "Billing report".into(),
                    title: title.clone(),
                    text: text.clone(),
                    html: None,
                    attachments: attachments.clone(),
                    to,
                };
                sent.push(outcome(what, delivery.deliver(None, outgoing).await));
            }
        }
        if !wanted.email_to.is_empty() {
            let what = format!("an e-mail to {}", wanted.email_to.join(", "));
            let outgoing = Outgoing {
                dedup_key: format!("billing-report:{report_id}:email"),
                purpose: "Billing report".into(),
                title,
                text,
                html: None,
                attachments,
                to: Recipient::Email { to: wanted.email_to.clone() },
            };
            sent.push(outcome(what, delivery.deliver(None, outgoing).await));
        }
        Ok(sent)
    }
}

fn outcome(what: String, answer: Result<DeliveryRow, seatsync_delivery::DeliveryError>) -> Sent {
    match answer {
        Ok(row) => {
            let (ok, said) = match row.status {
                DeliveryStatus::Delivered => {
                    (true, row.ticket_number.map(|n| format!("ticket {n}")).unwrap_or_else(|| "sent".into()))
                }
                DeliveryStatus::Uncertain => {
                    (false, "the answer was lost; SeatSync does not send it again by itself (the Jobs page can)".into())
                }
                DeliveryStatus::Pending | DeliveryStatus::Failed => {
                    (false, row.error.unwrap_or_else(|| "not sent yet; it is tried again".into()))
                }
            };
            Sent { what, ok, said }
        }
        Err(e) => Sent { what, ok: false, said: e.to_string() },
    }
}

/// The text of the ticket and e-mail: the report in numbers and each tool's log, so nobody bills
/// from a blank without knowing why.
fn log(shown: &StoredReport, before: Option<&StoredReport>) -> String {
    let report = &shown.report.0;
    let mut text = format!(
        "The billing count report of {}: {} companies, {} columns. The report and what changed since the one before are attached as CSV files.\n\nTools:\n",
        shown.made_at.format("%Y-%m-%d %H:%M UTC"),
        report.companies.len(),
        report.columns.len()
    );
    for t in &shown.tools.0 {
        let status = match &t.status {
            ToolStatus::Ok => {
                format!("counted {} companies in {:.1} s", t.companies, t.milliseconds as f64 / 1000.0)
                    + &t.requests.map(|n| format!(" ({n} requests)")).unwrap_or_default()
            }
            ToolStatus::Failed(why) => format!("FAILED, its columns are blank: {why}"),
            ToolStatus::NotConfigured => "not set up".into(),
        };
        text.push_str(&format!("- {}: {status}", t.tool));
        if let Some(note) = &t.note {
            text.push_str(&format!(" ({note})"));
        }
        if !t.unplaced.is_empty() {
            text.push_str(&format!(
                "; {} of its customers are in no company and not counted: {}",
                t.unplaced.len(),
                t.unplaced.join(", ")
            ));
        }
        text.push('\n');
    }
    match before {
        Some(b) => {
            let found = changes(&b.report.0, report);
            text.push_str(&format!(
                "\nSince the report of {}: {} cells changed, {} customers appeared and {} went, {} columns appeared and {} went.\n",
                b.made_at.format("%Y-%m-%d"),
                found.cells.len(),
                found.companies_added.len(),
                found.companies_removed.len(),
                found.columns_added.len(),
                found.columns_removed.len()
            ));
        }
        None => text.push_str("\nThis is the first report: there is nothing to compare it with.\n"),
    }
    text
}

fn files(shown: &StoredReport, before: Option<&StoredReport>) -> Vec<FileAttachment> {
    let day = shown.made_at.format("%Y-%m-%d");
    let mut files = vec![FileAttachment {
        file_name: format!("billing-report-{day}.csv"),
        content_type: CSV.into(),
        bytes: shown.report.0.to_csv(),
    }];
    if let Some(b) = before {
        files.push(FileAttachment {
            file_name: format!("billing-changes-{day}.csv"),
            content_type: CSV.into(),
            bytes: changes(&b.report.0, &shown.report.0).to_csv(),
        });
    }
    files
}
