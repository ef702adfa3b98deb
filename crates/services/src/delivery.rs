//! Deliveries: the Jobs page's list of tickets and e-mails, the test sends on the SMTP and
//! Autotask pages, and how tickets are filed (the Admin's defaults, chosen from Autotask's lists).

use seatsync_api_types::{
    jobs::DeliveryInfo,
    settings::{
        ConnectWiseDefaultsInfo, HaloDefaultsInfo, PickOption, PsaCompany, TestDelivery, TicketDefaultChoice,
        TicketDefaultField, TicketDefaultsInfo,
    },
};
use seatsync_db::deliveries::DeliveryRow;
use seatsync_delivery::{
    ConnectWiseDefaults, DeliveryError, FileAttachment, HaloDefaults, Outgoing, Recipient, CONNECTWISE_DEFAULTS_KEY,
    HALO_DEFAULTS_KEY, TICKET_DEFAULTS_KEY,
};
use seatsync_domain::{
    kinds::{DeliveryChannel, DeliveryStatus, TicketPsa},
    CompanyId,
};
use seatsync_vendors::autotask::tickets::{TicketDefaults, DEFAULT_FIELDS};

use crate::{ServiceError, Services, Staff};

/// How many deliveries the Jobs page lists.
const RECENT_DELIVERIES: i64 = 25;

impl From<DeliveryError> for ServiceError {
    fn from(e: DeliveryError) -> Self {
        match e {
            DeliveryError::Invalid(message) => ServiceError::Invalid(message),
            DeliveryError::NotConfigured(_) => ServiceError::Conflict(e.to_string()),
            DeliveryError::Db(e) => e.into(),
        }
    }
}

fn delivery_info(row: DeliveryRow, attachments: i32) -> DeliveryInfo {
    let recipient = match row.channel {
        DeliveryChannel::Email => row.email_to.clone().unwrap_or_default().join(", "),
        DeliveryChannel::Autotask | DeliveryChannel::ConnectWise | DeliveryChannel::Halo => format!(
            "{} ({})",
            row.company_name.clone().unwrap_or_else(|| format!("company {}", row.company_id.unwrap_or(0))),
            match row.channel {
                DeliveryChannel::Autotask => "Autotask",
                DeliveryChannel::ConnectWise => "ConnectWise",
                _ => "HaloPSA",
            }
        ),
    };
    DeliveryInfo {
        id: row.id,
        channel: row.channel,
        purpose: row.purpose,
        title: row.title,
        recipient,
        status: row.status,
        attempts: row.attempts,
        attachments,
        answer: row.answer,
        error: row.error,
        requested_by: row.requested_by_name,
        created_at: row.created_at,
        delivered_at: row.delivered_at,
    }
}

/// A delivery's outcome in words, for the page that asked for it.
fn outcome(row: &DeliveryRow) -> TestDelivery {
    match row.status {
        DeliveryStatus::Delivered => TestDelivery {
            ok: true,
            message: format!("Sent: {}", row.answer.clone().unwrap_or_else(|| "delivered".into())),
        },
        _ => TestDelivery { ok: false, message: row.error.clone().unwrap_or_else(|| "Not sent yet.".into()) },
    }
}

/// The small file every test delivery carries, so attachments are tested too.
fn test_file() -> FileAttachment {
    FileAttachment {
        file_name: "seatsync-test.csv".into(),
        content_type: "text/csv".into(),
        bytes: b"Check,Result\r\nDelivery from SeatSync,OK\r\n".to_vec(),
    }
}

