//! The published contract: the OpenAPI document matches the committed one
//! and describes every error; the lifecycle diagram matches the domain.

use std::collections::BTreeSet;

use ombud::domain::{Action, CaseState};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, spawn_app};

fn committed() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json is committed");
    serde_json::from_str(&text).expect("committed spec is JSON")
}

#[tokio::test]
async fn the_served_spec_is_the_committed_spec() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let served: Value = res.json().await.unwrap();
    assert!(
        served == committed(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
    // The CLI prints the same document.
    let printed: Value =
        serde_json::from_str(&ombud::openapi::to_json(&ombud::openapi::build()).unwrap()).unwrap();
    assert_eq!(printed, served);
}

fn follow<'a>(spec: &'a Value, reference: &str) -> &'a Value {
    reference
        .trim_start_matches("#/")
        .split('/')
        .fold(spec, |node, key| &node[key])
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => follow(spec, r),
        None => v,
    }
}

#[test]
fn the_spec_describes_every_operation_error_and_example() {
    let spec = committed();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(spec["info"]["license"]["identifier"], "Apache-2.0");
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // What a webhook receiver gets is part of the document too.
    let hook = &spec["webhooks"]["caseEvent"]["post"];
    assert_eq!(
        hook["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/WebhookEvent"
    );
    assert!(
        follow(&spec, "#/components/schemas/WebhookEvent")
            .get("example")
            .is_some()
    );
    let headers: Vec<&str> = hook["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(headers.contains(&"Ombud-Signature"), "{headers:?}");
    let mut ids = BTreeSet::new();
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_string()), "operationId {id} repeats");
            let responses = op["responses"].as_object().unwrap();
            let public = op["security"] == serde_json::json!([{}]);
            if !public {
                assert!(responses.contains_key("401"), "{id} documents 401");
            }
            for (code, response) in responses {
                let response = resolve(&spec, response);
                if code.starts_with('4') || code.starts_with('5') {
                    let content = &response["content"]["application/problem+json"];
                    assert_eq!(
                        content["schema"]["$ref"], "#/components/schemas/Problem",
                        "{id} {code}"
                    );
                    let examples = content["examples"].as_object();
                    assert!(
                        content["example"].is_object()
                            || examples.is_some_and(|e| e.values().all(|x| x["value"].is_object())),
                        "{id} {code} has an example"
                    );
                } else if let Some(r) =
                    response["content"]["application/json"]["schema"]["$ref"].as_str()
                {
                    let schema = follow(&spec, r);
                    let example = schema.get("example").is_some()
                        || schema["properties"]["items"]["items"]["$ref"]
                            .as_str()
                            .is_some_and(|r| follow(&spec, r).get("example").is_some());
                    assert!(example, "{id} {code} response has an example");
                }
            }
            assert!(
                responses.keys().any(|c| c.starts_with('4')),
                "{id} documents its errors"
            );
            if let Some(body) = op.get("requestBody") {
                // JSON, or the one other kind of body (an upload's form).
                let content = body["content"].as_object().expect("request content");
                let media = content
                    .get("application/json")
                    .or_else(|| content.values().next())
                    .expect("a request media type");
                // A body of several shapes (oneOf) has an example of each.
                let schema = resolve(&spec, &media["schema"]);
                let shapes: Vec<&Value> = match schema.get("oneOf").and_then(Value::as_array) {
                    Some(items) => items.iter().map(|s| resolve(&spec, s)).collect(),
                    None => vec![schema],
                };
                for shape in shapes {
                    let example = shape.get("example").is_some()
                        || shape["examples"].as_array().is_some_and(|e| !e.is_empty());
                    assert!(example, "{id} request body has an example");
                }
            }
        }
    }
    assert_eq!(operations, ids.len());
    // One operation per action a person can take.
    for action in Action::ALL.into_iter().filter(|a| !a.by_system_only()) {
        assert!(ids.contains(action.as_str()), "no operation for {action}");
    }
}

#[tokio::test]
async fn swagger_ui_is_served_offline() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = app
        .client
        .get(format!("{}/docs/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "Swagger UI page");
    let res = app
        .client
        .get(format!("{}/docs/swagger-ui-bundle.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the script is vendored, not fetched from a CDN"
    );
    assert!(res.text().await.unwrap().len() > 100_000);
}

/// Every transition the domain allows, as `from --> to : action` lines.
fn transitions() -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    for action in Action::ALL {
        for from in action.from_states() {
            for to in action.possible_targets(from) {
                lines.insert(format!(
                    "{} --> {} : {}",
                    from.as_str(),
                    to.as_str(),
                    action.as_str()
                ));
            }
        }
    }
    lines
}

#[test]
fn the_lifecycle_diagram_matches_the_domain() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lifecycle.md")).unwrap();
    let block = doc
        .split("```mermaid")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a mermaid block");
    let drawn: BTreeSet<String> = block
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("-->") && !l.contains("[*]"))
        .map(str::to_string)
        .collect();
    let want = transitions();
    assert!(
        drawn == want,
        "docs/lifecycle.md is out of step with the domain; the diagram should hold exactly:\n{}",
        want.iter()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    for state in CaseState::ALL {
        assert!(block.contains(state.as_str()), "{state} is drawn");
    }
}

/// Every `$ref` in the document names something the document holds: a
/// generated client stops at the first that does not (openapi-python-client
/// skipped `GET /cases` over a query parameter's enum left out of
/// `components`).
#[test]
fn every_reference_in_the_spec_resolves() {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    match (k.as_str(), child) {
                        ("$ref", Value::String(r)) => out.push(r),
                        _ => walk(child, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let spec = committed();
    let mut refs = Vec::new();
    walk(&spec, &mut refs);
    assert!(!refs.is_empty());
    let dangling: Vec<&&str> = refs
        .iter()
        .filter(|r| {
            let Some(path) = r.strip_prefix("#/") else {
                return true;
            };
            spec.pointer(&format!("/{path}")).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

/// utoipa keys the spec's schemas by type name, and a second type of the
/// same name replaces the first without a word (the webhooks'
/// `AttemptView` once hid the outbox's). Every type that derives
/// `ToSchema`, or that `page_of!` declares, must have a name of its own.
#[test]
fn no_two_schemas_share_a_name() {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut all = Vec::new();
    files(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .as_path(),
        &mut all,
    );
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut record = |name: &str, at: String| {
        if let Some(first) = seen.insert(name.to_string(), at.clone()) {
            panic!("two schemas named {name}: {first} and {at}");
        }
    };
    for path in all {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let at = format!("{}:{}", path.display(), i + 1);
            if line.trim_start().starts_with("#[derive(") && line.contains("ToSchema") {
                // The type the derive belongs to, a few attribute lines down.
                let name = lines[i + 1..].iter().take(60).find_map(|l| {
                    let l = l.trim_start();
                    ["pub struct ", "pub enum ", "struct ", "enum "]
                        .iter()
                        .find_map(|k| l.strip_prefix(k))
                        .map(|rest| {
                            rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                                .next()
                                .unwrap_or("")
                        })
                });
                match name.expect("a type after its derive") {
                    // `pub struct $name` in a macro: its uses are counted.
                    "" => {}
                    name => record(name, at),
                }
            } else if line.trim_start().starts_with("page_of!(") {
                let name = lines[i + 1..]
                    .iter()
                    .map(|l| l.trim())
                    .find(|l| !l.starts_with("///") && !l.is_empty())
                    .unwrap()
                    .trim_end_matches(',');
                record(name, at);
            }
        }
    }
    assert!(seen.len() > 50, "found the schemas: {}", seen.len());
}
