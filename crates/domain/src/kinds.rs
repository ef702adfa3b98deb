//! The states and kinds stored as text under a `CHECK` constraint, as types: each enum spells
//! exactly the values its constraint allows, so a misspelt state cannot be written or read. The
//! pages receive the same enums (serde uses the stored spelling), so a page matches on a variant
//! rather than on a string that could drift from the database's. With the `sqlx` feature (the
//! `db` crate's) they decode from and bind to the text columns.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a text-backed enum: its variants with their stored spelling.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "text"))]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] #[cfg_attr(feature = "sqlx", sqlx(rename = $text))] $variant),+
        }

        impl $name {
            /// The value as stored (and as the pages receive it).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// Who started a run (`sync_runs.trigger`, `contract_sync_runs.trigger`).
    RunTrigger { Schedule = "schedule", Manual = "manual" }
}

text_enum! {
    /// Where a run stands (`sync_runs.status`, `contract_sync_runs.status`).
    RunStatus { Running = "running", Succeeded = "succeeded", Partial = "partial", Failed = "failed" }
}

text_enum! {
    /// One tenant's outcome in a run (`sync_run_tenants.outcome`, `contract_sync_tenants.outcome`).
    TenantOutcome {
        Ok = "ok",
        /// One source failed, what the other returned was stored (licence sync only).
        Partial = "partial",
        Failed = "failed",
        Skipped = "skipped",
    }
}

text_enum! {
    /// Where a contract creation stands (`contract_creations.state`).
    CreationState {
        /// The intent is recorded; the contract may or may not exist in Autotask yet.
        Pending = "pending",
        /// The contract exists (its id is recorded); its services may not all be there yet.
        ContractCreated = "contract_created",
        Done = "done",
        Failed = "failed",
    }
}

impl CreationState {
    /// Still to be carried to the end (by the click that started it, or a resume).
    pub fn is_open(self) -> bool {
        matches!(self, CreationState::Pending | CreationState::ContractCreated)
    }
}

text_enum! {
    /// What a contract change did (`contract_changes.kind`).
    ChangeKind { CreateContract = "create_contract", AddService = "add_service", AdjustUnits = "adjust_units", FlagEnded = "flag_ended" }
}

text_enum! {
    /// How a contract change ended (`contract_changes.outcome`).
    ChangeOutcome {
        Applied = "applied",
        /// A dry run's change, or one not tried yet.
        Planned = "planned",
        /// Left for a person (an ended subscription is never removed by SeatSync).
        Flagged = "flagged",
        Failed = "failed",
    }
}

text_enum! {
    /// A job on the queue (`job_runs.job`, `job_schedules.job`).
    JobKind {
        LicenceSync = "licence_sync",
        AutotaskRefresh = "autotask_refresh",
        ContractSync = "contract_sync",
        /// Carries contract creations whose process stopped half-way to their end.
        ContractResume = "contract_resume",
        /// Carries tickets and e-mails whose process stopped half-way to their end.
        DeliveryResume = "delivery_resume",
        /// Reads Pax8 and finds every tenant's reducible seats.
        LicenceAlerts = "licence_alerts",
        /// Counts every tool's seats and devices per PSA company.
        BillingReport = "billing_report",
    }
}

impl JobKind {
    pub const ALL: [JobKind; 7] = [
        JobKind::LicenceSync,
        JobKind::AutotaskRefresh,
        JobKind::ContractSync,
        JobKind::ContractResume,
        JobKind::DeliveryResume,
        JobKind::LicenceAlerts,
        JobKind::BillingReport,
    ];

