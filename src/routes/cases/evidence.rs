//! Evidence over HTTP: uploads (multipart/form-data, streamed to a staging
//! file, hashed and checked as they arrive), the list, downloads, hiding
//! and removing. What may be done is decided by the case service
//! (`cases::evidence`); the content goes through `files::ContentStore`.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use actix_multipart::Multipart;
use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::accounts::Caller;
use crate::cases::evidence::{
    EvidenceList, EvidenceView, HideEvidence, Received, add, check_description, hide, list,
    may_add, open, remove,
};
use crate::domain::events::Visibility;
use crate::domain::evidence::{HEAD_BYTES, allowed, file_name, sniff};
use crate::domain::{Actor, CaseId, EvidenceId, Scope};
use crate::error::{ApiError, ApiResult};
use crate::files::{ContentStore, on_store};
use crate::routes::docs::{ReadErrors, WriteErrors};
use crate::routes::extract::idempotency_key;
use crate::routes::idempotency::{self, Created, IdempotencyParams};
use crate::state::AppState;

/// The form of an upload (`multipart/form-data`).
#[derive(ToSchema)]
#[schema(example = json!({
    "file": "(the file's bytes)", "visibility": "all_parties", "description": "The receipt for order 1234"
}))]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file (one per upload). Its kind is detected from its content,
    /// whatever its name or declared type; see `evidence_types`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Who may see it; `all_parties` when left out. Parties may add for
    /// both parties or privately for the mediator (their own side).
    /// A form field is absent or has a value: never null.
    #[schema(nullable = false)]
    visibility: Option<Visibility>,
    /// What it shows, up to 2000 characters.
    #[schema(max_length = 2000, nullable = false)]
    description: Option<String>,
}

/// Bytes allowed for the form's other parts and boundaries on top of the file.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// A staging file that is removed when dropped, whatever happens to the
/// request (refused, failed, or the client gone mid-upload).
struct Staged {
    store: Arc<dyn ContentStore>,
    path: PathBuf,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Err(e) = self.store.discard(&self.path) {
            tracing::warn!(path = %self.path.display(), error = %e, "staging file not removed");
        }
    }
}

/// A file part received whole.
struct Upload {
    staged: Staged,
    name: String,
    size: u64,
    sha256: String,
    head: Vec<u8>,
}

fn store_failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("evidence store: {e}"))
}

/// Streams one file part to a staging file, hashing it; refuses it as
/// soon as it passes `limit` bytes.
async fn receive(
    store: Arc<dyn ContentStore>,
    field: &mut actix_multipart::Field,
    limit: u64,
) -> ApiResult<Upload> {
    let name = field
        .content_disposition()
        .and_then(|d| d.get_filename())
        .unwrap_or("file")
        .to_string();
    let (path, file) = on_store({
        let store = store.clone();
        move || store.stage()
    })
    .await?;
    let staged = Staged { store, path };
    let mut file = tokio::fs::File::from_std(file);
    let (mut hasher, mut size, mut head) = (Sha256::new(), 0u64, Vec::new());
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::BadRequest(format!("the upload was interrupted or malformed: {e}"))
        })?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::PayloadTooLarge(
                usize::try_from(limit).unwrap_or(usize::MAX),
            ));
        }
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(store_failed)?;
    }
    file.flush().await.map_err(store_failed)?;
    file.sync_all().await.map_err(store_failed)?;
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Upload {
        staged,
        name,
        size,
        sha256,
        head,
    })
}

/// A short text part of the form.
async fn text_part(
    field: &mut actix_multipart::Field,
    name: &str,
    max: usize,
) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("malformed form: {e}")))?;
        bytes.extend_from_slice(&chunk);
        if bytes.len() > max {
            return Err(ApiError::field(name, format!("at most {max} bytes")));
        }
    }
    String::from_utf8(bytes).map_err(|_| ApiError::field(name, "not UTF-8 text"))
}

