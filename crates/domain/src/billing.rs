//! The billing count report: every tool's counts per PSA company, as one table.
//!
//! A row is a company of the PSA; a column is one product of one tool ("Datto RMM · Servers",
//! "PAX8 · Microsoft 365 Business Premium"). Each tool's connector says what it counted for the
//! tool customers it knows, and which PSA company each of them is. The rules here turn that into
//! cells the billing team can trust:
//!
//! - a company the tool knows gets a number in every one of the tool's columns: 0 where the tool
//!   counted nothing of that product for it, never a blank that reads like "no data";
//! - a blank means there is no data: the company is not one of the tool's customers, or the tool
//!   failed or is not set up, in which case its columns stay (from the last report that had
//!   them) and are blank for everyone, so nobody bills from a silent gap;
//! - columns are in one stable order, by tool and then product, whatever order tools answer in;
//! - what changed since the previous report is computed cell by cell, with the customers and
//!   columns that appeared or disappeared.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::spreadsheet::{write_csv, Cell};

/// One product of one tool: a column of the report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Column {
    /// The tool as the report names it ("Microsoft 365", "PAX8", "Datto RMM").
    pub tool: String,
    /// What is counted ("Servers", "Microsoft 365 Business Premium").
    pub product: String,
}

impl Column {
    pub fn new(tool: impl Into<String>, product: impl Into<String>) -> Self {
        Self { tool: tool.into(), product: product.into() }
    }

    /// The column's heading in the table and the CSV.
    pub fn heading(&self) -> String {
        format!("{} · {}", self.tool, self.product)
    }

    /// Tool, then product, ignoring case (then exactly, so the order is total).
    fn sort_key(&self) -> (String, String, &str, &str) {
        (self.tool.to_lowercase(), self.product.to_lowercase(), &self.tool, &self.product)
    }
}

impl Ord for Column {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Column {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A company of the PSA: a row of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Company {
    pub id: i64,
    pub name: String,
}

/// How a tool's connector fared in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToolStatus {
    Ok,
    /// It failed; why, in words.
    Failed(String),
    /// It is not set up.
    NotConfigured,
}

/// How one tool fared in a run, stored with the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolOutcome {
    pub tool: String,
    pub status: ToolStatus,
    pub milliseconds: u64,
    /// Requests sent to the tool (retries included), for a tool read over HTTP.
    #[serde(default)]
    pub requests: Option<u64>,
    /// PSA companies it counted for.
    pub companies: usize,
    /// Its customers that are no PSA company yet (named, never dropped silently).
    pub unplaced: Vec<String>,
    /// A remark, such as how old the tool's data is.
    pub note: Option<String>,
}

/// What one tool's connector returned, already mapped to PSA companies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCounts {
    pub tool: String,
    pub status: ToolStatus,
    /// The PSA companies the tool knows (its customers that are mapped to one).
    pub companies: BTreeSet<i64>,
    /// What it counted: company, product, count. Counts of one product for one company add up
    /// (a company can be several of the tool's customers, say two sites).
    pub counts: Vec<(i64, String, i64)>,
}

/// The report: rows, columns and the cells that hold a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// By name.
    pub companies: Vec<Company>,
    /// In the stable order.
    pub columns: Vec<Column>,
    /// Company id → column index → count; a missing cell is blank. (Nested rather than keyed
    /// by pairs so the report stores as JSON, whose keys are strings.)
    pub cells: BTreeMap<i64, BTreeMap<usize, i64>>,
}

impl Report {
    /// Builds the report from each tool's counts. `earlier_columns` are the columns of the last
    /// report, kept for a tool that failed or is not set up this time so they do not vanish.
    pub fn build(companies: &[Company], tools: &[ToolCounts], earlier_columns: &[Column]) -> Report {
        let mut rows: Vec<Company> = companies.to_vec();
        rows.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        rows.dedup_by_key(|c| c.id);
        let known: BTreeSet<i64> = rows.iter().map(|c| c.id).collect();

        let mut columns: BTreeSet<Column> = BTreeSet::new();
        for tool in tools {
            match tool.status {
                ToolStatus::Ok => {
                    columns.extend(tool.counts.iter().map(|(_, product, _)| Column::new(&tool.tool, product)))
                }
                ToolStatus::Failed(_) | ToolStatus::NotConfigured => {
                    columns.extend(earlier_columns.iter().filter(|c| c.tool == tool.tool).cloned())
                }
            }
        }
        let columns: Vec<Column> = columns.into_iter().collect();
        let index: BTreeMap<&Column, usize> = columns.iter().enumerate().map(|(i, c)| (c, i)).collect();

        let mut cells: BTreeMap<i64, BTreeMap<usize, i64>> = BTreeMap::new();
        for tool in tools.iter().filter(|t| t.status == ToolStatus::Ok) {
            let of_tool: Vec<usize> =
                columns.iter().enumerate().filter(|(_, c)| c.tool == tool.tool).map(|(i, _)| i).collect();
            // Every company the tool knows starts at 0 in each of its columns.
            for company in tool.companies.iter().filter(|c| known.contains(c)) {
                let row = cells.entry(*company).or_default();
                for i in &of_tool {
                    row.insert(*i, 0);
                }
            }
            for (company, product, count) in &tool.counts {
                if !known.contains(company) {
                    continue;
                }
                let column = Column::new(&tool.tool, product);
                let i = index[&column];
                *cells.entry(*company).or_default().entry(i).or_insert(0) += count;
            }
        }
        // A company the tool knows but that has none of its columns yet holds no cell.
        cells.retain(|_, row| !row.is_empty());
        Report { companies: rows, columns, cells }
    }