    pub fn parse(text: &str) -> Option<JobKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The job's name on the Jobs page.
    pub fn title(self) -> &'static str {
        match self {
            JobKind::LicenceSync => "Licence sync",
            JobKind::AutotaskRefresh => "Autotask refresh",
            JobKind::ContractSync => "Contract sync",
            JobKind::ContractResume => "Resume of contract creations",
            JobKind::DeliveryResume => "Resume of tickets and e-mails",
            JobKind::LicenceAlerts => "Unused-licence alerts",
            JobKind::BillingReport => "Billing count report",
        }
    }

    /// What a run does, in a sentence.
    pub fn purpose(self) -> &'static str {
        match self {
            JobKind::LicenceSync => {
                "Reads every tenant's subscriptions from Partner Center and its seats from Microsoft Graph."
            }
            JobKind::AutotaskRefresh => "Reads Autotask's companies and services, for the mapping pages.",
            JobKind::ContractSync => "Brings every mapped tenant's Autotask contract in line with Partner Center.",
            JobKind::ContractResume => {
                "Finishes contract creations whose server stopped half-way, without creating anything twice."
            }
            JobKind::DeliveryResume => {
                "Finishes tickets and e-mails whose server stopped half-way, without sending anything twice."
            }
            JobKind::LicenceAlerts => {
                "Reads Pax8, matches it to Partner Center and finds the seats each tenant could give back."
            }
            JobKind::BillingReport => "Counts every tool's seats and devices per PSA company, for billing.",
        }
    }

    /// Whether an Editor may start a run by hand (the syncs); the resume runs on its own.
    pub fn runs_by_hand(self) -> bool {
        !matches!(self, JobKind::ContractResume | JobKind::DeliveryResume)
    }
}

text_enum! {
    /// Which tenant a Pax8 company is, and who said so (`pax8_company_links.state`).
    Pax8LinkState {
        /// SeatSync's own match: its subscriptions point at the tenant's.
        Matched = "matched",
        /// Proposed by domain and name; an Editor confirms or ignores it.
        Suggested = "suggested",
        Confirmed = "confirmed",
        /// Not a tenant of this partner (or not one to alert on).
        Ignored = "ignored",
    }
}

text_enum! {
    /// Where a finding's quantity is changed (`licence_findings.channel`).
    FindingChannel { Pax8 = "pax8", PartnerCenter = "partner_center" }
}

text_enum! {
    /// When a finding's reduction takes effect (`licence_findings.timing`).
    FindingTiming { Now = "now", AtRenewal = "at_renewal" }
}

text_enum! {
    /// Why a job ran (`job_runs.trigger`).
    JobTrigger {
        Schedule = "schedule",
        /// The newest slot missed while every instance was down, run once at start.
        CatchUp = "catch_up",
        Manual = "manual",
        /// The first run of a new installation.
        Start = "start",
    }
}

text_enum! {
    /// Where a job's run stands (`job_runs.status`).
    JobStatus {
        Queued = "queued",
        Running = "running",
        Succeeded = "succeeded",
        Partial = "partial",
        Failed = "failed",
        /// A slot that came while a run of the job was still going: that run covers it.
        Skipped = "skipped",
    }
}

