//! Product display names from Microsoft's "Product names and service plan identifiers for
//! licensing" CSV.
//!
//! Microsoft Graph names a licence only by `skuId` and `skuPartNumber` (`SPB`), which mean little
//! to an account manager. Microsoft publishes the display names as a CSV with one row per
//! (product, service plan); SeatSync bundles the common products and lets an Admin upload the
//! full file.

use std::{
    collections::{HashMap, HashSet},
    sync::OnceLock,
};

use serde::{Deserialize, Serialize};

use crate::offer::is_guid;

/// One licensable product.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProductName {
    /// Graph `skuId`, lower-case.
    pub sku_id: String,
    /// Graph `skuPartNumber`, e.g. `SPB`.
    pub sku_part_number: String,
    /// e.g. `Microsoft 365 Business Premium`.
    pub display_name: String,
}

/// Why an uploaded licensing CSV cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CsvError {
    #[error("the file is empty; upload Microsoft's \"Product names and service plan identifiers for licensing\" CSV")]
    Empty,
    #[error(
        "the header lacks the column(s) {}; expected Microsoft's licensing CSV, whose header starts Product_Display_Name,String_Id,GUID",
        .0.join(", ")
    )]
    MissingColumns(Vec<String>),
    #[error("line {line}: {message}")]
    Row { line: u64, message: String },
    #[error("the file lists no products: every row's GUID is empty")]
    NoProducts,
}

const DISPLAY_NAME: &str = "Product_Display_Name";
const STRING_ID: &str = "String_Id";
const GUID: &str = "GUID";

/// Reads Microsoft's licensing CSV: one product per GUID (the first row wins; the file repeats
/// each product once per service plan), in file order.
///
/// Lenient where real files are untidy: a UTF-8 BOM, CRLF line ends, quoted fields with commas,
/// whitespace (tabs, no-break spaces) around values, header names in any letter case, extra
/// columns, and rows with an empty GUID (skipped). Invalid UTF-8 is replaced rather than
/// rejected, so a file re-saved by a spreadsheet still loads.
pub fn parse_licensing_csv(bytes: &[u8]) -> Result<Vec<ProductName>, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let csv_error = |error: csv::Error| CsvError::Row {
        line: error.position().map_or(0, |p| line_at(bytes, p.byte())),
        message: format!("not readable as CSV: {error}"),
    };

    let header = loop {
        match records.next() {
            None => return Err(CsvError::Empty),
            Some(record) => {
                let record = record.map_err(csv_error)?;
                let cells: Vec<String> = record.iter().map(cell).collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    break cells;
                }
            }
        }
    };
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (display, part, guid) = match (column(DISPLAY_NAME), column(STRING_ID), column(GUID)) {
        (Some(display), Some(part), Some(guid)) => (display, part, guid),
        (display, part, guid) => {
            let missing = [(display, DISPLAY_NAME), (part, STRING_ID), (guid, GUID)]
                .into_iter()
                .filter(|(found, _)| found.is_none())
                .map(|(_, name)| name.to_string())
                .collect();
            return Err(CsvError::MissingColumns(missing));
        }
    };

    let mut products: Vec<ProductName> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for record in records {
        let record = record.map_err(csv_error)?;
        let field = |i: usize| record.get(i).map(cell).unwrap_or_default();
        let id = field(guid);
        if id.is_empty() {
            continue;
        }
        let sku_id = id.trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase();
        if !is_guid(&sku_id) {
            return Err(CsvError::Row {
                line: record.position().map_or(0, |p| line_at(bytes, p.byte())),
                message: format!("GUID '{id}' is not a GUID (expected 8-4-4-4-12 hexadecimal digits)"),
            });
        }
        if !seen.insert(sku_id.clone()) {
            continue;
        }
        products.push(ProductName { sku_id, sku_part_number: field(part), display_name: field(display) });
    }
    if products.is_empty() {
        return Err(CsvError::NoProducts);
    }
    Ok(products)
}