    /// A cell: `None` is blank.
    pub fn cell(&self, company: i64, column: usize) -> Option<i64> {
        self.cells.get(&company).and_then(|row| row.get(&column)).copied()
    }

    /// The index of `column`, if the report has it.
    pub fn column_index(&self, column: &Column) -> Option<usize> {
        self.columns.iter().position(|c| c == column)
    }

    /// The total of a column (for the chart over time).
    pub fn total(&self, column: usize) -> i64 {
        self.cells.values().filter_map(|row| row.get(&column)).sum()
    }

    /// Every column's total by its heading (for the chart over time).
    pub fn totals(&self) -> BTreeMap<String, i64> {
        self.columns.iter().enumerate().map(|(i, c)| (c.heading(), self.total(i))).collect()
    }

    /// The report as a CSV: `Company` first, then every column; blanks empty.
    pub fn to_csv(&self) -> Vec<u8> {
        let headings: Vec<String> = self.columns.iter().map(Column::heading).collect();
        let mut header: Vec<&str> = vec!["Company"];
        header.extend(headings.iter().map(String::as_str));
        let rows = self.companies.iter().map(|company| {
            let mut row = vec![Cell::Text(company.name.clone())];
            row.extend((0..self.columns.len()).map(|i| match self.cell(company.id, i) {
                Some(n) => Cell::Count(n),
                None => Cell::Empty,
            }));
            row
        });
        write_csv(&header, rows)
    }
}

/// One cell that differs between two reports (blank to a number counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellChange {
    pub company: Company,
    pub column: Column,
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// What changed from one report to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Cells of companies and columns in both reports, by company name then column.
    pub cells: Vec<CellChange>,
    pub companies_added: Vec<Company>,
    pub companies_removed: Vec<Company>,
    pub columns_added: Vec<Column>,
    pub columns_removed: Vec<Column>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
            && self.companies_added.is_empty()
            && self.companies_removed.is_empty()
            && self.columns_added.is_empty()
            && self.columns_removed.is_empty()
    }

    /// The changed cells as a CSV: company, column, before, after (blank where blank).
    pub fn to_csv(&self) -> Vec<u8> {
        let count = |v: Option<i64>| v.map(Cell::Count).unwrap_or(Cell::Empty);
        let rows = self.cells.iter().map(|c| {
            vec![Cell::Text(c.company.name.clone()), Cell::Text(c.column.heading()), count(c.before), count(c.after)]
        });
        write_csv(&["Company", "Column", "Before", "After"], rows)
    }
}

