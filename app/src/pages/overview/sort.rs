//! The overview's column sort, kept in the address (`?sort=unused&dir=asc`): the server's order
//! (worst first) until a header is clicked.

use std::{cmp::Ordering, fmt, str::FromStr};

use crate::api::overview::OverviewRow;

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// As the server sends them: the costliest waste first.
    #[default]
    Worst,
    Tenant,
    Bought,
    Assigned,
    Unused,
    Spare,
    Wasted,
    WasteCost,
}

impl SortKey {
    const ALL: [(SortKey, &'static str); 8] = [
        (SortKey::Worst, "worst"),
        (SortKey::Tenant, "tenant"),
        (SortKey::Bought, "bought"),
        (SortKey::Assigned, "assigned"),
        (SortKey::Unused, "unused"),
        (SortKey::Spare, "spare"),
        (SortKey::Wasted, "wasted"),
        (SortKey::WasteCost, "waste_cost"),
    ];

    /// The direction a first click sorts in: names A to Z, numbers largest first.
    pub fn first_direction(self) -> Direction {
        match self {
            SortKey::Tenant => Direction::Ascending,
            _ => Direction::Descending,
        }
    }
}

impl FromStr for SortKey {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        SortKey::ALL.iter().find(|(_, name)| *name == s).map(|(k, _)| *k).ok_or(())
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = SortKey::ALL.iter().find(|(k, _)| k == self).map(|(_, n)| *n).unwrap_or("worst");
        f.write_str(name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    Ascending,
    /// The default: what a first click on a number gives, and the order of the server's list.
    #[default]
    Descending,
}

impl Direction {
    pub fn flipped(self) -> Direction {
        match self {
            Direction::Ascending => Direction::Descending,
            Direction::Descending => Direction::Ascending,
        }
    }

    /// For `aria-sort`.
    pub fn aria(self) -> &'static str {
        match self {
            Direction::Ascending => "ascending",
            Direction::Descending => "descending",
        }
    }
}

impl FromStr for Direction {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "asc" => Ok(Direction::Ascending),
            "desc" => Ok(Direction::Descending),
            _ => Err(()),
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Ascending => "asc",
            Direction::Descending => "desc",
        })
    }
}

/// Sorts `rows` (in the server's order) by `key`; ties keep the server's order, so the worst
/// of equals stays first.
pub fn sort_rows(rows: &mut [OverviewRow], key: SortKey, direction: Direction) {
    let compare = |a: &OverviewRow, b: &OverviewRow| -> Ordering {
        match key {
            SortKey::Worst => Ordering::Equal,
            SortKey::Tenant => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            SortKey::Bought => a.purchased.cmp(&b.purchased),
            SortKey::Assigned => a.assigned.cmp(&b.assigned),
            SortKey::Unused => a.unused.cmp(&b.unused),
            SortKey::Spare => a.spare_seats.cmp(&b.spare_seats),
            SortKey::Wasted => a.wasted.cmp(&b.wasted),
            SortKey::WasteCost => a.waste_cost.total_cmp(&b.waste_cost),
        }
    };
    if key == SortKey::Worst {
        // The server's order is already worst first; ascending is its reverse.
        if direction == Direction::Ascending {
            rows.reverse();
        }
        return;
    }
    // A stable sort: equal rows keep the server's order in both directions.
    match direction {
        Direction::Ascending => rows.sort_by(compare),
        Direction::Descending => rows.sort_by(|a, b| compare(b, a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatsync_domain::TenantId;

    fn row(name: &str, unused: i64, cost: f64) -> OverviewRow {
        OverviewRow {
            tenant_id: TenantId::from(name.to_string()),
            name: name.into(),
            domain: None,
            last_synced_at: None,
            last_error: None,
            spare_seats: 0,
            purchased: 10,
            assigned: 10 - unused,
            unused,
            wasted: unused,
            waste_cost: cost,
            wasted_unpriced: 0,
            products: Vec::new(),
        }
    }

    fn names(rows: &[OverviewRow]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn columns_sort_both_ways_and_ties_keep_the_worst_first() {
        let server = vec![row("beta", 2, 30.0), row("Alpha", 5, 20.0), row("gamma", 2, 10.0)];
        let sorted = |key, dir| {
            let mut rows = server.clone();
            sort_rows(&mut rows, key, dir);
            rows
        };
        assert_eq!(names(&sorted(SortKey::Worst, Direction::Descending)), ["beta", "Alpha", "gamma"]);
        assert_eq!(names(&sorted(SortKey::Worst, Direction::Ascending)), ["gamma", "Alpha", "beta"]);
        assert_eq!(names(&sorted(SortKey::Tenant, Direction::Ascending)), ["Alpha", "beta", "gamma"]);
        assert_eq!(names(&sorted(SortKey::Unused, Direction::Descending)), ["Alpha", "beta", "gamma"]);
        assert_eq!(names(&sorted(SortKey::Unused, Direction::Ascending)), ["beta", "gamma", "Alpha"]);
        assert_eq!(names(&sorted(SortKey::WasteCost, Direction::Ascending)), ["gamma", "Alpha", "beta"]);
    }

    #[test]
    fn keys_and_directions_read_back_from_the_address() {
        for (key, name) in SortKey::ALL {
            assert_eq!(name.parse::<SortKey>(), Ok(key));
            assert_eq!(key.to_string(), name);
        }
        assert_eq!("asc".parse::<Direction>(), Ok(Direction::Ascending));
        assert!("sideways".parse::<Direction>().is_err());
        assert_eq!(SortKey::Tenant.first_direction(), Direction::Ascending);
        assert_eq!(SortKey::Wasted.first_direction(), Direction::Descending);
    }
}