/// A cell's text with the stray whitespace real files carry removed: `char::is_whitespace`
/// covers tabs and U+00A0; the zero-width characters are not whitespace to Unicode but are just
/// as invisible.
fn cell(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{FEFF}' | '\u{200B}'))
        .to_string()
}

/// The line (from 1) of the record starting at `byte`. The csv crate's own line count is off by
/// one after CRLF line ends, and the record's start offset may point at the line end before it.
fn line_at(bytes: &[u8], byte: u64) -> u64 {
    let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
        start += 1;
    }
    1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
}

/// Products indexed by `skuId` and by `skuPartNumber`. The first entry wins for both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<ProductName>", into = "Vec<ProductName>")]
pub struct ProductNames {
    products: Vec<ProductName>,
    by_sku_id: HashMap<String, usize>,
    by_part_number: HashMap<String, usize>,
}

impl ProductNames {
    pub fn new(products: Vec<ProductName>) -> ProductNames {
        let mut names = ProductNames::default();
        for mut product in products {
            product.sku_id = product.sku_id.trim().to_ascii_lowercase();
            if product.sku_id.is_empty() || names.by_sku_id.contains_key(&product.sku_id) {
                continue;
            }
            let index = names.products.len();
            names.by_sku_id.insert(product.sku_id.clone(), index);
            let part = product.sku_part_number.trim().to_uppercase();
            if !part.is_empty() {
                names.by_part_number.entry(part).or_insert(index);
            }
            names.products.push(product);
        }
        names
    }

    /// Looks up a Graph `skuId`, in any letter case.
    pub fn by_sku_id(&self, sku_id: &str) -> Option<&ProductName> {
        let index = self.by_sku_id.get(&sku_id.trim().to_ascii_lowercase())?;
        self.products.get(*index)
    }

    /// Looks up a Graph `skuPartNumber`, in any letter case.
    pub fn by_part_number(&self, part_number: &str) -> Option<&ProductName> {
        let index = self.by_part_number.get(&part_number.trim().to_uppercase())?;
        self.products.get(*index)
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// The products, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &ProductName> {
        self.products.iter()
    }
}

impl From<Vec<ProductName>> for ProductNames {
    fn from(products: Vec<ProductName>) -> Self {
        ProductNames::new(products)
    }
}

impl From<ProductNames> for Vec<ProductName> {
    fn from(names: ProductNames) -> Self {
        names.products
    }
}

/// The common products, shipped with SeatSync so names show before anyone uploads the full file
/// (and offline, in the simulator and demo).
pub fn bundled() -> &'static ProductNames {
    static BUNDLED: OnceLock<ProductNames> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let products = parse_licensing_csv(include_str!("../data/product-names.csv").as_bytes())
            .expect("the bundled licensing CSV is valid (checked by a test)");
        ProductNames::new(products)
    })
}

/// Where the name a licence is shown under comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// The MSP's own name for it.
    Override,
    UploadedCsv,
    BundledTable,
    /// No table knows it: its part number (or, without one, its `skuId`).
    PartNumber,
}

impl NameSource {
    pub fn label(self) -> &'static str {
        match self {
            NameSource::Override => "override",
            NameSource::UploadedCsv => "uploaded CSV",
            NameSource::BundledTable => "bundled table",
            NameSource::PartNumber => "part number",
        }
    }
}

/// The name to show for a licence. In order: the MSP's own override, the uploaded CSV, the
/// bundled one (each by `skuId`, then by part number), the part number, the `skuId`. Never blank.
pub fn display_name(
    sku_id: &str,
    part_number: &str,
    override_name: Option<&str>,
    uploaded: Option<&ProductNames>,
    bundled: &ProductNames,
) -> String {
    named(sku_id, part_number, override_name, uploaded, bundled).0
}

