//! A case from filing to closed through the Rust client generated from
//! openapi/openapi.json (openapi-generator, `rust` generator, reqwest): every
//! request goes through a generated function and every answer is read into a
//! generated model, so a response that does not match the spec fails here.
//!
//! Needs OMBUD_API_URL (http://host:port) and OMBUD_ADMIN_TOKEN. The admin
//! makes a category and four people; each party, the mediator and the lead
//! then sign in and act with their own token: filing (replayed with its
//! Idempotency-Key), assignment, a message, search, a ruling, the respondent's
//! appeal (refused to the complainant), the lead's decision and closing.

use ombud_client::apis::configuration::Configuration;
use ombud_client::apis::{
    actions_api, auth_api, cases_api, categories_api, messages_api, timeline_api, users_api, Error,
};
use ombud_client::models;
use std::fmt::Debug;

type Outcome<T> = Result<T, String>;

fn client(base: &str, token: Option<String>) -> Configuration {
    Configuration {
        base_path: base.to_string(),
        bearer_access_token: token,
        ..Configuration::default()
    }
}

/// The call's answer, or what went wrong with the step named.
fn ok<T, E: Debug>(step: &str, result: Result<T, Error<E>>) -> Outcome<T> {
    result.map_err(|e| format!("{step}: {}", describe(e)))
}

fn describe<E: Debug>(e: Error<E>) -> String {
    match e {
        Error::ResponseError(r) => format!("HTTP {}: {}", r.status, r.content),
        other => other.to_string(),
    }
}

/// The call must be refused with `status` and a problem document.
fn refused<T: Debug, E: Debug>(
    step: &str,
    status: u16,
    result: Result<T, Error<E>>,
) -> Outcome<()> {
    match result {
        Err(Error::ResponseError(r)) if r.status.as_u16() == status && r.entity.is_some() => Ok(()),
        Err(e) => Err(format!(
            "{step}: expected HTTP {status}, got {}",
            describe(e)
        )),
        Ok(v) => Err(format!(
            "{step}: expected HTTP {status}, got success: {v:?}"
        )),
    }
}

fn expect<T: PartialEq + Debug>(what: &str, actual: T, wanted: T) -> Outcome<()> {
    if actual == wanted {
        Ok(())
    } else {
        Err(format!("{what}: expected {wanted:?}, got {actual:?}"))
    }
}

async fn sign_in(base: &str, email: &str, password: &str) -> Outcome<Configuration> {
    let anonymous = client(base, None);
    let issued = ok(
        "sign in",
        auth_api::create_token(
            &anonymous,
            models::SignIn::new(email.into(), password.into()),
        )
        .await,
    )?;
    Ok(client(base, Some(issued.token)))
}