impl Services {
    pub(crate) async fn recent_deliveries(&self) -> Result<Vec<DeliveryInfo>, ServiceError> {
        let rows = self.delivery.recent(RECENT_DELIVERIES).await?;
        let counts =
            seatsync_db::deliveries::attachment_counts(&self.pool, &rows.iter().map(|r| r.id).collect::<Vec<_>>())
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let n = counts.get(&r.id).copied().unwrap_or(0);
                delivery_info(r, n)
            })
            .collect())
    }

    /// A person's "Send again" for an e-mail that may not have arrived (Jobs page); what came of
    /// it, in words.
    pub async fn send_again(&self, by: &Staff, id: i64) -> Result<TestDelivery, ServiceError> {
        let row = self.delivery.send_again(id).await.map_err(|e| match e {
            // Sent already (or never in doubt): the state no longer allows it.
            DeliveryError::Invalid(message) => ServiceError::Conflict(message),
            DeliveryError::Db(seatsync_db::DbError::NotFound) => ServiceError::NotFound("That e-mail".into()),
            other => other.into(),
        })?;
        tracing::info!(by = %by.email, delivery = id, status = %row.status, "an uncertain e-mail was sent again");
        Ok(outcome(&row))
    }

    /// Sends a test e-mail with a small attachment to `to` (Admin, from the SMTP page).
    pub async fn send_test_email(&self, by: &Staff, to: &str) -> Result<TestDelivery, ServiceError> {
        let to = to.trim();
        let outgoing = Outgoing {
            dedup_key: format!("test-email:{}", uuid::Uuid::new_v4()),
            purpose: "Test e-mail".into(),
            title: "SeatSync test e-mail".into(),
            text: format!(
                "{} sent this test from SeatSync's SMTP page. The attached file shows attachments arrive.",
                by.name
            ),
            html: Some(format!(
                "<p>{} sent this test from SeatSync's SMTP page.</p><p>The attached file shows attachments arrive.</p>",
                escape(&by.name)
            )),
            attachments: vec![test_file()],
            to: Recipient::Email { to: vec![to.to_string()] },
        };
        let row = self.delivery.deliver(Some(by.id), outgoing).await?;
        Ok(outcome(&row))
    }

    /// Opens a test ticket with a small attachment for a company of `psa` (Admin, from the PSA's
    /// page): one form and one path for the three PSAs, the one the real tickets take.
    pub async fn send_test_ticket(
        &self,
        by: &Staff,
        psa: TicketPsa,
        company_id: i64,
    ) -> Result<TestDelivery, ServiceError> {
        let company = self
            .psa_companies(psa)
            .await?
            .into_iter()
            .find(|c| c.id == company_id)
            .ok_or_else(|| ServiceError::NotFound(format!("That {} {}", psa.name(), psa.company_word())))?;
        let to = match psa {
            TicketPsa::Autotask => {
                Recipient::AutotaskTicket { company_id: CompanyId::new(company_id), company_name: company.name }
            }
            TicketPsa::ConnectWise => Recipient::ConnectWiseTicket { company_id, company_name: company.name },
            TicketPsa::Halo => Recipient::HaloTicket { client_id: company_id, client_name: company.name },
        };
        let said =
            format!("{} opened this test ticket from SeatSync's {} page. It can be closed.", by.name, psa.name());
        let outgoing = Outgoing {
            dedup_key: format!("test-ticket:{}:{}", psa, uuid::Uuid::new_v4()),
            purpose: "Test ticket".into(),
            title: "SeatSync test ticket".into(),
            text: format!("{said} The attached file shows attachments arrive."),
            // Halo shows HTML; the others take the text.
            html: (psa == TicketPsa::Halo)
                .then(|| format!("<p>{}</p><p>The attached file shows attachments arrive.</p>", escape(&said))),
            attachments: vec![test_file()],
            to,
        };
        let row = self.delivery.deliver(Some(by.id), outgoing).await?;
        Ok(outcome(&row))
    }

    /// The companies (Halo: clients) of `psa` that a ticket can be opened for, by name: Autotask's
    /// active ones as last read, the others' read now.
    pub async fn psa_companies(&self, psa: TicketPsa) -> Result<Vec<PsaCompany>, ServiceError> {
        let mut companies: Vec<PsaCompany> = match psa {
            TicketPsa::Autotask => self
                .autotask_companies()
                .await?
                .into_iter()
                .filter(|c| c.active)
                .map(|c| PsaCompany { id: c.id.get(), name: c.name })
                .collect(),
            TicketPsa::ConnectWise => self
                .connectwise()?
                .companies()
                .await
                .map_err(|e| ServiceError::Upstream(format!("ConnectWise's companies could not be read: {e}")))?
                .into_iter()
                .map(|c| PsaCompany { id: c.id, name: c.name })
                .collect(),
            TicketPsa::Halo => self
                .halo()?
                .clients()
                .await
                .map_err(|e| ServiceError::Upstream(format!("HaloPSA's clients could not be read: {e}")))?
                .into_iter()
                .map(|c| PsaCompany { id: c.id, name: c.name })
                .collect(),
        };
        companies.sort_by_key(|c| c.name.to_lowercase());
        Ok(companies)
    }

    /// The ticket fields an Admin chooses defaults for, each with Autotask's list (Admin).
    pub async fn ticket_defaults(&self) -> Result<TicketDefaultsInfo, ServiceError> {
        let autotask = self.mapping.autotask()?;
        let chosen: TicketDefaults =
            seatsync_db::settings::get(&self.pool, TICKET_DEFAULTS_KEY).await?.unwrap_or_default();
        let mut fields = Vec::new();
        for (field, label) in DEFAULT_FIELDS {
            let values = autotask.picklist("Tickets", field).await.map_err(|e| {
                ServiceError::Upstream(format!("Autotask's list of ticket {label}s could not be read: {e}"))
            })?;
            let options = values
                .into_iter()
                .filter(|v| v.is_active)
                .filter_map(|v| {
                    Some(PickOption { value: v.value.trim().parse().ok()?, label: v.label, is_default: v.is_default })
                })
                .collect();
            fields.push(TicketDefaultField {
                field: field.into(),
                label: label.into(),
                options,
                chosen: chosen.get(field),
            });
        }
        Ok(TicketDefaultsInfo { fields })
    }

    /// Saves the ticket defaults; each value must be one of Autotask's list for its field.
    pub async fn save_ticket_defaults(
        &self,
        by: &Staff,
        chosen: Vec<TicketDefaultChoice>,
    ) -> Result<TicketDefaultsInfo, ServiceError> {
        let lists = self.ticket_defaults().await?;
        let mut defaults = TicketDefaults::default();
        for TicketDefaultChoice { field, value } in chosen {
            let list = lists
                .fields
                .iter()
                .find(|f| f.field == field)
                .ok_or_else(|| ServiceError::Invalid(format!("'{field}' is not a ticket field SeatSync sets.")))?;
            if let Some(v) = value {
                if !list.options.iter().any(|o| o.value == v) {
                    return Err(ServiceError::Invalid(format!(
                        "{v} is not one of Autotask's {}s.",
                        list.label.to_lowercase()
                    )));
                }
            }
            defaults.set(&field, value);
        }
        seatsync_db::settings::set(&self.pool, TICKET_DEFAULTS_KEY, &defaults, by.id).await?;
        tracing::info!(by = %by.email, "ticket defaults changed");
        self.ticket_defaults().await
    }
}

