//! CSV files people open in a spreadsheet: RFC 4180 (CRLF, quotes only where needed), UTF-8, and
//! no cell that a spreadsheet would run as a formula. Names come from vendors and customers, so a
//! tenant called `=HYPERLINK(...)` must arrive as text, never as something that runs when the
//! file is opened.

use std::borrow::Cow;

/// One cell of a CSV row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from anywhere: neutralised if a spreadsheet would read it as a formula.
    Text(String),
    /// A count SeatSync computed: written as it is (a negative count stays a number).
    Count(i64),
    /// An amount of money, two decimals.
    Money(f64),
    /// No value.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// The characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula or a
/// command (OWASP's list, with the full-width forms some of them also accept).
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];

/// `text` as a cell that no spreadsheet runs: a leading formula character gets an apostrophe
/// in front, which spreadsheets read as "this is text" and do not show.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    // Leading spaces do not stop some spreadsheets from reading a formula after them.
    match text.trim_start_matches(' ').chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A CSV file: the header, then one line per row, every text cell neutralised.
pub fn write_csv<I>(header: &[&str], rows: I) -> Vec<u8>
where
    I: IntoIterator<Item = Vec<Cell>>,
{
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let header: Vec<Cow<'_, str>> = header.iter().map(|h| neutralise(h)).collect();
    // The writer refuses a record whose length differs from the first one's; every row is
    // brought to the header's width, so with memory as the output no write can fail.
    let width = header.len();
    let _ = out.write_record(header.iter().map(|h| h.as_bytes()));
    for row in rows {
        let mut fields: Vec<String> = row
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(t) => neutralise(&t).into_owned(),
                Cell::Count(n) => n.to_string(),
                Cell::Money(m) => format!("{m:.2}"),
                Cell::Empty => String::new(),
            })
            .collect();
        fields.resize(width, String::new());
        let _ = out.write_record(&fields);
    }
    out.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_become_text_and_everything_else_stays() {
        for bad in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "  =HYPERLINK(\"x\")", "＝1"] {
            assert_eq!(neutralise(bad), format!("'{bad}"), "{bad:?}");
        }
        for good in ["Contoso Ltd", "", "a=b", "3-year", "O'Brien & Co"] {
            assert_eq!(neutralise(good), good);
        }
    }

    #[test]
    fn a_file_is_rfc_4180_with_numbers_as_numbers() {
        let csv = write_csv(
            &["Tenant", "Unused", "Waste a month"],
            [
                vec!["=cmd|' /C calc'!A0".into(), Cell::Count(-3), Cell::Money(12.5)],
                vec!["Fabrikam, \"Inc\"".into(), Cell::Count(0), Cell::Empty],
                vec!["Short row".into()],
            ],
        );
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "Tenant,Unused,Waste a month\r\n'=cmd|' /C calc'!A0,-3,12.50\r\n\"Fabrikam, \"\"Inc\"\"\",0,\r\nShort row,,\r\n"
        );
    }

    proptest! {
        /// Whatever a vendor sends, the file reads back to the same rows, and no cell starts
        /// with a formula character.
        #[test]
        fn any_text_reads_back_and_never_as_a_formula(cells in prop::collection::vec(".{0,12}", 1..6)) {
            let header: Vec<String> = (0..cells.len()).map(|i| format!("c{i}")).collect();
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let bytes = write_csv(&header, [cells.iter().map(|c| Cell::Text(c.clone())).collect()]);
            let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
            let row = reader.records().next().unwrap().unwrap();
            prop_assert_eq!(row.len(), cells.len());
            for (read, written) in row.iter().zip(&cells) {
                let first = read.trim_start_matches(' ').chars().next();
                prop_assert!(!first.is_some_and(|c| FORMULA_STARTS.contains(&c)), "{:?}", read);
                let unquoted = read.strip_prefix('\'').filter(|_| neutralise(written) != written.as_str());
                prop_assert_eq!(unquoted.unwrap_or(read), written.as_str());
            }
        }
    }
}
