//! The Billing page: the billing count report as a table, with each tool's outcome and what
//! changed since the report before it, and its CSV files (the report, and the changes).

use std::collections::HashMap;

use seatsync_api_types::{
    billing::{
        BillingCell, BillingExportRow, BillingReportExport, BillingReportLine, BillingReportRef, BillingReportView,
        BillingRow, BillingView, ChangesSummary, ReportSent, ToolLine, TotalsPoint,
    },
    overview::CsvFile,
};
use seatsync_billing::{BillingError, StoredReport};
use seatsync_domain::{
    billing::{changes, Changes, Column, ToolStatus},
    kinds::{BillingTool, DeliveryStatus, JobKind},
};

use crate::{ServiceError, Services};

impl From<BillingError> for ServiceError {
    fn from(e: BillingError) -> Self {
        match e {
            BillingError::Db(seatsync_db::DbError::NotFound) => ServiceError::NotFound("That billing report".into()),
            BillingError::Db(e) => e.into(),
            BillingError::Delivery(why) => ServiceError::Upstream(why),
        }
    }
}

/// A billing run's progress in words.
fn run_progress(run: &seatsync_db::jobs::JobRun) -> String {
    match (run.done, run.total) {
        (Some(done), Some(total)) => {
            let mut words = format!("{done} of {total} tools read");
            if let Some(note) = &run.step_note {
                words.push_str("; ");
                words.push_str(note);
            }
            words
        }
        _ if run.started_at.is_some() => "Starting: reading the PSA's companies".to_string(),
        _ => "Waiting for its turn in the queue".to_string(),
    }
}

impl Services {
    /// The report `report_id` (the newest without one), with the list of every report.
    pub async fn billing_view(&self, report_id: Option<i64>) -> Result<BillingView, ServiceError> {
        let (pair, lines, totals, active) = tokio::try_join!(
            async { self.billing_pair(report_id).await },
            async { Ok::<_, ServiceError>(self.billing.lines().await?) },
            async { Ok::<_, ServiceError>(self.billing.totals().await?) },
            async {
                Ok::<_, ServiceError>(seatsync_db::jobs::active_run(&self.pool, JobKind::BillingReport, None).await?)
            },
        )?;
        let progress = match active {
            Some(run) => Some(run_progress(&seatsync_db::jobs::find_run(&self.pool, run).await?)),
            None => None,
        };
        let sent = match &pair {
            Some((shown, _)) => self.report_sent(shown.id).await?,
            None => Vec::new(),
        };
        Ok(BillingView {
            report: pair.map(|(shown, before)| BillingReportView { sent, ..report_view(&shown, before.as_ref()) }),
            reports: lines.into_iter().map(|l| BillingReportLine { id: l.id, made_at: l.made_at }).collect(),
            running: active.is_some(),
            progress,
            configured: self.mapping.autotask_configured(),
            history: totals.into_iter().map(|t| TotalsPoint { at: t.made_at, totals: t.totals.0 }).collect(),
        })
    }

    /// The report as a CSV: Company first, then every tool's columns.
    pub async fn billing_csv(&self, report_id: Option<i64>) -> Result<CsvFile, ServiceError> {
        let (shown, _) = self.billing_pair(report_id).await?.ok_or_else(no_report)?;
        Ok(CsvFile {
            file_name: format!("billing-report-{}.csv", shown.made_at.format("%Y-%m-%d")),
            text: String::from_utf8_lossy(&shown.report.0.to_csv()).into_owned(),
        })
    }

    /// What changed since the report before, as a CSV (company, column, before, after).
    pub async fn billing_changes_csv(&self, report_id: Option<i64>) -> Result<CsvFile, ServiceError> {
        let (shown, before) = self.billing_pair(report_id).await?.ok_or_else(no_report)?;
        let found = before.map(|b| changes(&b.report.0, &shown.report.0)).unwrap_or_default();
        Ok(CsvFile {
            file_name: format!("billing-changes-{}.csv", shown.made_at.format("%Y-%m-%d")),
            text: String::from_utf8_lossy(&found.to_csv()).into_owned(),
        })
    }

    /// The report `report_id` (the newest without one) as the HTTP API's JSON.
    pub async fn billing_export(&self, report_id: Option<i64>) -> Result<BillingReportExport, ServiceError> {
        let (shown, _) = self.billing_pair(report_id).await?.ok_or_else(no_report)?;
        let report = &shown.report.0;
        Ok(BillingReportExport {
            id: shown.id,
            made_at: shown.made_at,
            columns: report.columns.iter().map(Column::heading).collect(),
            rows: report
                .companies
                .iter()
                .map(|c| BillingExportRow {
                    company_id: c.id,
                    company: c.name.clone(),
                    cells: (0..report.columns.len()).map(|i| report.cell(c.id, i)).collect(),
                })
                .collect(),
            tools: tool_lines(&shown),
        })
    }