/// Text for HTML: the five characters that matter escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

impl Services {
    fn connectwise(&self) -> Result<std::sync::Arc<dyn seatsync_vendors::connectwise::ConnectWise>, ServiceError> {
        self.integrations.slots().connectwise.get().ok_or_else(|| {
            ServiceError::Conflict("ConnectWise Manage is not configured: set it up on its page first.".into())
        })
    }

    /// The statuses of a ConnectWise board, to choose the one tickets open in (Admin).
    pub async fn connectwise_statuses(&self, board_id: i64) -> Result<Vec<PickOption>, ServiceError> {
        let statuses = self
            .connectwise()?
            .board_statuses(board_id)
            .await
            .map_err(|e| ServiceError::Upstream(format!("ConnectWise's statuses could not be read: {e}")))?;
        Ok(statuses
            .into_iter()
            .filter(|s| !s.inactive)
            .map(|s| PickOption { value: s.id, label: s.name, is_default: s.default_flag })
            .collect())
    }

    /// The board and status ConnectWise tickets open in, with the lists to choose from (Admin).
    pub async fn connectwise_defaults(&self) -> Result<ConnectWiseDefaultsInfo, ServiceError> {
        let cw = self.connectwise()?;
        let chosen: ConnectWiseDefaults =
            seatsync_db::settings::get(&self.pool, CONNECTWISE_DEFAULTS_KEY).await?.unwrap_or_default();
        let boards = cw
            .boards()
            .await
            .map_err(|e| ServiceError::Upstream(format!("ConnectWise's boards could not be read: {e}")))?
            .into_iter()
            .filter(|b| !b.inactive)
            .map(|b| PickOption { value: b.id, label: b.name, is_default: false })
            .collect();
        let statuses = match chosen.board_id {
            Some(board) => self.connectwise_statuses(board).await?,
            None => Vec::new(),
        };
        Ok(ConnectWiseDefaultsInfo { boards, board_id: chosen.board_id, statuses, status_id: chosen.status_id })
    }

