//! The Overview: every tenant's seats, the spare seats each may keep, and the fleet's history.

use chrono::Utc;
use seatsync_api_types::{
    licences::{SeatPoint, SeatSeries},
    overview::{CsvFile, OverviewRow, ProductLine},
};
use seatsync_db::{licences, tenants};
use seatsync_domain::{
    spreadsheet::{write_csv, Cell},
    TenantId,
};
use seatsync_licences::overview::ProductSeats;

use crate::{ServiceError, Services, Staff};

pub(crate) fn product_line(p: ProductSeats) -> ProductLine {
    ProductLine {
        sku_id: p.sku_id,
        name: p.name,
        purchased: p.purchased,
        assigned: p.assigned,
        unused: p.unused,
        wasted: p.wasted,
        expiring: p.expiring,
        expiring_since: None,
        over_assigned: p.over_assigned,
        monthly_cost_per_seat: p.monthly_cost_per_seat,
        waste_cost: p.waste_cost,
    }
}

impl Services {
    /// Every tenant's seats, worst first.
    pub async fn seats_overview(&self) -> Result<Vec<OverviewRow>, ServiceError> {
        let names = self.catalog.names().await?;
        Ok(seatsync_licences::overview(&self.pool, &names)
            .await?
            .into_iter()
            .map(|t| OverviewRow {
                tenant_id: t.tenant_id,
                name: t.name,
                domain: t.domain,
                last_synced_at: t.last_synced_at,
                last_error: t.last_error,
                spare_seats: t.spare_seats,
                purchased: t.purchased,
                assigned: t.assigned,
                unused: t.unused,
                wasted: t.wasted,
                waste_cost: t.waste_cost,
                wasted_unpriced: t.wasted_unpriced,
                products: t.products.into_iter().map(product_line).collect(),
            })
            .collect())
    }

    /// The overview as a CSV file, one line per tenant, worst first (as the page lists them).
    pub async fn overview_csv(&self) -> Result<CsvFile, ServiceError> {
        let rows = self.seats_overview().await?;
        let header = [
            "Tenant",
            "Domain",
            "Bought",
            "Assigned",
            "Unused",
            "Spare seats allowed",
            "Wasted",
            "Waste a month",
            "Wasted seats without a price",
            "Last synced (UTC)",
            "Last sync error",
        ];
        let lines = rows.into_iter().map(|r| {
            vec![
                Cell::Text(r.name),
                r.domain.map(Cell::Text).unwrap_or(Cell::Empty),
                Cell::Count(r.purchased),
                Cell::Count(r.assigned),
                Cell::Count(r.unused),
                Cell::Count(r.spare_seats.into()),
                Cell::Count(r.wasted),
                Cell::Money(r.waste_cost),
                Cell::Count(r.wasted_unpriced),
                r.last_synced_at.map(|t| Cell::Text(t.format("%Y-%m-%d %H:%M").to_string())).unwrap_or(Cell::Empty),
                r.last_error.map(Cell::Text).unwrap_or(Cell::Empty),
            ]
        });
        let bytes = write_csv(&header, lines);
        Ok(CsvFile {
            file_name: format!("seatsync-overview-{}.csv", Utc::now().format("%Y-%m-%d")),
            // A byte-order mark first: without it Excel reads UTF-8 as the local code page and
            // garbles every name with an accent.
            text: format!("\u{feff}{}", String::from_utf8_lossy(&bytes)),
        })
    }

    /// Sets the spare seats per product a tenant may keep without it counting as waste.
    pub async fn set_spare_seats(
        &self,
        by: &Staff,
        tenant_id: &TenantId,
        spare_seats: i32,
    ) -> Result<i32, ServiceError> {
        if !(0..=10_000).contains(&spare_seats) {
            return Err(ServiceError::Invalid("Spare seats must be a whole number from 0 to 10,000.".into()));
        }
        tenants::set_spare_seats(&self.pool, tenant_id, spare_seats)
            .await
            .map_err(ServiceError::db_missing("That tenant"))?;
        tracing::info!(by = %by.email, %tenant_id, spare_seats, "spare seats changed");
        Ok(spare_seats)
    }

    /// Seats bought and assigned across every tenant, one point per day, for the chart.
    pub async fn fleet_history(&self) -> Result<SeatSeries, ServiceError> {
        let points = licences::fleet_history(&self.pool)
            .await?
            .into_iter()
            .map(|p| SeatPoint { at: p.day, purchased: p.purchased, assigned: p.assigned })
            .collect();
        Ok(SeatSeries { product: "All tenants".into(), points })
    }
}
