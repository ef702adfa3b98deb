//! The looks of SeatSync's buttons, so a page's main action, its other actions and the small
//! buttons in table rows look the same on every page. Each is a full class list, written out so
//! Tailwind finds every class in the source.

/// The one main action of a form or panel.
pub const PRIMARY: &str =
    "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50";

/// An action beside the main one that still matters (refresh, a dry run).
pub const OUTLINE: &str = "rounded-md border border-indigo-600 px-3 py-1.5 text-sm font-medium text-indigo-700 \
                           hover:bg-indigo-50 disabled:opacity-50";

/// A quiet action: cancel, ignore, reset.
pub const SECONDARY: &str =
    "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-50";

/// An action on one row of a table.
pub const IN_ROW: &str = "rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50 disabled:opacity-50";

/// A small action under a row's value (block, sign out).
pub const SMALL: &str = "rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50 disabled:opacity-50";