    /// Saves the board and status, each checked against ConnectWise's lists (Admin).
    pub async fn save_connectwise_defaults(
        &self,
        by: &Staff,
        board_id: Option<i64>,
        status_id: Option<i64>,
    ) -> Result<ConnectWiseDefaultsInfo, ServiceError> {
        let lists = self.connectwise_defaults().await?;
        if let Some(board) = board_id {
            if !lists.boards.iter().any(|b| b.value == board) {
                return Err(ServiceError::Invalid(format!("{board} is not one of ConnectWise's boards.")));
            }
        }
        if let Some(status) = status_id {
            let Some(board) = board_id else {
                return Err(ServiceError::Invalid("Choose the board before its status.".into()));
            };
            if !self.connectwise_statuses(board).await?.iter().any(|s| s.value == status) {
                return Err(ServiceError::Invalid(format!("{status} is not a status of that board.")));
            }
        }
        let defaults = ConnectWiseDefaults { board_id, status_id };
        seatsync_db::settings::set(&self.pool, CONNECTWISE_DEFAULTS_KEY, &defaults, by.id).await?;
        tracing::info!(by = %by.email, "ConnectWise ticket defaults changed");
        self.connectwise_defaults().await
    }
}

impl Services {
    fn halo(&self) -> Result<std::sync::Arc<dyn seatsync_vendors::halo::Halo>, ServiceError> {
        self.integrations
            .slots()
            .halo
            .get()
            .ok_or_else(|| ServiceError::Conflict("HaloPSA is not configured: set it up on its page first.".into()))
    }

    /// The ticket type HaloPSA tickets open as, with Halo's list (Admin).
    pub async fn halo_defaults(&self) -> Result<HaloDefaultsInfo, ServiceError> {
        let chosen: HaloDefaults = seatsync_db::settings::get(&self.pool, HALO_DEFAULTS_KEY).await?.unwrap_or_default();
        let ticket_types = self
            .halo()?
            .ticket_types()
            .await
            .map_err(|e| ServiceError::Upstream(format!("HaloPSA's ticket types could not be read: {e}")))?
            .into_iter()
            .map(|t| PickOption { value: t.id, label: t.name, is_default: false })
            .collect();
        Ok(HaloDefaultsInfo { ticket_types, ticket_type_id: chosen.ticket_type_id })
    }

    /// Saves the ticket type, checked against Halo's list (Admin).
    pub async fn save_halo_defaults(
        &self,
        by: &Staff,
        ticket_type_id: Option<i64>,
    ) -> Result<HaloDefaultsInfo, ServiceError> {
        let lists = self.halo_defaults().await?;
        if let Some(t) = ticket_type_id {
            if !lists.ticket_types.iter().any(|o| o.value == t) {
                return Err(ServiceError::Invalid(format!("{t} is not one of HaloPSA's ticket types.")));
            }
        }
        seatsync_db::settings::set(&self.pool, HALO_DEFAULTS_KEY, &HaloDefaults { ticket_type_id }, by.id).await?;
        tracing::info!(by = %by.email, "HaloPSA ticket default changed");
        self.halo_defaults().await
    }
}