impl JobStatus {
    pub fn is_finished(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

text_enum! {
    /// A vendor connection configured on the Integrations page (`integration_values.integration`).
    IntegrationKey {
        PartnerCenter = "partner_center",
        Graph = "graph",
        Autotask = "autotask",
        Pax8 = "pax8",
        ConnectWise = "connectwise",
        Halo = "halo",
        Smtp = "smtp",
        DattoRmm = "datto_rmm",
        Huntress = "huntress",
        NinjaOne = "ninjaone",
        SentinelOne = "sentinelone",
        Automate = "automate",
        Duo = "duo",
        Auvik = "auvik",
    }
}

impl IntegrationKey {
    pub const ALL: [IntegrationKey; 14] = [
        IntegrationKey::PartnerCenter,
        IntegrationKey::Graph,
        IntegrationKey::Autotask,
        IntegrationKey::Pax8,
        IntegrationKey::ConnectWise,
        IntegrationKey::Halo,
        IntegrationKey::Smtp,
        IntegrationKey::DattoRmm,
        IntegrationKey::Huntress,
        IntegrationKey::NinjaOne,
        IntegrationKey::SentinelOne,
        IntegrationKey::Automate,
        IntegrationKey::Duo,
        IntegrationKey::Auvik,
    ];

    pub fn parse(text: &str) -> Option<IntegrationKey> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

text_enum! {
    /// What a change to an integration did (`integration_audit.action`).
    IntegrationAction {
        Set = "set",
        Cleared = "cleared",
        /// Every stored secret was encrypted again under a new `SEATSYNC_SECRETS_KEY`.
        Rotated = "rotated",
    }
}

text_enum! {
    /// How a message reaches a person (`deliveries.channel`).
    DeliveryChannel {
        Email = "email",
        /// A ticket in Autotask.
        Autotask = "autotask",
        /// A service ticket in ConnectWise Manage.
        ConnectWise = "connectwise",
        /// A ticket in HaloPSA.
        Halo = "halo",
    }
}

text_enum! {
    /// A billing tool whose customers SeatSync places in PSA companies itself, on the tool's
    /// customers page (`billing_tool_customers.tool`). Microsoft 365 is placed through the tenants'
    /// mapping instead; a Pax8 company by its linked tenant's mapping unless a person places it.
    BillingTool {
        Pax8 = "pax8",
        DattoRmm = "datto_rmm",
        NinjaOne = "ninjaone",
        Automate = "automate",
        Huntress = "huntress",
        SentinelOne = "sentinelone",
        Duo = "duo",
        Auvik = "auvik",
    }
}

impl BillingTool {
    pub const ALL: [BillingTool; 8] = [
        BillingTool::Pax8,
        BillingTool::DattoRmm,
        BillingTool::NinjaOne,
        BillingTool::Automate,
        BillingTool::Huntress,
        BillingTool::SentinelOne,
        BillingTool::Duo,
        BillingTool::Auvik,
    ];

    /// The tool as the report and the pages name it.
    pub fn name(self) -> &'static str {
        match self {
            BillingTool::Pax8 => "Pax8",
            BillingTool::DattoRmm => "Datto RMM",
            BillingTool::NinjaOne => "NinjaOne",
            BillingTool::Automate => "ConnectWise Automate",
            BillingTool::Huntress => "Huntress",
            BillingTool::SentinelOne => "SentinelOne",
            BillingTool::Duo => "Cisco Duo",
            BillingTool::Auvik => "Auvik",
        }
    }

    /// What the tool calls a customer.
    pub fn customer_word(self) -> &'static str {
        match self {
            BillingTool::DattoRmm | BillingTool::SentinelOne => "site",
            BillingTool::NinjaOne | BillingTool::Huntress => "organization",
            BillingTool::Automate => "client",
            BillingTool::Duo => "account",
            BillingTool::Auvik => "tenant",
            BillingTool::Pax8 => "company",
        }
    }

    /// What the tool calls its customers.
    pub fn customers_word(self) -> &'static str {
        match self {
            BillingTool::Pax8 => "companies",
            BillingTool::DattoRmm | BillingTool::SentinelOne => "sites",
            BillingTool::NinjaOne | BillingTool::Huntress => "organizations",
            BillingTool::Automate => "clients",
            BillingTool::Duo => "accounts",
            BillingTool::Auvik => "tenants",
        }
    }

    /// The integration that holds its settings.
    pub fn integration(self) -> IntegrationKey {
        match self {
            BillingTool::Pax8 => IntegrationKey::Pax8,
            BillingTool::DattoRmm => IntegrationKey::DattoRmm,
            BillingTool::NinjaOne => IntegrationKey::NinjaOne,
            BillingTool::Automate => IntegrationKey::Automate,
            BillingTool::Huntress => IntegrationKey::Huntress,
            BillingTool::SentinelOne => IntegrationKey::SentinelOne,
            BillingTool::Duo => IntegrationKey::Duo,
            BillingTool::Auvik => IntegrationKey::Auvik,
        }
    }