async fn flow(base: &str, admin_token: &str) -> Outcome<()> {
    let admin = client(base, Some(admin_token.to_string()));

    println!("  admin creates a category and four people");
    let category = ok(
        "create_category",
        categories_api::create_category(
            &admin,
            models::CreateCategory::new("Billing".into(), "billing".into()),
            Some("rust-billing"),
        )
        .await,
    )?;
    let mut ids = Vec::new();
    for (email, name, role) in [
        ("ann@example.org", "Ann", models::Role::Member),
        ("shop@example.org", "Shop", models::Role::Member),
        ("mia@example.org", "Mia", models::Role::Mediator),
        ("lee@example.org", "Lee", models::Role::Lead),
    ] {
        let mut body = models::CreateUser::new(email.into(), name.into());
        body.role = Some(Some(role));
        body.password = Some(Some(format!("password of {name}")));
        let user = ok(
            "create_user",
            users_api::create_user(&admin, body, Some(email)).await,
        )?;
        expect("role", user.role, role)?;
        ids.push(user.id);
    }
    let mia_id = ids[2];

    println!("  everyone signs in with their own password");
    let ann = sign_in(base, "ann@example.org", "password of Ann").await?;
    let shop = sign_in(base, "shop@example.org", "password of Shop").await?;
    let mia = sign_in(base, "mia@example.org", "password of Mia").await?;
    let lee = sign_in(base, "lee@example.org", "password of Lee").await?;

    println!("  the complainant files a case, and the same request again with its Idempotency-Key");
    // A respondent is a user id or a name and an email: one of two shapes.
    let respondent = models::RespondentInput::RespondentByContact(Box::new(
        models::RespondentByContact::new("shop@example.org".into(), "Shop".into()),
    ));
    let complaint = models::FileCase::new(
        category.slug.clone(),
        "Invoice 77 charged twice on my card.".into(),
        respondent,
        "Double charge on invoice 77".into(),
    );
    let case = ok(
        "file_case",
        cases_api::file_case(&ann, complaint.clone(), Some("rust-invoice-77")).await,
    )?;
    expect("state after filing", case.state, models::CaseState::Intake)?;
    let again = ok(
        "file_case replay",
        cases_api::file_case(&ann, complaint, Some("rust-invoice-77")).await,
    )?;
    expect("replayed case id", again.id, case.id)?;
    let id = case.id.to_string();

    println!("  the lead assigns it; the mediator starts the investigation");
    let body = models::AssignBody::new(mia_id);
    let case = ok(
        "assign",
        actions_api::assign(&lee, &id, body, None, None).await,
    )?;
    expect("state", case.state, models::CaseState::Assigned)?;
    let case = ok(
        "start_investigation",
        actions_api::start_investigation(&mia, &id, None, None, None).await,
    )?;
    expect("state", case.state, models::CaseState::Investigation)?;

    println!("  the respondent writes to both parties; the complainant reads it");
    let mut message = models::PostMessage::new("The second charge was a pre-authorisation.".into());
    message.visibility = Some(models::Visibility::AllParties);
    ok(
        "post_message",
        messages_api::post_message(&shop, &id, message, Some("rust-msg-1")).await,
    )?;
    let page = ok(
        "list_messages",
        messages_api::list_messages(&ann, &id, None, None, None).await,
    )?;
    let bodies: Vec<&str> = page.items.iter().map(|m| m.body.as_str()).collect();
    expect(
        "messages the complainant sees",
        bodies,
        vec!["The second charge was a pre-authorisation."],
    )?;

    println!("  the lead finds it by a word of the respondent's message (list_cases q=)");
    let found = ok(
        "list_cases q",
        cases_api::list_cases(
            &lee,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some("authorisation"),
            None,
            None,
            None,
        )
        .await,
    )?;
    expect(
        "search hits",
        found.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![case.id],
    )?;

    println!("  the mediator rules; the respondent appeals");
    let ruling = models::IssueRulingBody::new(
        models::RulingOutcome::Upheld,
        "The bank statement shows two settled charges.".into(),
    );
    let case = ok(
        "issue_ruling",
        actions_api::issue_ruling(&mia, &id, ruling, None, None).await,
    )?;
    expect("state", case.state, models::CaseState::Ruling)?;
    let case = ok(
        "appeal",
        actions_api::appeal(
            &shop,
            &id,
            models::AppealBody::new("It was refunded.".into()),
            None,
            None,
        )
        .await,
    )?;
    expect("state", case.state, models::CaseState::Appeal)?;

    println!("  the complainant may not decide the appeal (403); the lead upholds the ruling");
    // Upholding takes no new terms; amending or overturning takes an outcome.
    let decision = models::DecideAppealBody::AppealUpheld(Box::new(models::AppealUpheld::new(
        models::appeal_upheld::Decision::Uphold,
        "No refund reached the complainant.".into(),
    )));
    refused(
        "decide_appeal by the complainant",
        403,
        actions_api::decide_appeal(&ann, &id, decision.clone(), None, None).await,
    )?;
    let case = ok(
        "decide_appeal",
        actions_api::decide_appeal(&lee, &id, decision, None, None).await,
    )?;
    expect("state", case.state, models::CaseState::FollowUp)?;

    println!(
        "  the mediator closes it with the version read (If-Match); both parties read it closed"
    );
    let read = ok("get_case", cases_api::get_case(&mia, &id).await)?;
    let tag = format!("\"v{}\"", read.version);
    let case = ok(
        "close",
        actions_api::close(&mia, &id, Some(&tag), None, None).await,
    )?;
    expect("state", case.state, models::CaseState::Closed)?;
    for party in [&ann, &shop] {
        let seen = ok("get_case", cases_api::get_case(party, &id).await)?;
        expect("state", seen.state, models::CaseState::Closed)?;
    }

    println!("  the timeline tells the story");
    let timeline = ok(
        "list_timeline",
        timeline_api::list_timeline(&ann, &id, Some(100), None).await,
    )?;
    let kinds: Vec<&str> = timeline.items.iter().map(|e| e.kind.as_str()).collect();
    for kind in ["case_filed", "assign", "appeal", "decide_appeal", "close"] {
        if !kinds.contains(&kind) {
            return Err(format!("timeline has no {kind:?} entry: {kinds:?}"));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (Ok(base), Ok(token)) = (
        std::env::var("OMBUD_API_URL"),
        std::env::var("OMBUD_ADMIN_TOKEN"),
    ) else {
        eprintln!("OMBUD_API_URL and OMBUD_ADMIN_TOKEN are needed");
        return std::process::ExitCode::FAILURE;
    };
    println!("rust client flow against {base}");
    match flow(&base, &token).await {
        Ok(()) => {
            println!("rust client flow: OK");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rust client flow: FAILED: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