/// Add a file to a case as evidence (`multipart/form-data`: `file`, and
/// optionally `visibility` and `description`). The server works out the
/// file's kind from its content and refuses kinds not allowed (415), files
/// over `evidence_max_bytes` (413) and empty ones (422); a refused or
/// interrupted upload leaves nothing behind. Identical files are kept once.
/// The parties, the assigned mediator, leads and admins may add evidence
/// while the case is open; each case holds at most `evidence_max_per_case`
/// files (409). Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "evidence",
    operation_id = "add_evidence",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"),
        IdempotencyParams),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Added", body = EvidenceView, headers(("Location" = String, description = "Where to download it"))), WriteErrors)
)]
#[post("/cases/{case_id}/evidence")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn add_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let id = CaseId(path.into_inner());
    let key = idempotency_key(&req)?;
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(ApiError::UnsupportedMediaType(
            "send the file as multipart/form-data, in a part named `file`".into(),
        ));
    }
    let limit = state.settings.evidence_max_bytes;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(FORM_OVERHEAD)) {
        return Err(ApiError::PayloadTooLarge(
            usize::try_from(limit).unwrap_or(usize::MAX),
        ));
    }
    // Whether the caller may add anything here at all, before reading the file.
    let (actor, env) = (Actor::from(&caller), state.env());
    let side = {
        let env = env.clone();
        state
            .db
            .read(move |conn| {
                let ctx = may_add(conn, &env, &actor, id, Visibility::AllParties)?;
                Ok::<_, ApiError>(ctx.standing(&actor).party())
            })
            .await?
    };
    let (mut upload, mut visibility, mut description) = (None, None, String::new());
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::BadRequest(format!("malformed multipart form: {e}")))?;
        match field.name().unwrap_or_default() {
            "file" if upload.is_some() => {
                return Err(ApiError::field("file", "one file per upload"));
            }
            "file" => upload = Some(receive(state.evidence.clone(), &mut field, limit).await?),
            "visibility" => {
                let raw = text_part(&mut field, "visibility", 64).await?;
                let parsed = serde_json::from_value(serde_json::Value::String(raw.trim().into()))
                    .map_err(|_| {
                    ApiError::field(
                        "visibility",
                        "one of all_parties, complainant, respondent, internal",
                    )
                })?;
                visibility = Some(parsed);
            }
            "description" => description = text_part(&mut field, "description", 8000).await?,
            other => {
                return Err(ApiError::field(
                    other,
                    "unknown part; send file, visibility and description",
                ));
            }
        }
    }
    let upload = upload.ok_or_else(|| ApiError::field("file", "attach a file"))?;
    if upload.size == 0 {
        return Err(ApiError::field("file", "the file is empty"));
    }
    let kind = sniff(&upload.head);
    if !allowed(kind, &state.settings.evidence_types) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "files of this kind are not accepted: {kind} (detected from the content, whatever the name says)"
        )));
    }
    let visibility = visibility.unwrap_or_default();
    if !Visibility::readable_by(side).contains(&visibility) {
        return Err(ApiError::field(
            "visibility",
            "parties may add evidence for both parties or privately for the mediator (their own side)",
        ));
    }
    let received = Received {
        file_name: file_name(&upload.name, kind),
        description: check_description(&description)?,
        content_type: kind.into(),
        size: i64::try_from(upload.size).unwrap_or(i64::MAX),
        sha256: upload.sha256.clone(),
        visibility,
    };
    // Kept before the row that refers to it is written.
    on_store({
        let (store, staged, sha) = (
            state.evidence.clone(),
            upload.staged.path.clone(),
            upload.sha256.clone(),
        );
        move || store.keep(&staged, &sha)
    })
    .await?;
    // What was asked, for a retry with the same `Idempotency-Key`.
    let fingerprint = idempotency::fingerprint(
        &format!("add_evidence:{}", id.0),
        &serde_json::json!({"sha256": received.sha256, "file_name": received.file_name,
            "description": received.description, "visibility": received.visibility}),
    );
    let answer = idempotency::create(&state, &caller, key, fingerprint, move |conn| {
        let view = add(conn, &env, &actor, id, received)?;
        let location = view.content_url.clone();
        Created::new(view, location)
    })
    .await?;
    // Once more, now that a row refers to it: should the sweep have taken
    // the content between keeping it and the commit, it is put back.
    on_store({
        let (store, staged, sha) = (
            state.evidence.clone(),
            upload.staged.path.clone(),
            upload.sha256.clone(),
        );
        move || store.keep(&staged, &sha)
    })
    .await?;
    drop(upload);
    Ok(answer)
}

/// The files of a case the caller may see, oldest first: staff see all,
/// hidden ones included; a party sees what is for both parties and for
/// their side, and hidden files only if they added them.
#[utoipa::path(
    tag = "evidence",
    operation_id = "list_evidence",
    params(("case_id" = uuid::Uuid, Path, description = "The case id")),
    responses((status = 200, description = "The files", body = EvidenceList), ReadErrors)
)]
#[get("/cases/{case_id}/evidence")]
#[tracing::instrument(skip_all, fields(case_id = %path))]
pub async fn list_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<EvidenceList>> {
    caller.require_scope(Scope::CasesRead)?;
    let id = CaseId(path.into_inner());
    let (actor, env) = (Actor::from(&caller), state.env());
    let files = state
        .db
        .read(move |conn| list(conn, &env, &actor, id))
        .await?;
    Ok(web::Json(files))
}

/// The case and the file a path names.
fn ids(path: web::Path<(uuid::Uuid, uuid::Uuid)>) -> (CaseId, EvidenceId) {
    let (case, file) = path.into_inner();
    (CaseId(case), EvidenceId(file))
}

