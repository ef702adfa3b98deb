//! The dashboard: what needs doing across every tenant, counted from what is stored (no vendor
//! is called), each count the length of a list another page shows.

use seatsync_api_types::{dashboard::DashboardCounts, mapping::MappingState};
use seatsync_db::{contracts, mappings};

use crate::{licences::WINDOW_HOURS, ServiceError, Services};

impl Services {
    pub async fn dashboard_summary(&self) -> Result<DashboardCounts, ServiceError> {
        let (overview, tenants, offers, windows, differing) = tokio::try_join!(
            self.seats_overview(),
            async { Ok::<_, ServiceError>(mappings::tenant_rows(&self.pool).await?) },
            async { Ok::<_, ServiceError>(mappings::offer_rows(&self.pool).await?) },
            self.closing_windows(),
            self.differing_contracts(),
        )?;
        let contract_run = contracts::latest_run(&self.pool).await?;
        let contract_sync_failures = match &contract_run {
            Some(run) => contracts::run_failures(&self.pool, run.id).await?.len(),
            None => 0,
        };
        let unmapped = |state: MappingState| state == MappingState::Unmapped;
        Ok(DashboardCounts {
            monthly_waste: overview.iter().map(|t| t.waste_cost).sum(),
            wasted_seats: overview.iter().map(|t| t.wasted).sum(),
            wasted_unpriced: overview.iter().map(|t| t.wasted_unpriced).sum(),
            tenants_with_waste: overview.iter().filter(|t| t.wasted > 0).count(),
            tenants: tenants.len(),
            tenants_unmapped: tenants.iter().filter(|t| unmapped(t.target().state())).count(),
            offers: offers.len(),
            offers_unmapped: offers.iter().filter(|o| unmapped(o.target().state())).count(),
            licence_sync_failures: overview.iter().filter(|t| t.last_error.is_some()).count(),
            contract_sync_failures,
            contract_sync_error: contract_run.and_then(|r| r.error),
            windows_closing: windows.len(),
            window_hours: WINDOW_HOURS,
            contracts_differing: differing.iter().map(|d| d.contracts).sum(),
            tenants_differing: differing.len(),
            last_licence_sync: overview.iter().filter_map(|t| t.last_synced_at).max(),
        })
    }
}
