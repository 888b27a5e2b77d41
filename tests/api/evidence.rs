//! Evidence through the API on both databases: uploads checked by their
//! content (not their names), limits, visibility, downloads that are
//! recorded, hiding and removing, one copy of identical files, and nothing
//! left behind by a refused, interrupted or killed upload.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ombud::db::Db;
use ombud::files::LocalStore;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Cast, TestApp, TestUser, case_in, on_each_backend, problem, spawn_app_with};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const HTML: &[u8] =
    b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0";

fn hex_sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn form(bytes: &[u8], name: &str, declared: &str, extra: &[(&str, &str)]) -> Form {
    let part = Part::bytes(bytes.to_vec())
        .file_name(name.to_string())
        .mime_str(declared)
        .unwrap();
    let mut form = Form::new().part("file", part);
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

async fn upload(app: &TestApp, user: &TestUser, case: &str, form: Form) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/cases/{case}/evidence")))
        .bearer_auth(&user.token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn upload_ok(app: &TestApp, user: &TestUser, case: &str, form: Form) -> Value {
    let res = upload(app, user, case, form).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn listed(app: &TestApp, user: &TestUser, case: &str) -> Vec<Value> {
    let res = app.get(&format!("/cases/{case}/evidence"), user).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

async fn download(app: &TestApp, user: &TestUser, file: &Value) -> reqwest::Response {
    let url = format!("{}{}", app.address, file["content_url"].as_str().unwrap());
    app.client
        .get(url)
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
}

fn evidence_dir(app: &TestApp) -> PathBuf {
    PathBuf::from(&app.settings.evidence_dir)
}

/// The files under `dir/sub`, at any depth.
fn files_under(dir: &Path, sub: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&dir.join(sub), &mut out);
    out
}

#[tokio::test]
async fn an_idempotency_key_adds_a_file_once() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = case_in(&app, &cast, "investigation").await;
        let send = |key: &'static str, description: &'static str| {
            app.client
                .post(app.url(&format!("/cases/{case}/evidence")))
                .bearer_auth(&cast.complainant.token)
                .header("Idempotency-Key", key)
                .multipart(form(
                    PNG,
                    "receipt.png",
                    "image/png",
                    &[("description", description)],
                ))
                .send()
        };
        let first = send("receipt-1", "The receipt").await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let location = first.headers()["location"].clone();
        let first: Value = first.json().await.unwrap();
        let again = send("receipt-1", "The receipt").await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["location"], location);
        assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
        // The same key with other fields is refused.
        let res = send("receipt-1", "Another description").await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        problem(res).await;
        assert_eq!(
            listed(&app, &cast.complainant, &case).await.len(),
            1,
            "added once"
        );

        // Hiding it: a retry is answered as the first time, not with a 409.
        let path = first["content_url"]
            .as_str()
            .unwrap()
            .trim_end_matches("/content")
            .to_string();
        let hide = |reason: &'static str| {
            app.client
                .post(format!("{}{path}/hide", app.address))
                .bearer_auth(&cast.mediator.token)
                .header("Idempotency-Key", "hide-1")
                .json(&json!({"reason": reason}))
                .send()
        };
        let hidden = hide("Shows an address.").await.unwrap();
        assert_eq!(hidden.status(), StatusCode::OK);
        let hidden: Value = hidden.json().await.unwrap();
        let again = hide("Shows an address.").await.unwrap();
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.json::<Value>().await.unwrap(), hidden);
        let res = hide("Another reason.").await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn parties_and_staff_add_see_and_download_evidence_as_its_visibility_says() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = case_in(&app, &cast, "investigation").await;
        let photo = upload_ok(
            &app,
            &cast.complainant,
            &case,
            form(
                PNG,
                "photo of the parcel.png",
                "image/png",
                &[("description", "The box as it came")],
            ),
        )
        .await;
        assert_eq!(photo["content_type"], "image/png");
        assert_eq!(photo["size"], PNG.len());
        assert_eq!(photo["sha256"], hex_sha(PNG));
        assert_eq!(photo["visibility"], "all_parties");
        assert_eq!(photo["description"], "The box as it came");
        assert_eq!(photo["added_by"]["id"], cast.complainant.id.as_str());
        let private = upload_ok(
            &app,
            &cast.complainant,
            &case,
            form(
                PDF,
                "bank statement.pdf",
                "application/pdf",
                &[("visibility", "complainant")],
            ),
        )
        .await;

        // The respondent sees what is for both parties, not the other side's.
        let theirs = listed(&app, &cast.respondent, &case).await;
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0]["id"], photo["id"]);
        assert_eq!(
            download(&app, &cast.respondent, &private).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(listed(&app, &cast.mediator, &case).await.len(), 2);
        assert_eq!(listed(&app, &cast.complainant, &case).await.len(), 2);

        // A download is an attachment, never rendered, with its hash.
        let res = download(&app, &cast.respondent, &photo).await;
        assert_eq!(res.status(), StatusCode::OK);
        let header = |name: &str| res.headers()[name].to_str().unwrap().to_string();
        assert_eq!(header("content-type"), "application/octet-stream");
        assert!(
            header("content-disposition").starts_with("attachment"),
            "{}",
            header("content-disposition")
        );
        assert!(
            header("content-disposition")
                .contains("filename*=UTF-8''photo%20of%20the%20parcel.png")
        );
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("etag"), format!("\"{}\"", hex_sha(PNG)));
        assert!(header("repr-digest").starts_with("sha-256=:"));
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

        // Staff see who read which file; the parties do not.
        let staff = app.timeline(&cast.lead, &case).await;
        let read = staff
            .iter()
            .find(|e| e["kind"] == "evidence_read")
            .expect("evidence_read");
        assert_eq!(read["visibility"], "internal");
        assert_eq!(read["actor"]["id"], cast.respondent.id.as_str());
        assert_eq!(read["data"]["file_name"], "photo of the parcel.png");
        let party = app.timeline(&cast.respondent, &case).await;
        let kinds: Vec<&str> = party.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert!(!kinds.contains(&"evidence_read"), "{kinds:?}");
        assert_eq!(
            kinds.iter().filter(|k| **k == "evidence_added").count(),
            1,
            "{kinds:?}"
        );

        // Each upload is mailed to those who may see it, but its author.
        let mail: Value = app
            .get(&format!("/outbox?case_id={case}&limit=100"), &app.admin)
            .await
            .json()
            .await
            .unwrap();
        let told: Vec<String> = mail["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["template"] == "new_evidence")
            .map(|m| m["recipient_email"].as_str().unwrap().to_string())
            .collect();
        let mut want = vec![
            cast.respondent.email.clone(),
            cast.mediator.email.clone(),
            cast.mediator.email.clone(),
        ];
        want.sort();
        let mut told = told;
        told.sort();
        assert_eq!(told, want);

        // A mediator hides the photo: the respondent loses it, and its entry.
        let path = photo["content_url"]
            .as_str()
            .unwrap()
            .trim_end_matches("/content")
            .to_string();
        let res = app
            .client
            .post(format!("{}{path}/hide", app.address))
            .bearer_auth(&cast.mediator.token)
            .json(&json!({"reason": "Shows a neighbour's address."}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(listed(&app, &cast.respondent, &case).await.is_empty());
        let party = app.timeline(&cast.respondent, &case).await;
        assert!(
            !party
                .iter()
                .any(|e| e["data"]["evidence_id"] == photo["id"]),
            "{party:?}"
        );
        let own = app.timeline(&cast.complainant, &case).await;
        assert!(
            own.iter()
                .any(|e| e["kind"] == "evidence_added" && e["data"]["evidence_id"] == photo["id"])
        );

        // Text in an older encoding is text, offered as such.
        let cp1251 = b"\xcf\xee\xf1\xfb\xeb\xea\xe0 \xed\xe5 \xef\xf0\xe8\xf8\xeb\xe0";
        let text = upload_ok(
            &app,
            &cast.respondent,
            &case,
            form(cp1251, "run.bat", "text/plain", &[]),
        )
        .await;
        assert_eq!(text["content_type"], "text/plain");
        assert_eq!(text["file_name"], "run.bat.txt");

        // A mediator the case is not assigned to may not add or hide.
        let res = upload(
            &app,
            &cast.other_mediator,
            &case,
            form(PNG, "x.png", "image/png", &[]),
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(res).await;

        // Someone with no part in the case sees nothing, not even that it exists.
        let outsider = app.user(ombud::domain::Role::Member).await;
        assert_eq!(
            download(&app, &outsider, &photo).await.status(),
            StatusCode::NOT_FOUND
        );
        let res = upload(&app, &outsider, &case, form(PNG, "x.png", "image/png", &[])).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(res).await;
    })
    .await;
}

#[tokio::test]
async fn spoofed_oversized_empty_and_forbidden_uploads_are_refused_and_leave_nothing() {
    for backend in crate::helpers::backends() {
        let app = spawn_app_with(backend, |s| s.evidence_max_bytes = 1000).await;
        let cast = Cast::new(&app).await;
        let case = case_in(&app, &cast, "assigned").await;

        // A PNG called a PDF is kept as what it is.
        let png = upload_ok(
            &app,
            &cast.complainant,
            &case,
            form(PNG, "contract.pdf", "application/pdf", &[]),
        )
        .await;
        assert_eq!(png["content_type"], "image/png");
        // Offered under a name that says what it is.
        assert_eq!(png["file_name"], "contract.pdf.png");

        // HTML called a PNG, and a program called a PDF, are refused.
        for (bytes, name, declared, kind) in [
            (HTML, "photo.png", "image/png", "text/html"),
            (
                ELF,
                "invoice.pdf",
                "application/pdf",
                "application/x-executable",
            ),
        ] {
            let res = upload(
                &app,
                &cast.complainant,
                &case,
                form(bytes, name, declared, &[]),
            )
            .await;
            assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}");
            let p = problem(res).await;
            assert!(p["detail"].as_str().unwrap().contains(kind), "{p}");
        }
        // Over the limit, declared or not.
        let big = vec![b'a'; 1001];
        let res = upload(
            &app,
            &cast.complainant,
            &case,
            form(&big, "notes.txt", "text/plain", &[]),
        )
        .await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        problem(res).await;
        let huge = vec![b'a'; 200_000];
        let res = upload(
            &app,
            &cast.complainant,
            &case,
            form(&huge, "notes.txt", "text/plain", &[]),
        )
        .await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // Empty, missing, a stray part, a bad visibility, not a form at all.
        let res = upload(
            &app,
            &cast.complainant,
            &case,
            form(b"", "empty.txt", "text/plain", &[]),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(res).await["errors"][0]["field"], "file");
        let res = upload(
            &app,
            &cast.complainant,
            &case,
            Form::new().text("description", "no file"),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = upload(
            &app,
            &cast.complainant,
            &case,
            form(PNG, "a.png", "image/png", &[("colour", "red")]),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        for visibility in ["respondent", "internal", "everyone"] {
            let res = upload(
                &app,
                &cast.complainant,
                &case,
                form(PNG, "a.png", "image/png", &[("visibility", visibility)]),
            )
            .await;
            assert_eq!(
                res.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{visibility}"
            );
            assert_eq!(problem(res).await["errors"][0]["field"], "visibility");
        }
        let res = app
            .post(
                &format!("/cases/{case}/evidence"),
                &cast.complainant,
                json!({"file": "x"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        problem(res).await;

        // Only the PNG is recorded and kept; nothing is staged.
        assert_eq!(listed(&app, &cast.mediator, &case).await.len(), 1);
        let dir = evidence_dir(&app);
        assert_eq!(
            files_under(&dir, "sha256").len(),
            1,
            "{:?}",
            files_under(&dir, "sha256")
        );
        assert!(files_under(&dir, "staging").is_empty());
        app.db.destroy();
    }
}

#[tokio::test]
async fn identical_files_are_kept_once_and_content_goes_when_nothing_uses_it() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let first = case_in(&app, &cast, "intake").await;
        let second = case_in(&app, &cast, "assigned").await;
        let a = upload_ok(
            &app,
            &cast.complainant,
            &first,
            form(PDF, "a.pdf", "application/pdf", &[]),
        )
        .await;
        let b = upload_ok(
            &app,
            &cast.complainant,
            &second,
            form(PDF, "b.pdf", "application/pdf", &[]),
        )
        .await;
        assert_eq!(a["sha256"], b["sha256"]);
        let dir = evidence_dir(&app);
        assert_eq!(files_under(&dir, "sha256").len(), 1);

        // Only whoever added a file removes it, and only before the investigation.
        let remove = |who: &TestUser, file: &Value| {
            let (path, who) = (
                file["content_url"]
                    .as_str()
                    .unwrap()
                    .trim_end_matches("/content")
                    .to_string(),
                who.clone(),
            );
            let app = &app;
            async move {
                app.client
                    .request(Method::DELETE, format!("{}{path}", app.address))
                    .bearer_auth(&who.token)
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            remove(&cast.respondent, &a).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            remove(&cast.mediator, &a).await.status(),
            StatusCode::FORBIDDEN
        );
        let c = upload_ok(
            &app,
            &cast.complainant,
            &second,
            form(PNG, "c.png", "image/png", &[]),
        )
        .await;
        let hide_c = app
            .client
            .post(format!(
                "{}{}/hide",
                app.address,
                c["content_url"]
                    .as_str()
                    .unwrap()
                    .trim_end_matches("/content")
            ))
            .bearer_auth(&cast.mediator.token)
            .json(&json!({"reason": "Not about this case."}))
            .send()
            .await
            .unwrap();
        assert_eq!(hide_c.status(), StatusCode::OK);
        let res = remove(&cast.complainant, &c).await;
        assert_eq!(res.status(), StatusCode::CONFLICT, "a hidden file is kept");
        problem(res).await;
        app.sql(&format!(
            "DELETE FROM evidence WHERE id = '{}'",
            c["id"].as_str().unwrap()
        ));
        assert_eq!(
            remove(&cast.complainant, &a).await.status(),
            StatusCode::NO_CONTENT
        );
        assert!(listed(&app, &cast.complainant, &first).await.is_empty());
        let kinds: Vec<Value> = app
            .timeline(&cast.respondent, &first)
            .await
            .iter()
            .map(|e| e["kind"].clone())
            .collect();
        assert!(kinds.contains(&json!("evidence_removed")), "{kinds:?}");

        // The sweep keeps content a case still uses (the PDF, on the second
        // case) and removes what nothing uses (the PNG whose record went).
        let db = Db::connect(&app.db.url, 1, Duration::from_secs(5)).unwrap();
        let store = std::sync::Arc::new(LocalStore::new(&dir));
        let later = app.clock.now() + chrono::Duration::hours(2);
        let swept = ombud::jobs::evidence::run_once(&db, store.clone(), later)
            .await
            .unwrap();
        assert_eq!(swept.contents, 1);
        assert_eq!(files_under(&dir, "sha256").len(), 1);
        assert!(files_under(&dir, "sha256")[0].ends_with(hex_sha(PDF)));

        app.act_ok(&cast.mediator, &second, "start_investigation", json!({}))
            .await;
        let res = remove(&cast.complainant, &b).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
        // Hiding is for staff; the file stays, for staff and its author.
        let hide = |who: &TestUser, body: Value| {
            let (path, who) = (
                format!(
                    "{}/hide",
                    b["content_url"]
                        .as_str()
                        .unwrap()
                        .trim_end_matches("/content")
                ),
                who.clone(),
            );
            let app = &app;
            async move {
                app.client
                    .post(format!("{}{path}", app.address))
                    .bearer_auth(&who.token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            hide(&cast.respondent, json!({"reason": "no"}))
                .await
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            hide(&cast.mediator, json!({"reason": " "})).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let res = hide(
            &cast.mediator,
            json!({"reason": "Shows a third person's address."}),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        let hidden: Value = res.json().await.unwrap();
        assert_eq!(
            hidden["hidden"]["reason"],
            "Shows a third person's address."
        );
        assert_eq!(hidden["hidden"]["by"]["id"], cast.mediator.id.as_str());
        assert_eq!(
            hide(&cast.mediator, json!({"reason": "again"}))
                .await
                .status(),
            StatusCode::CONFLICT
        );
        assert!(listed(&app, &cast.respondent, &second).await.is_empty());
        assert_eq!(
            download(&app, &cast.respondent, &b).await.status(),
            StatusCode::NOT_FOUND
        );
        let own = listed(&app, &cast.complainant, &second).await;
        assert_eq!(
            own[0]["hidden"]["reason"],
            "Shows a third person's address."
        );
        assert_eq!(listed(&app, &cast.lead, &second).await.len(), 1);
        let staff = app.timeline(&cast.lead, &second).await;
        let entry = staff
            .iter()
            .find(|e| e["kind"] == "evidence_hidden")
            .expect("evidence_hidden");
        assert_eq!(entry["visibility"], "internal");

        // Once no file uses the content, the sweep removes it (after its grace).
        app.sql(&format!(
            "DELETE FROM evidence WHERE id = '{}'",
            b["id"].as_str().unwrap()
        ));
        let soon = app.clock.now() + chrono::Duration::minutes(10);
        assert_eq!(
            ombud::jobs::evidence::run_once(&db, store.clone(), soon)
                .await
                .unwrap()
                .contents,
            0
        );
        let swept = ombud::jobs::evidence::run_once(&db, store, later)
            .await
            .unwrap();
        assert_eq!(swept.contents, 1);
        assert!(files_under(&dir, "sha256").is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_case_holds_at_most_the_configured_number_of_files() {
    for backend in crate::helpers::backends() {
        let app = spawn_app_with(backend, |s| s.evidence_max_per_case = 2).await;
        let cast = Cast::new(&app).await;
        let case = case_in(&app, &cast, "assigned").await;
        upload_ok(
            &app,
            &cast.complainant,
            &case,
            form(PNG, "1.png", "image/png", &[]),
        )
        .await;
        upload_ok(
            &app,
            &cast.respondent,
            &case,
            form(PDF, "2.pdf", "application/pdf", &[]),
        )
        .await;
        let res = upload(
            &app,
            &cast.mediator,
            &case,
            form(b"a third file", "3.txt", "text/plain", &[]),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        problem(res).await;
        assert_eq!(listed(&app, &cast.mediator, &case).await.len(), 2);
        assert_eq!(files_under(&evidence_dir(&app), "sha256").len(), 2);
        // Uploads at once cannot both take the last place.
        let other = case_in(&app, &cast, "assigned").await;
        let mut at_once = tokio::task::JoinSet::new();
        for n in 0..6 {
            let (client, url, token) = (
                app.client.clone(),
                app.url(&format!("/cases/{other}/evidence")),
                cast.complainant.token.clone(),
            );
            at_once.spawn(async move {
                let body = format!("note number {n}").into_bytes();
                let part = Part::bytes(body)
                    .file_name("n.txt")
                    .mime_str("text/plain")
                    .unwrap();
                let res = client
                    .post(url)
                    .bearer_auth(token)
                    .multipart(Form::new().part("file", part))
                    .send()
                    .await
                    .unwrap();
                res.status()
            });
        }
        let statuses = at_once.join_all().await;
        let created = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert_eq!(created, 2, "{statuses:?}");
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
            "{statuses:?}"
        );
        assert_eq!(listed(&app, &cast.mediator, &other).await.len(), 2);
        app.db.destroy();
    }
}

/// A server process killed while a file is arriving leaves a staging file
/// and no record; the sweep removes the file once its grace has passed.
#[tokio::test]
async fn an_upload_cut_off_by_a_killed_process_leaves_nothing_after_the_sweep() {
    on_each_backend(|app| async move {
        let cast = Cast::new(&app).await;
        let case = case_in(&app, &cast, "assigned").await;
        let dir = PathBuf::from(format!("{}-killed", app.settings.evidence_dir));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = crate::helpers::ombud_command()
            .arg("serve")
            .env("DATABASE_URL", &app.db.url)
            .env("OMBUD_BIND", format!("127.0.0.1:{port}"))
            .env("OMBUD_RUN_JOBS", "false")
            .env("OMBUD_EVIDENCE_DIR", &dir)
            .env("RUST_LOG", "warn")
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = std::time::Instant::now();
        while reqwest::get(format!("{base}/ready")).await.map(|r| r.status()).ok() != Some(StatusCode::OK) {
            assert!(started.elapsed() < Duration::from_secs(60), "server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The form's start and half a file; the rest never comes.
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
        let boundary = "ombud-test-boundary";
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"long.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        );
        tx.send(Ok(head.into_bytes())).await.unwrap();
        tx.send(Ok(vec![b'a'; 64 * 1024])).await.unwrap();
        let body = reqwest::Body::wrap_stream(tokio_stream(rx));
        let request = app
            .client
            .post(format!("{base}/api/v1/cases/{case}/evidence"))
            .bearer_auth(&cast.complainant.token)
            .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send();
        let pending = tokio::spawn(request);
        let started = std::time::Instant::now();
        while files_under(&dir, "staging").is_empty() {
            assert!(started.elapsed() < Duration::from_secs(60), "the upload never reached the server");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server.kill().unwrap();
        server.wait().unwrap();
        drop(tx);
        let _ = pending.await;

        assert_eq!(files_under(&dir, "staging").len(), 1);
        assert!(files_under(&dir, "sha256").is_empty());
        assert!(listed(&app, &cast.mediator, &case).await.is_empty());
        let db = Db::connect(&app.db.url, 1, Duration::from_secs(5)).unwrap();
        let store = std::sync::Arc::new(LocalStore::new(&dir));
        let now = app.clock.now();
        assert_eq!(ombud::jobs::evidence::run_once(&db, store.clone(), now).await.unwrap().staging, 0);
        let later = now + chrono::Duration::hours(2);
        assert_eq!(ombud::jobs::evidence::run_once(&db, store, later).await.unwrap().staging, 1);
        assert!(files_under(&dir, "staging").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

/// The receiving end of `rx` as a stream of chunks.
fn tokio_stream(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