    /// Every report made, newest first, for the HTTP API.
    pub async fn billing_report_refs(&self) -> Result<Vec<BillingReportRef>, ServiceError> {
        Ok(self.billing.lines().await?.into_iter().map(|l| BillingReportRef { id: l.id, made_at: l.made_at }).collect())
    }

    /// How report `id` was sent: its ticket and e-mail, as the delivery service recorded them.
    async fn report_sent(&self, id: i64) -> Result<Vec<ReportSent>, ServiceError> {
        let keys = [format!("billing-report:{id}:ticket"), format!("billing-report:{id}:email")];
        let rows = seatsync_db::deliveries::find_by_keys(&self.pool, &keys).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let what = match (&row.company_name, &row.email_to) {
                    (Some(company), _) => format!("A ticket for {company}"),
                    (None, Some(to)) => format!("An e-mail to {}", to.join(", ")),
                    _ => "A message".into(),
                };
                let (ok, said) = match row.status {
                    DeliveryStatus::Delivered => (
                        true,
                        row.ticket_number
                            .map(|n| format!("delivered: ticket {n}"))
                            .unwrap_or_else(|| "delivered".into()),
                    ),
                    DeliveryStatus::Uncertain => (
                        false,
                        "its answer was lost: check with the recipient (the Jobs page can send it again)".into(),
                    ),
                    DeliveryStatus::Pending => (false, "waiting to be sent".into()),
                    DeliveryStatus::Failed => {
                        (false, format!("failed: {}", row.error.unwrap_or_else(|| "no reason given".into())))
                    }
                };
                ReportSent { what, ok, said }
            })
            .collect())
    }

    async fn billing_pair(
        &self,
        report_id: Option<i64>,
    ) -> Result<Option<(StoredReport, Option<StoredReport>)>, ServiceError> {
        let mut found = match report_id {
            Some(id) => self.billing.with_previous(id).await?,
            None => self.billing.newest().await?,
        };
        if found.is_empty() {
            return Ok(None);
        }
        let shown = found.remove(0);
        Ok(Some((shown, found.into_iter().next())))
    }
}

fn no_report() -> ServiceError {
    ServiceError::NotFound("A billing report (none was made yet)".into())
}

fn report_view(shown: &StoredReport, before: Option<&StoredReport>) -> BillingReportView {
    let report = &shown.report.0;
    let found: Option<Changes> = before.map(|b| changes(&b.report.0, report));
    let changed: HashMap<(i64, &Column), Option<i64>> =
        found.iter().flat_map(|c| c.cells.iter().map(|cell| ((cell.company.id, &cell.column), cell.before))).collect();
    let rows = report
        .companies
        .iter()
        .map(|company| BillingRow {
            company: company.name.clone(),
            cells: report
                .columns
                .iter()
                .enumerate()
                .map(|(i, column)| {
                    let was = changed.get(&(company.id, column));
                    BillingCell {
                        value: report.cell(company.id, i),
                        changed: was.is_some(),
                        before: was.copied().flatten(),
                    }
                })
                .collect(),
        })
        .collect();
    let tools = tool_lines(shown);
    let headings = |columns: &[Column]| columns.iter().map(Column::heading).collect::<Vec<_>>();
    BillingReportView {
        id: shown.id,
        made_at: shown.made_at,
        columns: headings(&report.columns),
        rows,
        tools,
        changes: before.zip(found).map(|(b, c)| ChangesSummary {
            previous_id: b.id,
            previous_at: b.made_at,
            cells: c.cells.len(),
            companies_added: c.companies_added.into_iter().map(|c| c.name).collect(),
            companies_removed: c.companies_removed.into_iter().map(|c| c.name).collect(),
            columns_added: headings(&c.columns_added),
            columns_removed: headings(&c.columns_removed),
        }),
        sent: Vec::new(),
    }
}

/// How each tool fared in a report, in words.
fn tool_lines(shown: &StoredReport) -> Vec<ToolLine> {
    shown
        .tools
        .0
        .iter()
        .map(|t| ToolLine {
            tool: t.tool.clone(),
            ok: t.status == ToolStatus::Ok,
            status: match &t.status {
                ToolStatus::Ok => "counted".into(),
                ToolStatus::Failed(why) => format!("failed: {why}"),
                ToolStatus::NotConfigured => "not set up".into(),
            },
            milliseconds: t.milliseconds,
            requests: t.requests,
            companies: t.companies,
            unplaced: t.unplaced.clone(),
            note: t.note.clone(),
            customers_page: BillingTool::ALL.into_iter().find(|b| b.name().eq_ignore_ascii_case(&t.tool)),
        })
        .collect()
}