    pub fn parse(text: &str) -> Option<BillingTool> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

text_enum! {
    /// What an API token may do (`api_tokens.scope`).
    ApiScope {
        /// Read billing reports (`GET /api/v1/billing/reports/…`).
        BillingRead = "billing_read",
    }
}

text_enum! {
    /// The PSA SeatSync opens its tickets in (the Admin's choice, Autotask unless changed).
    TicketPsa {
        Autotask = "autotask",
        ConnectWise = "connectwise",
        Halo = "halo",
    }
}

impl TicketPsa {
    pub const ALL: [TicketPsa; 3] = [TicketPsa::Autotask, TicketPsa::ConnectWise, TicketPsa::Halo];

    /// The PSA's name, for people.
    pub fn name(self) -> &'static str {
        match self {
            TicketPsa::Autotask => "Autotask",
            TicketPsa::ConnectWise => "ConnectWise Manage",
            TicketPsa::Halo => "HaloPSA",
        }
    }

    /// What a customer is called there.
    pub fn company_word(self) -> &'static str {
        match self {
            TicketPsa::Halo => "client",
            TicketPsa::Autotask | TicketPsa::ConnectWise => "company",
        }
    }

    /// More than one of them.
    pub fn companies_word(self) -> &'static str {
        match self {
            TicketPsa::Halo => "clients",
            TicketPsa::Autotask | TicketPsa::ConnectWise => "companies",
        }
    }

    pub fn channel(self) -> DeliveryChannel {
        match self {
            TicketPsa::Autotask => DeliveryChannel::Autotask,
            TicketPsa::ConnectWise => DeliveryChannel::ConnectWise,
            TicketPsa::Halo => DeliveryChannel::Halo,
        }
    }

    /// The spelling stored, read back; `None` for anything else.
    pub fn parse(text: &str) -> Option<TicketPsa> {
        TicketPsa::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

// `text_enum!` derives a fixed set of traits, so `Default` is written out here.
#[allow(clippy::derivable_impls)]
impl Default for TicketPsa {
    fn default() -> Self {
        TicketPsa::Autotask
    }
}

text_enum! {
    /// What a follow-up does to a delivered ticket (`delivery_followups.kind`).
    FollowUpKind {
        /// Adds a note.
        Note = "note",
        /// Adds a note, then closes the ticket.
        Close = "close",
    }
}

text_enum! {
    /// Where a delivery stands (`deliveries.status`).
    DeliveryStatus {
        /// Recorded; not (completely) sent yet.
        Pending = "pending",
        Delivered = "delivered",
        /// The answer was lost: it may have arrived. SeatSync does not send it again by itself.
        Uncertain = "uncertain",
        /// Refused or not possible; nothing (more) was sent. Asking again tries again.
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_travel_in_their_stored_spelling() {
        assert_eq!(serde_json::to_string(&ChangeKind::AdjustUnits).unwrap(), "\"adjust_units\"");
        assert_eq!(
            serde_json::from_str::<CreationState>("\"contract_created\"").unwrap(),
            CreationState::ContractCreated
        );
        assert_eq!(RunStatus::Partial.as_str(), "partial");
    }
}

text_enum! {
    /// How a confirmed link changes a quantity (`remediation_actions.kind`).
    QuantityChange {
        /// At once (inside the cancellation window, or a legacy subscription).
        Now = "now",
        /// For the next term, at renewal (Partner Center's `scheduledNextTermInstructions`).
        NextTerm = "next_term",
    }
}

text_enum! {
    /// How a quantity change ended (`remediation_actions.status`).
    QuantityChangeStatus {
        /// Recorded, not answered yet.
        Intent = "intent",
        Done = "done",
        /// The vendor said no (its words are kept).
        Refused = "refused",
        /// The answer was lost and reading the subscription again did not show the change; not
        /// sent again.
        Uncertain = "uncertain",
        Failed = "failed",
    }
}
