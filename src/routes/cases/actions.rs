//! The lifecycle actions over HTTP. One generic handler ([`run`]) does what
//! every action shares: the scope, `If-Match`, the body's parse, retrying a
//! lost race, the `ETag` and the answer. Each action is one `action!` line
//! that names its input and body, registers its route and documents it in
//! the spec; what the action does lives in [`crate::cases::actions`].

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::accounts::Caller;
use crate::cases::actions::NoteBody;
use crate::cases::actions::accept_ruling::AcceptRuling;
use crate::cases::actions::accept_settlement::AcceptSettlement;
use crate::cases::actions::appeal::{Appeal, AppealBody};
use crate::cases::actions::assign::{Assign, AssignBody};
use crate::cases::actions::claim::Claim;
use crate::cases::actions::close::Close;
use crate::cases::actions::decide_appeal::{DecideAppeal, DecideAppealBody};
use crate::cases::actions::dismiss::{Dismiss, DismissBody};
use crate::cases::actions::issue_ruling::{IssueRuling, IssueRulingBody};
use crate::cases::actions::propose_settlement::{ProposeSettlement, ProposeSettlementBody};
use crate::cases::actions::reject_settlement::RejectSettlement;
use crate::cases::actions::reopen::{Reopen, ReopenBody};
use crate::cases::actions::request_info::{RequestInfo, RequestInfoBody};
use crate::cases::actions::start_investigation::StartInvestigation;
use crate::cases::actions::withdraw::Withdraw;
use crate::cases::{CaseAction, CaseView, case_view, take};
use crate::domain::{Actor, CaseId, Scope};
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::ActionErrors;
use crate::routes::extract::{ActionBody, IfMatch, OptionalJson, idempotency_key};
use crate::routes::idempotency::{self, Created};
use crate::state::AppState;

/// Takes action `A` for an HTTP caller and answers with the changed case
/// and its new `ETag`. Without `If-Match`, a lost race is retried against
/// the fresh case (which then usually answers 409). With an
/// `Idempotency-Key` (`key`, and the request's `fingerprint`), a retry of
/// an action that was taken gets its first answer again, and the action is
/// not taken twice.
pub async fn run<A: CaseAction>(
    state: &AppState,
    caller: &Caller,
    if_match: IfMatch,
    case_id: uuid::Uuid,
    body: A::Body,
    (key, fingerprint): (ApiResult<Option<String>>, String),
) -> ApiResult<HttpResponse> {
    // Field errors first (422), then the token's scope, then the key: the
    // order docs/api.md gives.
    let input = A::parse(body, &state.env())?;
    caller.require_scope(Scope::CasesWrite)?;
    let key = key?;
    let (id, actor, expected) = (CaseId(case_id), Actor::from(caller), if_match.0);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let (env, input, expected_now) = (state.env(), input.clone(), expected.clone());
        let result = idempotency::create(
            state,
            caller,
            key.clone(),
            fingerprint.clone(),
            move |conn| {
                let (ctx, standing) = take(conn, &env, &actor, id, &expected_now, input)?;
                Created::ok(case_view(&ctx, &standing)?)
            },
        )
        .await;
        match result {
            Err(ApiError::PreconditionFailed(_)) if expected.is_absent() && attempt < 3 => {}
            other => return other,
        }
    }
}

/// The `If-Match` and `Idempotency-Key` headers every action takes.
pub struct ActionParams;

impl utoipa::IntoParams for ActionParams {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::Required;
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let mut params = vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "The ETag of the case as you last read it (a strong tag; a weak `W/` tag never matches); a stale one gets 412 and changes nothing",
                ))
                .example(Some(serde_json::json!("\"v3\"")))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        ];
        params.extend(idempotency::IdempotencyParams::into_params(|| None));
        params
    }
}

