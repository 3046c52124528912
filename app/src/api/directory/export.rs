//! The directory as a CSV file: the list the page shows (same filter, same order), read in
//! batches by keyset and written with the `csv` crate, at most [`MAX_EXPORT_ROWS`] rows.
//! Served by the server crate at `GET /export/users.csv`.

use super::{
    DirectoryFilter, MAX_EXPORT_ROWS, count_label, query,
    ssr::{criteria, rows_of, scope_of},
};
use crate::{
    domain::{NodeId, Permission, UserId},
    error::{AppError, AppResult},
    format::thousands,
    server::{AppState, policy},
};
use std::borrow::Cow;

/// Rows read per statement.
const BATCH: u32 = 1_000;

pub const HEADER: [&str; 7] =
    ["First name", "Last name", "E-mail", "Username", "Status", "Home account", "Roles here"];

/// A value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return
/// first) gets a leading `'`, so it is shown as text (CSV/formula injection).
pub fn neutralise(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

fn too_many(count: String) -> AppError {
    AppError::Validation {
        message: format!(
            "This list has {count}; an export holds at most {}. Narrow it down with the \
             search or the filters first.",
            thousands(MAX_EXPORT_ROWS)
        ),
        fields: Vec::new(),
    }
}

/// The CSV of the people within reach at `node` matching `filter`, for `viewer`, who must
/// hold ViewUsers there (the same check as the page's).
pub async fn export_csv(
    state: &AppState,
    viewer: UserId,
    node: NodeId,
    filter: &DirectoryFilter,
) -> AppResult<Vec<u8>> {
    let mut conn = state.db.pool.acquire().await?;
    if !policy::permissions_at(&mut conn, viewer, node).await?.contains(Permission::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let scope = scope_of(&mut conn, viewer, node, filter).await?;
    let c = criteria(filter);
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| {
        tracing::error!(error = %e, "writing the CSV export");
        AppError::Internal
    };
    out.write_record(HEADER).map_err(csv_error)?;
    let exact_up_to = state.config.directory_exact_count;
    let mut cursor = None;
    let mut written: u64 = 0;
    loop {
        let page = query::page(
            &mut conn,
            state.db.backend,
            exact_up_to,
            &scope,
            &c,
            cursor.as_ref(),
            BATCH,
        )
        .await?;
        if cursor.is_none() && page.count > MAX_EXPORT_ROWS {
            return Err(too_many(count_label(page.count, page.exact)));
        }
        written += page.rows.len() as u64;
        if written > MAX_EXPORT_ROWS {
            return Err(too_many(format!("more than {} people", thousands(MAX_EXPORT_ROWS))));
        }
        for r in rows_of(&mut conn, viewer, &scope, page.rows).await? {
            let roles = r.roles_here.join("; ");
            let home = r.home_node_name.unwrap_or_default();
            let fields = [
                &r.first_name,
                &r.last_name,
                &r.email,
                &r.username,
                r.status.label(),
                &home,
                &roles,
            ];
            out.write_record(fields.iter().map(|f| neutralise(f).into_owned()))
                .map_err(csv_error)?;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    out.into_inner().map_err(|e| {
        tracing::error!(error = %e, "finishing the CSV export");
        AppError::Internal
    })
}

/// The file name offered for the download: `users-<node>.csv`.
pub fn file_name(node: NodeId) -> String {
    format!("users-{node}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_nothing_else_changes() {
        for (value, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1 555 0100", "'+1 555 0100"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("Ada", "Ada"),
            ("", ""),
            ("a=b", "a=b"),
            ("O'Brien", "O'Brien"),
            (" =x", " =x"),
        ] {
            assert_eq!(neutralise(value), expected, "{value:?}");
        }
    }

    #[test]
    fn neutralised_values_survive_csv_quoting() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["=1+2", "a,b", "say \"hi\""].map(|v| neutralise(v).into_owned())).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "'=1+2,\"a,b\",\"say \"\"hi\"\"\"\n");
    }
}