/// [`display_name`] and where it comes from.
pub fn named(
    sku_id: &str,
    part_number: &str,
    override_name: Option<&str>,
    uploaded: Option<&ProductNames>,
    bundled: &ProductNames,
) -> (String, NameSource) {
    let non_blank = |text: &str| Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_string);
    if let Some(name) = override_name.and_then(non_blank) {
        return (name, NameSource::Override);
    }
    let lookup = |names: &ProductNames| {
        names
            .by_sku_id(sku_id)
            .and_then(|p| non_blank(&p.display_name))
            .or_else(|| names.by_part_number(part_number).and_then(|p| non_blank(&p.display_name)))
    };
    if let Some(name) = uploaded.and_then(lookup) {
        return (name, NameSource::UploadedCsv);
    }
    if let Some(name) = lookup(bundled) {
        return (name, NameSource::BundledTable);
    }
    let fallback =
        non_blank(part_number).or_else(|| non_blank(sku_id)).unwrap_or_else(|| "Unknown product".to_string());
    (fallback, NameSource::PartNumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names";

    fn sample() -> Vec<u8> {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(
            format!(
                "{HEADER}\r\n\
                 Microsoft 365 Business Premium,SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,AAD_PREMIUM,41781fb2-bc02-4b7c-bd55-b576c07bb09d,Microsoft Entra ID P1\r\n\
                 Microsoft 365 Business Premium (dup),SPB,CBDC14AB-D96C-4C30-B9F4-6ada7cdc1d46,BPOS_S_TODO_1,5e62787c-c316-451f-b873-1d05acd4d12c,\"To-Do (Plan 1), for business\"\r\n\
                 \"Visio Plan 2, for web and desktop\"\t,VISIOCLIENT\u{a0},\u{a0}c5928f49-12ba-48f7-ada3-0d743a3601d5 ,ONEDRIVE_BASIC,da792a53-cbc0-4184-a10d-e544dd34b3c1,OneDrive Basic\r\n\
                 Partner-only row,,,,,\r\n\
                 \r\n\
                 Exchange Online (Plan 1),EXCHANGESTANDARD,{{4B9405B0-7788-4568-ADD1-99614E613B69}}\r\n"
            )
            .as_bytes(),
        );
        bytes
    }

    #[test]
    fn parses_a_real_shaped_file() {
        let products = parse_licensing_csv(&sample()).unwrap();
        assert_eq!(
            products,
            [
                ProductName {
                    sku_id: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46".into(),
                    sku_part_number: "SPB".into(),
                    display_name: "Microsoft 365 Business Premium".into(),
                },
                ProductName {
                    sku_id: "c5928f49-12ba-48f7-ada3-0d743a3601d5".into(),
                    sku_part_number: "VISIOCLIENT".into(),
                    display_name: "Visio Plan 2, for web and desktop".into(),
                },
                ProductName {
                    sku_id: "4b9405b0-7788-4568-add1-99614e613b69".into(),
                    sku_part_number: "EXCHANGESTANDARD".into(),
                    display_name: "Exchange Online (Plan 1)".into(),
                },
            ]
        );
    }

    #[test]
    fn header_is_matched_loosely_and_needs_only_three_columns() {
        let csv = "\u{a0}guid\t,STRING_ID,product_display_name\nf8a1db68-be16-40ed-86d5-cb42ce701560,POWER_BI_PRO,Power BI Pro\n";
        let products = parse_licensing_csv(csv.as_bytes()).unwrap();
        assert_eq!(products[0].display_name, "Power BI Pro");
        assert_eq!(products[0].sku_part_number, "POWER_BI_PRO");
    }

    #[test]
    fn missing_columns_are_named() {
        let err = parse_licensing_csv(b"Product_Display_Name,Service_Plan_Name\nA,B\n").unwrap_err();
        assert_eq!(err, CsvError::MissingColumns(vec!["String_Id".into(), "GUID".into()]));
        assert_eq!(
            err.to_string(),
            "the header lacks the column(s) String_Id, GUID; expected Microsoft's licensing CSV, whose header starts Product_Display_Name,String_Id,GUID"
        );
    }

    #[test]
    fn bad_guid_names_its_line() {
        let csv = format!("{HEADER}\r\nA,SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,,,\r\nB,X,not-a-guid,,,\r\n");
        let err = parse_licensing_csv(csv.as_bytes()).unwrap_err();
        assert_eq!(
            err,
            CsvError::Row {
                line: 3,
                message: "GUID 'not-a-guid' is not a GUID (expected 8-4-4-4-12 hexadecimal digits)".into()
            }
        );
        assert!(err.to_string().starts_with("line 3: GUID 'not-a-guid'"));
        // LF line ends and a BOM count the same.
        let lf = format!("\u{feff}{HEADER}\nA,SPB,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,,,\n\nB,X,{{123}},,,\n");
        assert!(matches!(parse_licensing_csv(lf.as_bytes()), Err(CsvError::Row { line: 4, .. })));
    }

    #[test]
    fn empty_and_productless_files() {
        assert_eq!(parse_licensing_csv(b""), Err(CsvError::Empty));
        assert_eq!(parse_licensing_csv(b"\xEF\xBB\xBF\r\n \r\n"), Err(CsvError::Empty));
        assert_eq!(parse_licensing_csv(format!("{HEADER}\r\nA,B,,,,\r\n").as_bytes()), Err(CsvError::NoProducts));
    }

    #[test]
    fn bundled_file_parses_and_has_the_common_skus() {
        let names = bundled();
        assert_eq!(names.len(), 57);
        assert_eq!(
            names.by_part_number("spb").map(|p| p.display_name.as_str()),
            Some("Microsoft 365 Business Premium")
        );
        assert_eq!(
            names.by_sku_id("CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46").map(|p| p.sku_part_number.as_str()),
            Some("SPB")
        );
        assert_eq!(
            names.by_part_number("Microsoft_365_Copilot").map(|p| p.sku_id.as_str()),
            Some("639dec6b-bb19-468b-871c-c5c441c4b0cb")
        );
    }

    #[test]
    fn index_keeps_the_first_and_ignores_case() {
        let names = ProductNames::new(vec![
            ProductName { sku_id: " ABC1-x ".into(), sku_part_number: "p".into(), display_name: "First".into() },
            ProductName { sku_id: "abc1-x".into(), sku_part_number: "q".into(), display_name: "Second".into() },
            ProductName { sku_id: "def".into(), sku_part_number: "P".into(), display_name: "Third".into() },
        ]);
        assert_eq!(names.len(), 2);
        assert_eq!(names.by_sku_id("abc1-X").map(|p| p.display_name.as_str()), Some("First"));
        assert_eq!(names.by_part_number("P").map(|p| p.display_name.as_str()), Some("First"));
        assert_eq!(names.by_part_number("q"), None);
        assert_eq!(names.iter().count(), 2);
    }

    #[test]
    fn display_name_precedence() {
        let uploaded = ProductNames::new(vec![ProductName {
            sku_id: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46".into(),
            sku_part_number: "SPB".into(),
            display_name: "M365 Business Premium (uploaded)".into(),
        }]);
        let spb = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
        let name = |id, part, over, up| display_name(id, part, over, up, bundled());
        assert_eq!(name(spb, "SPB", Some(" Premium "), Some(&uploaded)), "Premium");
        assert_eq!(name(spb, "SPB", Some("  "), Some(&uploaded)), "M365 Business Premium (uploaded)");
        assert_eq!(name(spb, "SPB", None, None), "Microsoft 365 Business Premium");
        // Unknown id but a known part number.
        assert_eq!(name("00000000-0000-0000-0000-000000000000", "SPE_E3", None, Some(&uploaded)), "Microsoft 365 E3");
        assert_eq!(name("00000000-0000-0000-0000-000000000000", "CONTOSO_SKU", None, None), "CONTOSO_SKU");
        assert_eq!(
            name("00000000-0000-0000-0000-000000000000", " ", None, None),
            "00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(name("", "", None, None), "Unknown product");
    }
}