/// Registers one action: its handler, route and place in the spec. `json`
/// bodies are required; `optional` ones may be left out entirely.
macro_rules! action {
    ($(#[$doc:meta])* $name:ident, $input:ty, json $body:ty, $path:tt) => {
        action!(@ $(#[$doc])* $name, $input, web::Json<$body>, $path, request_body = $body);
    };
    ($(#[$doc:meta])* $name:ident, $input:ty, optional $body:ty, $path:tt) => {
        action!(@ $(#[$doc])* $name, $input, OptionalJson<$body>, $path,
            request_body(content = Option<$body>, description = "Optional; may be left out"));
    };
    (@ $(#[$doc:meta])* $name:ident, $input:ty, $extract:ty, $path:tt, $($body_spec:tt)+) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "actions",
            params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
            $($body_spec)+,
            responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
        )]
        #[post($path)]
        #[tracing::instrument(skip_all, fields(case_id = %path))]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            if_match: IfMatch,
            req: HttpRequest,
            path: web::Path<uuid::Uuid>,
            body: $extract,
        ) -> ApiResult<HttpResponse> {
            let (case_id, body) = (path.into_inner(), body.into_body());
            let key = idempotency_key(&req);
            // The same key with another `If-Match` is another request.
            let tag = req
                .headers()
                .get(actix_web::http::header::IF_MATCH)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let route = format!("{}:{case_id}:{tag}", stringify!($name));
            let fingerprint = idempotency::fingerprint(&route, &body);
            run::<$input>(&state, &caller, if_match, case_id, body, (key, fingerprint)).await
        }
    };
}

action!(
    /// Assign the case to a mediator, or reassign it (leads and admins):
    /// intake → assigned; from assigned, investigation, appeal or follow_up
    /// it stays where it is. An appeal is never given to the mediator who ruled.
    assign, Assign, json AssignBody, "/cases/{case_id}/actions/assign"
);
action!(
    /// Claim an unassigned case (a mediator or lead with a profile who may
    /// take it: their skills include its category, they are on duty and
    /// under capacity, not a party and without a declared conflict with
    /// one): intake → assigned, to the caller. 409 names the reason when
    /// they may not.
    claim, Claim, optional NoteBody, "/cases/{case_id}/actions/claim"
);
action!(
    /// Start the investigation (the assigned mediator): assigned → investigation.
    start_investigation, StartInvestigation, optional NoteBody,
    "/cases/{case_id}/actions/start_investigation"
);
action!(
    /// Ask a party for information by a deadline (the assigned mediator). The case
    /// waits on that party until they post a message on it.
    request_info, RequestInfo, json RequestInfoBody, "/cases/{case_id}/actions/request_info"
);
action!(
    /// Propose a settlement (the assigned mediator). A new proposal replaces an
    /// open one; when both parties accept, the case is settled.
    propose_settlement, ProposeSettlement, json ProposeSettlementBody,
    "/cases/{case_id}/actions/propose_settlement"
);
action!(
    /// Accept the open settlement proposal (a party). `If-Match` is required, so
    /// that what you accept is the proposal you read (428 without it). When both parties have
    /// accepted, the terms become a `settled` ruling that is final, and the case
    /// moves on to follow_up.
    accept_settlement, AcceptSettlement, optional NoteBody,
    "/cases/{case_id}/actions/accept_settlement"
);
action!(
    /// Reject the open settlement proposal (a party). The proposal closes and
    /// the investigation goes on; the mediator may propose again or rule.
    reject_settlement, RejectSettlement, optional NoteBody,
    "/cases/{case_id}/actions/reject_settlement"
);
action!(
    /// Issue the ruling (the assigned mediator): investigation → ruling. The
    /// appeal window opens (each party may appeal this ruling once); when it
    /// closes, the next scan moves the case on to follow-up. A final ruling
    /// (`appealable: false`) has no window and moves on at the next scan.
    issue_ruling, IssueRuling, json IssueRulingBody, "/cases/{case_id}/actions/issue_ruling"
);
action!(
    /// Accept the ruling (a party). When both parties have, the case moves on to follow_up.
    accept_ruling, AcceptRuling, optional NoteBody, "/cases/{case_id}/actions/accept_ruling"
);
action!(
    /// Appeal the ruling (a party, once, within the appeal window, unless the
    /// ruling is final or you accepted it): ruling → appeal. Someone other than
    /// the mediator who ruled decides it.
    appeal, Appeal, json AppealBody, "/cases/{case_id}/actions/appeal"
);
action!(
    /// Decide the appeal (a lead, an admin, or the mediator the appeal was
    /// assigned to; never the mediator who ruled): appeal → follow_up. Amend and
    /// overturn replace the ruling with a final one.
    decide_appeal, DecideAppeal, json DecideAppealBody, "/cases/{case_id}/actions/decide_appeal"
);
action!(
    /// Close the case after follow-up (the assigned mediator): follow_up → closed. A lead may reopen it within the reopen period.
    close, Close, optional NoteBody, "/cases/{case_id}/actions/close"
);
action!(
    /// Reopen a closed case within the reopen period (leads and admins):
    /// closed → investigation, with the same mediator.
    reopen, Reopen, json ReopenBody, "/cases/{case_id}/actions/reopen"
);
action!(
    /// Withdraw the complaint (the complainant), before a ruling: → withdrawn.
    withdraw, Withdraw, optional NoteBody, "/cases/{case_id}/actions/withdraw"
);
action!(
    /// Dismiss the case with a reason (the assigned mediator, a lead or an admin),
    /// before a ruling: → dismissed.
    dismiss, Dismiss, json DismissBody, "/cases/{case_id}/actions/dismiss"
);