/// `Content-Disposition: attachment` with the name in ASCII and in UTF-8.
fn attachment(name: &str) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

/// `sha-256=:…:` (RFC 9530) from a hex SHA-256.
fn repr_digest(hex: &str) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect();
    format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Download a file. Always as an attachment of type
/// `application/octet-stream`, never to be rendered (`Content-Disposition:
/// attachment`, `X-Content-Type-Options: nosniff`, a sandboxing
/// `Content-Security-Policy`; the kind detected on upload is the evidence's
/// `content_type`), with its SHA-256 in
/// `Repr-Digest` and `ETag`. Each download is recorded on the timeline for
/// staff (who read which file).
#[utoipa::path(
    tag = "evidence",
    operation_id = "download_evidence",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The case id"),
        ("evidence_id" = uuid::Uuid, Path, description = "The evidence id"),
    ),
    responses(
        (status = 200, description = "The file's bytes, always as `application/octet-stream` (its detected kind is the evidence's `content_type`)", content_type = "application/octet-stream", body = String,
         headers(
            ("Content-Disposition" = String, description = "attachment, with the file name"),
            ("Repr-Digest" = String, description = "The SHA-256 of the content (RFC 9530)"),
            ("ETag" = String, description = "The SHA-256 of the content, in hex"),
         )),
        ReadErrors
    )
)]
#[get("/cases/{case_id}/evidence/{evidence_id}/content")]
#[tracing::instrument(skip_all)]
pub async fn download_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesRead)?;
    let (id, evidence_id) = ids(path);
    let (actor, env) = (Actor::from(&caller), state.env());
    let view = state
        .db
        .write(move |conn| open(conn, &env, &actor, id, evidence_id))
        .await?;
    let reader = on_store({
        let (store, sha) = (state.evidence.clone(), view.sha256.clone());
        move || store.open(&sha)
    })
    .await?;
    let body = futures_util::stream::unfold(Some(reader), |reader| async move {
        let mut reader: Box<dyn Read + Send> = reader?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = reader.read(&mut buf);
            (reader, buf, n)
        })
        .await;
        match read {
            Ok((_, _, Ok(0))) => None,
            Ok((reader, mut buf, Ok(n))) => {
                buf.truncate(n);
                Some((Ok(web::Bytes::from(buf)), Some(reader)))
            }
            Ok((_, _, Err(e))) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e)), None)),
        }
    });
    Ok(HttpResponse::Ok()
        // Never the detected type: a browser has nothing to render.
        .content_type("application/octet-stream")
        .insert_header(attachment(&view.file_name))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("Repr-Digest", repr_digest(&view.sha256)))
        .insert_header(("ETag", format!("\"{}\"", view.sha256)))
        .no_chunking(u64::try_from(view.size).unwrap_or_default())
        .streaming(body))
}

/// Hide a file from the parties, with a reason (the assigned mediator, a
/// lead or an admin). It is kept and recorded; staff still see it, and so
/// does whoever added it, with the reason.
#[utoipa::path(
    tag = "evidence",
    operation_id = "hide_evidence",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The case id"),
        ("evidence_id" = uuid::Uuid, Path, description = "The evidence id"),
        IdempotencyParams,
    ),
    request_body = HideEvidence,
    responses((status = 200, description = "Hidden", body = EvidenceView), WriteErrors)
)]
#[post("/cases/{case_id}/evidence/{evidence_id}/hide")]
#[tracing::instrument(skip_all)]
pub async fn hide_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: web::Json<HideEvidence>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let (id, evidence_id) = ids(path);
    let route = format!("hide_evidence:{id}:{evidence_id}");
    let (key, fp) = idempotency::asked(&req, &route, &*body)?;
    let (actor, env, body) = (Actor::from(&caller), state.env(), body.into_inner());
    idempotency::create(&state, &caller, key, fp, move |conn| {
        Created::ok(hide(conn, &env, &actor, id, evidence_id, body)?)
    })
    .await
}

/// Remove a file you added, while the case is in `intake` or `assigned`
/// (once the investigation has begun, evidence stays; a mediator may hide
/// it). Its content is deleted by the cleanup job once no case uses it.
#[utoipa::path(
    tag = "evidence",
    operation_id = "remove_evidence",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The case id"),
        ("evidence_id" = uuid::Uuid, Path, description = "The evidence id"),
    ),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
#[delete("/cases/{case_id}/evidence/{evidence_id}")]
#[tracing::instrument(skip_all)]
pub async fn remove_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let (id, evidence_id) = ids(path);
    let (actor, env) = (Actor::from(&caller), state.env());
    state
        .db
        .write(move |conn| remove(conn, &env, &actor, id, evidence_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
