//! Statistics for leads and admins, as JSON or CSV.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::accounts::Caller;
use crate::cases::statistics::{self, Statistics, StatisticsQuery};
use crate::domain::Scope;
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// Whether the client asked for CSV (`Accept: text/csv`) before JSON.
fn wants_csv(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let csv = accept.find("text/csv");
    let json = accept.find("application/json");
    match (csv, json) {
        (Some(c), Some(j)) => c < j,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Statistics over the cases filed in a range (leads and admins): counts
/// by state, priority and category; the median and 90th percentile of the
/// time to the first answer and to resolution, in business time as each
/// case's service level counts it, and the share within target; the
/// backlog of unresolved cases by age (as of now); and per category and
/// per mediator (open load now, cases resolved, median handling time from
/// assignment to resolution, appeal and overturn rates, average feedback
/// rating). The range defaults to the 30 days before `to` (now), and spans
/// ten years at most. Send `Accept: text/csv` for the same figures as CSV,
/// one per line (`section,key,metric,value`). Times are in seconds;
/// percentiles are by nearest rank.
#[utoipa::path(
    tag = "desk",
    operation_id = "get_statistics",
    params(StatisticsQuery),
    responses(
        (status = 200, description = "The figures, as JSON or (with `Accept: text/csv`) as CSV",
         content(
            (Statistics = "application/json"),
            (String = "text/csv", example = json!("section,key,metric,value\nrange,,from,2026-10-29T00:00:00+00:00\ncases,,filed,240\nstate,closed,count,206\nfirst_response,,median_seconds,2700\n"))
         )),
        ReadErrors
    )
)]
#[get("/statistics")]
pub async fn get_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<StatisticsQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesRead)?;
    if !caller.role.is_supervisor() {
        return Err(ApiError::Forbidden(
            "only leads and admins may read the statistics".into(),
        ));
    }
    let q = query.into_inner();
    let now = state.clock.now();
    let stats: Statistics = state
        .db
        .read(move |conn| statistics::compute(conn, &q, now))
        .await?;
    if wants_csv(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ombud-statistics.csv\"",
            ))
            .body(statistics::to_csv(&stats)));
    }
    Ok(HttpResponse::Ok().json(stats))
}