/// What changed from `before` to `after`.
pub fn changes(before: &Report, after: &Report) -> Changes {
    let companies_before: BTreeMap<i64, &Company> = before.companies.iter().map(|c| (c.id, c)).collect();
    let companies_after: BTreeMap<i64, &Company> = after.companies.iter().map(|c| (c.id, c)).collect();
    let columns_before: BTreeSet<&Column> = before.columns.iter().collect();
    let columns_after: BTreeSet<&Column> = after.columns.iter().collect();
    let mut cells = Vec::new();
    for company in &after.companies {
        if !companies_before.contains_key(&company.id) {
            continue;
        }
        for (i, column) in after.columns.iter().enumerate() {
            let Some(j) = before.column_index(column) else { continue };
            let (was, is) = (before.cell(company.id, j), after.cell(company.id, i));
            if was != is {
                cells.push(CellChange { company: company.clone(), column: column.clone(), before: was, after: is });
            }
        }
    }
    Changes {
        cells,
        companies_added: after.companies.iter().filter(|c| !companies_before.contains_key(&c.id)).cloned().collect(),
        companies_removed: before.companies.iter().filter(|c| !companies_after.contains_key(&c.id)).cloned().collect(),
        columns_added: after.columns.iter().filter(|c| !columns_before.contains(c)).cloned().collect(),
        columns_removed: before.columns.iter().filter(|c| !columns_after.contains(c)).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn company(id: i64, name: &str) -> Company {
        Company { id, name: name.into() }
    }

    fn ok(tool: &str, companies: &[i64], counts: &[(i64, &str, i64)]) -> ToolCounts {
        ToolCounts {
            tool: tool.into(),
            status: ToolStatus::Ok,
            companies: companies.iter().copied().collect(),
            counts: counts.iter().map(|(c, p, n)| (*c, p.to_string(), *n)).collect(),
        }
    }

    fn companies() -> Vec<Company> {
        vec![company(3, "Contoso"), company(1, "Adatum"), company(2, "Blue Yonder")]
    }

    #[test]
    fn a_known_company_gets_zero_and_an_unknown_one_a_blank() {
        let datto = ok("Datto RMM", &[1, 2], &[(1, "Servers", 2), (1, "Workstations", 10), (2, "Workstations", 4)]);
        let report = Report::build(&companies(), &[datto], &[]);
        let names: Vec<&str> = report.companies.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Adatum", "Blue Yonder", "Contoso"]);
        let servers = report.column_index(&Column::new("Datto RMM", "Servers")).unwrap();
        assert_eq!(report.cell(1, servers), Some(2));
        assert_eq!(report.cell(2, servers), Some(0), "Blue Yonder is Datto's customer with no server: 0");
        assert_eq!(report.cell(3, servers), None, "Contoso is not Datto's customer: blank");
    }

    #[test]
    fn counts_of_several_tool_customers_of_one_company_add_up() {
        let ninja = ok("NinjaOne", &[1], &[(1, "Workstations", 3), (1, "Workstations", 4)]);
        let report = Report::build(&companies(), &[ninja], &[]);
        assert_eq!(report.cell(1, 0), Some(7));
    }

    #[test]
    fn a_failed_tool_keeps_its_columns_blank_for_everyone() {
        let earlier = vec![Column::new("Huntress", "Agents"), Column::new("Datto RMM", "Servers")];
        let huntress = ToolCounts {
            tool: "Huntress".into(),
            status: ToolStatus::Failed("Huntress answered 500".into()),
            companies: BTreeSet::new(),
            counts: vec![],
        };
        let datto = ok("Datto RMM", &[1], &[(1, "Workstations", 1)]);
        let report = Report::build(&companies(), &[huntress, datto], &earlier);
        let headings: Vec<String> = report.columns.iter().map(Column::heading).collect();
        // The failed tool's column stays; a column the working tool no longer reports goes.
        assert_eq!(headings, ["Datto RMM · Workstations", "Huntress · Agents"]);
        let agents = report.column_index(&Column::new("Huntress", "Agents")).unwrap();
        assert!(report.companies.iter().all(|c| report.cell(c.id, agents).is_none()));
    }

    #[test]
    fn counts_for_companies_that_are_not_rows_are_left_out() {
        let duo = ok("Cisco Duo", &[1, 99], &[(99, "Users", 5), (1, "Users", 2)]);
        let report = Report::build(&companies(), &[duo], &[]);
        assert_eq!(report.cells.values().map(BTreeMap::len).sum::<usize>(), 1);
        assert_eq!(report.total(0), 2);
        assert_eq!(report.totals(), BTreeMap::from([("Cisco Duo · Users".to_string(), 2)]));
    }

    #[test]
    fn the_csv_has_company_first_blanks_empty_and_no_formula() {
        let rows = vec![company(1, "=HYPERLINK(\"x\")"), company(2, "Blue Yonder")];
        let pax8 = ok("PAX8", &[2], &[(2, "Microsoft 365 Business Premium", 12)]);
        let csv = String::from_utf8(Report::build(&rows, &[pax8], &[]).to_csv()).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Company,PAX8 · Microsoft 365 Business Premium");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\",", "neutralised, and blank where there is no data");
        assert_eq!(lines[2], "Blue Yonder,12");
    }

    #[test]
    fn changes_name_cells_companies_and_columns() {
        let before = Report::build(
            &[company(1, "Adatum"), company(2, "Blue Yonder")],
            &[ok("Huntress", &[1, 2], &[(1, "Agents", 5), (2, "Agents", 3)]), ok("Duo", &[1], &[(1, "Users", 4)])],
            &[],
        );
        let after = Report::build(
            &companies(),
            &[ok("Huntress", &[1, 2, 3], &[(1, "Agents", 6), (2, "Agents", 3), (3, "Agents", 1)])],
            &[],
        );
        let found = changes(&before, &after);
        assert_eq!(found.cells.len(), 1);
        assert_eq!((found.cells[0].company.id, found.cells[0].before, found.cells[0].after), (1, Some(5), Some(6)));
        assert_eq!(found.companies_added, vec![company(3, "Contoso")]);
        assert_eq!(found.columns_removed, vec![Column::new("Duo", "Users")]);
        let csv = String::from_utf8(found.to_csv()).unwrap();
        assert!(csv.starts_with("Company,Column,Before,After\r\nAdatum,Huntress · Agents,5,6\r\n"), "{csv}");
        assert!(changes(&after, &after).is_empty());
    }

    fn tools() -> impl Strategy<Value = Vec<ToolCounts>> {
        let tool = (
            prop::sample::select(vec!["Datto RMM", "Huntress", "PAX8", "Duo"]),
            prop::option::weighted(0.8, Just(())),
            prop::collection::btree_set(1i64..8, 0..6),
            prop::collection::vec((1i64..8, prop::sample::select(vec!["A", "B", "c"]), 0i64..50), 0..12),
        )
            .prop_map(|(tool, works, companies, counts)| ToolCounts {
                tool: tool.into(),
                status: if works.is_some() { ToolStatus::Ok } else { ToolStatus::Failed("down".into()) },
                counts: counts
                    .into_iter()
                    .filter(|(c, _, _)| companies.contains(c))
                    .map(|(c, p, n)| (c, p.into(), n))
                    .collect(),
                companies,
            });
        // One result per tool, as a run has.
        prop::collection::vec(tool, 0..4).prop_map(|mut tools| {
            tools.sort_by(|a, b| a.tool.cmp(&b.tool));
            tools.dedup_by(|a, b| a.tool == b.tool);
            tools
        })
    }

    fn rows() -> Vec<Company> {
        (1..8).map(|i| company(i, &format!("Customer {}", 8 - i))).collect()
    }

    proptest! {
        #[test]
        fn columns_are_in_one_order_whatever_order_tools_answer_in(tools in tools()) {
            let forward = Report::build(&rows(), &tools, &[]);
            let mut reversed = tools.clone();
            reversed.reverse();
            let backward = Report::build(&rows(), &reversed, &[]);
            prop_assert_eq!(&forward, &backward);
            let mut sorted = forward.columns.clone();
            sorted.sort();
            prop_assert_eq!(&forward.columns, &sorted);
        }

        #[test]
        fn a_known_company_never_has_a_blank_and_a_failed_tool_never_a_number(tools in tools()) {
            let report = Report::build(&rows(), &tools, &[]);
            for tool in &tools {
                for (i, column) in report.columns.iter().enumerate().filter(|(_, c)| c.tool == tool.tool) {
                    for company in &report.companies {
                        let cell = report.cell(company.id, i);
                        match tool.status {
                            ToolStatus::Ok if tool.companies.contains(&company.id) => prop_assert!(cell.is_some(), "{} blank for {}", column.heading(), company.name),
                            _ => prop_assert!(cell.is_none(), "{} has a number for {}", column.heading(), company.name),
                        }
                    }
                }
            }
        }

        #[test]
        fn every_count_is_in_the_report_once(tools in tools()) {
            let report = Report::build(&rows(), &tools, &[]);
            let counted: i64 = tools.iter().filter(|t| t.status == ToolStatus::Ok).flat_map(|t| t.counts.iter().map(|(_, _, n)| n)).sum();
            let reported: i64 = (0..report.columns.len()).map(|i| report.total(i)).sum();
            prop_assert_eq!(counted, reported);
        }

        #[test]
        fn changes_are_empty_only_between_equal_reports(a in tools(), b in tools()) {
            let (ra, rb) = (Report::build(&rows(), &a, &[]), Report::build(&rows(), &b, &[]));
            prop_assert_eq!(changes(&ra, &rb).is_empty(), ra == rb);
            prop_assert!(changes(&ra, &ra).is_empty());
        }

        #[test]
        fn a_report_reads_back_from_json_as_it_was(tools in tools()) {
            let report = Report::build(&rows(), &tools, &[]);
            let json = serde_json::to_string(&report).unwrap();
            prop_assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), report);
        }

        #[test]
        fn every_csv_row_is_as_wide_as_the_header(tools in tools()) {
            let report = Report::build(&rows(), &tools, &[]);
            let csv = String::from_utf8(report.to_csv()).unwrap();
            let width = report.columns.len() + 1;
            for line in csv.split("\r\n").filter(|l| !l.is_empty()) {
                prop_assert_eq!(line.split(',').count(), width, "{}", line);
            }
        }
    }
}
