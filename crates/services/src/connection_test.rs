//! "Test connection" on the Settings page: one harmless call to an integration, said in words.

use std::time::Instant;

use seatsync_api_types::settings::ConnectionTest;
use seatsync_domain::kinds::IntegrationKey;
use seatsync_vendors::smtp::SmtpSecurity;

use crate::{ServiceError, Services};

/// The name SeatSync looks up in Autotask to prove its credentials: a read that finds nothing.
const PROBE_COMPANY_NAME: &str = "SeatSync connection test";

impl Services {
    /// Makes one harmless call to the integration `key` and says what happened.
    pub async fn test_connection(&self, key: &str) -> Result<ConnectionTest, ServiceError> {
        let Some(integration) = IntegrationKey::parse(key) else {
            return Err(ServiceError::NotFound("That integration".into()));
        };
        let info = self.integrations.resolved().await?.info(integration);
        if !info.configured {
            return Err(ServiceError::Invalid(format!(
                "{} is not configured yet: set {} on its page first.",
                info.name,
                info.missing.join(", ")
            )));
        }
        let started = Instant::now();
        let outcome: Result<String, String> = match integration {
            IntegrationKey::PartnerCenter => self.probe_partner_center().await,
            IntegrationKey::Graph => self.probe_graph().await?,
            IntegrationKey::Autotask => self.probe_autotask().await,
            IntegrationKey::Pax8 => self.probe_pax8().await,
            IntegrationKey::ConnectWise => self.probe_connectwise().await,
            IntegrationKey::Halo => self.probe_halo().await,
            IntegrationKey::Smtp => self.probe_smtp().await,
            IntegrationKey::DattoRmm => self.probe_datto_rmm().await,
            IntegrationKey::Huntress => self.probe_huntress().await,
            IntegrationKey::NinjaOne => self.probe_ninjaone().await,
            IntegrationKey::SentinelOne => self.probe_sentinelone().await,
            IntegrationKey::Automate => self.probe_automate().await,
            IntegrationKey::Duo => self.probe_duo().await,
            IntegrationKey::Auvik => self.probe_auvik().await,
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(match outcome {
            Ok(said) => {
                ConnectionTest { ok: true, message: format!("Connected in {elapsed_ms} ms: {said}"), elapsed_ms }
            }
            Err(error) => ConnectionTest { ok: false, message: format!("{} answered: {error}", info.name), elapsed_ms },
        })
    }

    async fn probe_partner_center(&self) -> Result<String, String> {
        let sync = self.jobs.parts().licence_sync.get().ok_or("not configured")?;
        let customers = sync.partner_center().first_customers(1).await.map_err(|e| e.to_string())?;
        Ok(match customers.first() {
            Some(c) => format!(
                "signed in as the partner and read the customer list (first: {}).",
                c.company_profile.company_name.as_deref().unwrap_or("a customer without a name")
            ),
            None => "signed in as the partner; the customer list is empty.".into(),
        })
    }

    /// Graph is used inside customer tenants: a token and the licence list of the first tenant
    /// the licence sync found.
    async fn probe_graph(&self) -> Result<Result<String, String>, ServiceError> {
        let Some(sync) = self.jobs.parts().licence_sync.get() else {
            return Ok(Err("not configured".into()));
        };
        // A tenant whose last sync went through, if there is one.
        let tenants = seatsync_db::tenants::list(&self.pool).await?;
        let Some(tenant) = tenants.into_iter().min_by_key(|t| t.last_error.is_some()) else {
            return Err(ServiceError::Conflict(
                "No customer tenant is known yet, and Graph is only used inside them: run the licence sync, then test again."
                    .into(),
            ));
        };
        let graph = sync.graph();
        let read = async {
            graph.prepare(&tenant.tenant_id).await?;
            graph.subscribed_skus(&tenant.tenant_id).await
        };
        Ok(match read.await {
            Ok(skus) => Ok(format!("read {} licence(s) in {}'s tenant.", skus.len(), tenant.name)),
            Err(e) => Err(format!("{e} (in {}'s tenant)", tenant.name)),
        })
    }

    async fn probe_autotask(&self) -> Result<String, String> {
        let autotask = self.mapping.autotask().map_err(|e| e.to_string())?;
        autotask.companies_named(PROBE_COMPANY_NAME).await.map_err(|e| e.to_string())?;
        let usage = autotask.usage();
        Ok(format!(
            "signed in and queried companies; {} of SeatSync's {} requests this hour used.",
            usage.used_last_hour, usage.allowed_per_hour
        ))
    }

    async fn probe_pax8(&self) -> Result<String, String> {
        let pax8 = self.integrations.slots().pax8.get().ok_or("not configured")?;
        let page = pax8.first_companies(1).await.map_err(|e| e.to_string())?;
        Ok(match page.items.first() {
            Some(c) => format!("signed in and read the company list: {} companies (first: {}).", page.total, c.name),
            None => "signed in; the company list is empty.".into(),
        })
    }

    async fn probe_datto_rmm(&self) -> Result<String, String> {
        let datto = self.integrations.slots().datto_rmm.get().ok_or("not configured")?;
        let sites = datto.site_count().await.map_err(|e| e.to_string())?;
        Ok(format!("signed in and read the site list: {sites} sites."))
    }

    async fn probe_huntress(&self) -> Result<String, String> {
        let huntress = self.integrations.slots().huntress.get().ok_or("not configured")?;
        let first = huntress.first_organization().await.map_err(|e| e.to_string())?;
        Ok(match first {
            Some(o) => format!("signed in and read the organization list (first: {}).", o.name),
            None => "signed in; the organization list is empty.".into(),
        })
    }

    async fn probe_ninjaone(&self) -> Result<String, String> {
        let ninjaone = self.integrations.slots().ninjaone.get().ok_or("not configured")?;
        let first = ninjaone.first_organization().await.map_err(|e| e.to_string())?;
        Ok(match first {
            Some(o) => format!("signed in and read the organization list (first: {}).", o.name),
            None => "signed in; the organization list is empty.".into(),
        })
    }

    async fn probe_sentinelone(&self) -> Result<String, String> {
        let s1 = self.integrations.slots().sentinelone.get().ok_or("not configured")?;
        let summary = s1.summary().await.map_err(|e| e.to_string())?;
        Ok(match summary.active_licenses {
            Some(n) => format!("signed in and read the site list: {} active sites using {n} licences.", summary.sites),
            None => format!("signed in and read the site list: {} active sites.", summary.sites),
        })
    }

    async fn probe_automate(&self) -> Result<String, String> {
        let automate = self.integrations.slots().automate.get().ok_or("not configured")?;
        let first = automate.first_client().await.map_err(|e| e.to_string())?;
        Ok(match first {
            Some(c) => format!("signed in and read the client list (first: {}).", c.display_name()),
            None => "signed in; the client list is empty.".into(),
        })
    }

    async fn probe_duo(&self) -> Result<String, String> {
        let duo = self.integrations.slots().duo.get().ok_or("not configured")?;
        let check = duo.check().await.map_err(|e| e.to_string())?;
        Ok(match check.first {
            Some(first) => format!(
                "signed in and read the child account list: {} accounts (first: {}, {} users).",
                check.accounts, first.name, first.users
            ),
            None => "signed in; the parent account has no child accounts.".into(),
        })
    }

    async fn probe_auvik(&self) -> Result<String, String> {
        use seatsync_vendors::auvik::{previous_month, Counting};
        let auvik = self.integrations.slots().auvik.get().ok_or("not configured")?;
        let summary = auvik.summary().await.map_err(|e| e.to_string())?;
        let account = match summary.main_prefixes.as_slice() {
            [] => String::new(),
            prefixes => format!(" under {}", prefixes.join(", ")),
        };
        let mut said = format!("signed in and read the tenant list: {} client tenants{account}.", summary.customers);
        if let (Counting::Usage, Some(id)) = (auvik.counting(), summary.first_customer.clone()) {
            let (from, thru) = previous_month(chrono::Utc::now().date_naive());
            if let Err(e) = auvik.client_usage(&[id], from, thru).await {
                said.push_str(&format!(
                    " The billing usage could not be read ({e}): give the user billing access, or count the inventory."
                ));
            }
        }
        if let Some(moved) = summary.moved_to {
            said.push_str(&format!(" Auvik answers this account at {moved}: set the API address to it."));
        }
        Ok(said)
    }

    async fn probe_connectwise(&self) -> Result<String, String> {
        let cw = self.integrations.slots().connectwise.get().ok_or("not configured")?;
        let info = cw.system_info().await.map_err(|e| e.to_string())?;
        Ok(format!(
            "signed in; the server runs version {}{}.",
            info.version.as_deref().unwrap_or("(not said)"),
            info.cloud_region.map(|r| format!(" in the {r} cloud")).unwrap_or_default()
        ))
    }

    async fn probe_halo(&self) -> Result<String, String> {
        let halo = self.integrations.slots().halo.get().ok_or("not configured")?;
        let types = halo.ticket_types().await.map_err(|e| e.to_string())?;
        Ok(format!(
            "signed in and read {} ticket type(s) ({}).",
            types.len(),
            types.iter().take(3).map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
        ))
    }

    async fn probe_smtp(&self) -> Result<String, String> {
        let mailer = self.integrations.slots().mailer.get().ok_or("not configured")?;
        mailer.test_connection().await.map_err(|e| e.to_string())?;
        let s = mailer.settings();
        let protection = match s.security {
            SmtpSecurity::StartTls => "protected with STARTTLS",
            SmtpSecurity::Tls => "over TLS",
            SmtpSecurity::None => "without encryption",
        };
        Ok(match &s.username {
            Some(user) => {
                format!("reached {}:{} {protection} and signed in as {user}; nothing was sent.", s.host, s.port)
            }
            None => format!("reached {}:{} {protection}; nothing was sent.", s.host, s.port),
        })
    }
}
