//! A submitted form as the JSON body of an API request. Field names say
//! where a value goes and what it is: `remedies.0.due_at:date` is the
//! `due_at` of the first remedy, a day; `rules_cited:list` is a list written
//! with commas or one per line. Empty fields are left out, so an optional
//! row nobody filled in sends nothing, except a field marked `:or_null`,
//! which sends `null` when empty (a setting taken back, as in a webhook's
//! category), and one marked `:or_empty`, which sends `""` (a text cleared
//! on a form that changes only what it sends, as a description). The API checks what results, and
//! answers field errors the console shows beside the form.

use serde_json::{Map, Value};

/// Fields the console reads itself and never sends on.
const OWN: [&str; 3] = ["csrf", "if_match", "key"];

/// The JSON body the form's fields describe.
pub fn to_json(fields: &[(String, String)]) -> Value {
    let mut root = Value::Object(Map::new());
    for (name, raw) in fields {
        if OWN.contains(&name.as_str()) {
            continue;
        }
        let (path, kind) = name.split_once(':').unwrap_or((name, ""));
        let Some(value) = typed(raw, kind) else {
            continue;
        };
        let mut at = &mut root;
        let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
        let Some((last, inner)) = parts.split_last() else {
            continue;
        };
        for part in inner {
            let Value::Object(map) = at else { break };
            at = map
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
        }
        if let Value::Object(map) = at {
            map.insert(last.to_string(), value);
        }
    }
    arrays(root)
}

/// The value of one field, or `None` when it was left empty.
fn typed(raw: &str, kind: &str) -> Option<Value> {
    let text = raw.trim();
    if text.is_empty() {
        return match kind {
            "or_null" => Some(Value::Null),
            "or_empty" => Some(Value::String(String::new())),
            _ => None,
        };
    }
    Some(match kind {
        "list" => Value::Array(
            text.split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        "int" => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.to_string())),
        "bool" => Value::Bool(text == "true" || text == "on"),
        // The end of that day in UTC: a deadline given as a day is met by
        // anything done on it.
        "date" => Value::String(format!("{text}T23:59:59Z")),
        // Text, and the text of an `or_null` or `or_empty` field filled in.
        _ => Value::String(raw.replace("\r\n", "\n")),
    })
}

/// Objects whose keys are all numbers become arrays, in that order.
fn arrays(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let numbered = !map.is_empty() && map.keys().all(|k| k.parse::<u32>().is_ok());
            if numbered {
                let mut items: Vec<(u32, Value)> = map
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.parse().ok()?, arrays(v))))
                    .collect();
                items.sort_by_key(|(k, _)| *k);
                Value::Array(items.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, arrays(v))).collect())
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_become_the_body_the_api_takes() {
        let body = to_json(&form(&[
            ("csrf", "x"),
            ("if_match", "\"v3\""),
            ("outcome", "upheld"),
            ("rationale", "Line one\r\nline two"),
            ("rules_cited:list", "R-1, R-2\nR-3"),
            ("appealable:bool", "false"),
            ("sanctions.0.kind", "suspension"),
            ("sanctions.0.duration_days:int", "7"),
            ("sanctions.1.kind", ""),
            ("remedies.0.kind", "refund"),
            ("remedies.0.due_at:date", "2026-12-20"),
            ("note", "   "),
            ("category:or_null", ""),
            ("hooks.0.category:or_null", "billing"),
            ("description:or_empty", " "),
            ("hooks.0.description:or_empty", "CRM"),
        ]));
        assert_eq!(
            body,
            json!({
                "outcome": "upheld",
                "rationale": "Line one\nline two",
                "rules_cited": ["R-1", "R-2", "R-3"],
                "appealable": false,
                "sanctions": [{"kind": "suspension", "duration_days": 7}],
                "remedies": [{"kind": "refund", "due_at": "2026-12-20T23:59:59Z"}],
                "category": null,
                "hooks": [{"category": "billing", "description": "CRM"}],
                "description": "",
            })
        );
    }

    #[test]
    fn a_number_that_is_not_one_is_sent_as_given_for_the_api_to_refuse() {
        let body = to_json(&form(&[("sanctions.0.duration_days:int", "seven")]));
        assert_eq!(body, json!({"sanctions": [{"duration_days": "seven"}]}));
    }
}
