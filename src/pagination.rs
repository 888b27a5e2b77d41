//! Cursor pagination shared by every list: `limit` and an opaque `cursor`
//! in, `items` and `next_cursor` out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use serde::Deserialize;
use utoipa::IntoParams;

/// A page request that cannot be served: a 400 at the edge.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// `limit` is out of range.
    #[error("limit must be between 1 and {MAX_LIMIT}")]
    Limit,
    /// The cursor was not issued by this API.
    #[error("cursor is not one this API issued")]
    Cursor,
}

/// Items per page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most items one page may hold.
pub const MAX_LIMIT: u32 = 100;

/// Checks `limit` (1 to 100, default 20).
fn limit(requested: Option<u32>) -> Result<i64, PageError> {
    match requested.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => Ok(i64::from(n)),
        _ => Err(PageError::Limit),
    }
}

/// Encodes the position after the last item of a page.
pub fn encode(position: &str) -> String {
    URL_SAFE_NO_PAD.encode(position.as_bytes())
}

/// `limit` and `cursor`, as every list takes them.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// Checks the limit and decodes the cursor.
    pub fn checked(&self) -> Result<Page, PageError> {
        Page::new(self.limit, self.cursor.as_deref())
    }
}

/// A checked page request: how many, and after which position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Items per page.
    pub limit: i64,
    /// The position after which the page starts (decoded cursor).
    pub after: Option<String>,
}

impl Page {
    /// Checks `limit` and decodes `cursor`.
    pub fn new(limit: Option<u32>, cursor: Option<&str>) -> Result<Page, PageError> {
        Ok(Page {
            limit: self::limit(limit)?,
            after: decode(cursor)?,
        })
    }
}

/// Decodes a cursor from a previous page.
fn decode(cursor: Option<&str>) -> Result<Option<String>, PageError> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(c.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| !s.is_empty() && s.len() <= 200)
        .map(Some)
        .ok_or(PageError::Cursor)
}

/// Cuts a fetch of `limit + 1` rows into a page and the next cursor.
pub fn split<T>(
    mut rows: Vec<T>,
    limit: i64,
    position: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| encode(&position(r)))
    } else {
        None
    };
    (rows, next)
}

/// Declares a page type for a list response.
macro_rules! page_of {
    ($(#[$meta:meta])* $name:ident, $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// This page of results.
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; `null` on the last page.
            #[schema(required = true)]
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use page_of;
