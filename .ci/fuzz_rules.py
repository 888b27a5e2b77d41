"""schemathesis hooks for .ci/fuzz-api: the rules of the API that no OpenAPI
schema can state, and nothing else.

Everything a schema can say is in openapi/openapi.json (lengths, patterns,
formats, enums, oneOf for the cross-field shapes, links). What is left is
listed in RULES below, one line each with the reason: a request that the
schema calls valid but that breaks one of these is answered with a problem
document naming the rule, and that refusal is correct. `filter_failure` drops
a "schema-valid request rejected" failure only when *every* error in the
problem document is one of these rules, for that operation; any other
refusal still fails the run. The API tests (tests/api/) check each rule.

`before_call` keeps the fuzzer from breaking the Idempotency-Key contract:
the generator reuses short keys ("0", "a") across different requests, which
the API must refuse (422, a different request under a used key), so each
generated key gets a unique suffix.
"""

import json
import re
import uuid

import schemathesis

ANY = r".*"
# (operations (regex on "METHOD /path"), status, field (None: the problem's
# detail), message (a prefix, or after "re:" a regex the message must start
# with), why no schema can say it)
RULES = [
    # An Idempotency-Key promises the same request: the fuzzer reuses keys
    # across different ones (before_call below makes that rarer).
    (ANY, 422, "Idempotency-Key", "this key was already used for a different request", "stateful: the key's first request"),
    # Opaque cursors: only a cursor the API issued (for that list) is valid.
    (r"GET .*", 400, None, "cursor is not one this API issued", "stateful: issued by the API"),
    # Two query parameters together: a search is ordered by relevance.
    (r"GET /api/v1/cases", 400, None, "`q` lists the best matches first", "cross-parameter"),
    # Two query parameters together: `from` before `to`, at most ten years apart.
    (r"GET /api/v1/statistics", 400, None, "the range from `from` to `to`", "cross-parameter"),
    (r"GET /api/v1/statistics", 400, None, "`from` must be before `to`", "cross-parameter"),
    # If-Match must be the case's current ETag.
    (ANY, 412, None, "the case has changed since you read it", "stateful: the current version"),
    # References to things that must exist.
    (ANY, 422, "category", "no such category", "referential"),
    (ANY, 422, r"skills\[\d+\]", "no such category", "referential"),
    (ANY, 422, r"(conditions\.)?categories\[\d+\]", "no such category", "referential"),
    (ANY, 422, "category", "this category is closed to new cases", "the category's state"),
    (ANY, 422, r"rules_cited\[\d+\]", "no such published rule", "referential"),
    (ANY, 422, r"template|actions\.suggest_templates\[\d+\]", "no such template", "referential"),
    (ANY, 422, "user_id", "no such user", "referential"),
    (ANY, 422, "mediator_id", "no such", "referential"),
    (ANY, 422, r"case_ids?(\[\d+\])?", "no case has that id", "referential"),
    (ANY, 422, r"respondent\.user_id", "no such user", "referential"),
    (r"PUT /api/v1/mediators/\{user_id\}.*", 422, "user_id",
     "only an active mediator or lead has a mediator profile", "referential: the user in the path"),
    # Who asks: a party posts and uploads to both parties or to their own side.
    (r"POST /api/v1/cases/\{case_id\}/(messages|evidence)", 422, "visibility", "parties may ", "the caller's role"),
    # What a file is, read from its bytes.
    (r"POST /api/v1/cases/\{case_id\}/evidence", 415, None, "files of this kind are not accepted", "the content"),
    # Letters and digits of every script (Unicode classes: not in every
    # regex dialect a schema is read with).
    (r"GET /api/v1/cases", 400, None, "`q` has no letters or digits", "Unicode classes"),
    # A triage rule does something: one of four fields of different kinds.
    (r".* /api/v1/triage_rules.*", 422, "actions", "a rule must set a priority", "cross-field"),
    # Words as the search counts them (a run of CJK characters is one word).
    (r"GET /api/v1/cases", 400, None, "`q` may have at most 16 words", "word counting"),
    # A year range of an instant: a pattern cannot see the UTC offset.
    (r"GET /api/v1/statistics", 400, None, "`from` must be between", "year range in UTC"),
    (r"GET /api/v1/statistics", 400, None, "`to` must be between", "year range in UTC"),
    (ANY, 422, "absent_until", "must be a date between the years", "year range in UTC"),
    # A URL as the WHATWG parser reads it (the pattern checks its scheme and characters).
    (r".* /api/v1/webhooks.*", 422, "url", "not a URL", "URL parsing"),
    (r"POST /api/v1/mediators/\{user_id\}/conflicts", 422, "mediator_id",
     "only a mediator or lead declares conflicts", "referential: the user in the path"),
    (r".* /api/v1/webhooks.*", 422, "category", "no category with this slug or id", "referential"),
    (r"GET /api/v1/statistics", 400, None, "`category`: no such category", "referential"),
    # Two fields together, where a oneOf would split one body into client
    # types nobody wants: only the complainant's answer can be final (the
    # respondent's silence decides nothing); a full answer is not due
    # before the first.
    (r"POST /api/v1/cases/\{case_id\}/actions/request_info", 422, "final",
     "only a request to the complainant can be final", "cross-field"),
    (r".* /api/v1/webhooks.*", 422, "events", "\"*\" means every type; give it alone", "cross-item"),
    (r"POST /api/v1/cases/\{case_id\}/obligations/\{obligation_id\}", 422, "started_at",
     "a sanction cannot have taken effect in the future", "relative to the clock"),
    (r"POST /api/v1/cases/\{case_id\}/obligations/\{obligation_id\}", 422, "started_at",
     "only a sanction recorded done takes started_at", "cross-field"),
    (r".* /api/v1/service_policies.*", 422, "hours", "holidays need working hours", "cross-field"),
    (r".* /api/v1/service_policies.*", 422, "resolution_minutes",
     "a full answer cannot be due before the first", "cross-field"),
    # Times relative to now.
    (ANY, 422, "deadline", "must be in the future", "relative to the clock"),
    # A name in the IANA time zone database (as shipped in the binary).
    (r".* /api/v1/service_policies.*", 422, "hours", r"re:`[^`]*` is not a time zone", "a time zone database entry"),
    # A desk's hours are a small language (days, then times; opening before
    # closing) and holidays are calendar dates: stated in the description.
    (r".* /api/v1/service_policies.*", 422, "hours",
     r"re:`[^`]*`(: write | is not a day| is not a time| is not a date|: the desk must open)", "a schedule's grammar"),
    # A template's text is plain text with `{{ variable }}` of a fixed set.
    (r"PUT /api/v1/templates/\{code\}", 422, r"bodies\..*",
     r"re:(only `\{\{ variable \}\}`|a `\{\{` is not closed|unknown variable|a `\}\}` has no)", "a template's grammar"),
    (r"PUT /api/v1/templates/\{code\}", 422, "fallback_language", "must be one of the languages of `bodies`", "cross-field"),
    # JSON Schema calls 453.0 an integer; the server's integers are written
    # without a fraction (serde), and no schema can tell the two apart.
    (ANY, 422, "body", "invalid type: floating point", "integer literals"),
    # An operator's setting (auto_withdraw_silent), not a constant.
    (r"POST /api/v1/cases/\{case_id\}/actions/request_info", 422, "final",
     "this desk does not withdraw cases by itself", "a setting"),
    # An operator's setting (service_token_max_days), not a constant.
    (r"POST /api/v1/service-tokens", 422, "expires_in_days", "must be between 1 and", "a setting"),
    # Where a URL's host points (and, for names, what DNS says at delivery).
    (r".* /api/v1/webhooks.*", 422, "url", "must be a public address", "network ranges and DNS"),
]


def _problem(response):
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return None


def _starts(message, prefix):
    if prefix.startswith("re:"):
        return re.match(prefix[3:], message) is not None
    return message.startswith(prefix)


def _matches(label, status, field, message):
    for ops, rule_status, rule_field, prefix, _why in RULES:
        if rule_status != status or not re.fullmatch(ops, label):
            continue
        if rule_field is None:
            if field is None and _starts(message, prefix):
                return True
        elif field is not None and re.fullmatch(rule_field, field) and _starts(message, prefix):
            return True
    return False


def _null_for_optional_body(case):
    """A literal `null` sent as an optional body: the server takes it for no
    body, because generated clients send it so (openapi-generator's Rust
    client serialises a left-out `Option` body as `null`). Stating it in the
    schema (`oneOf [T, null]`) breaks openapi-python-client's optional
    bodies, so the spec keeps the plain `$ref` and says it in words."""
    body = case.operation.definition.raw.get("requestBody") or {}
    return case.body is None and not body.get("required", False)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure except a schema-valid request refused only by RULES
    (and a `null` optional body accepted: see above)."""
    if type(failure).__name__ == "AcceptedNegativeData" and _null_for_optional_body(case):
        return False
    if type(failure).__name__ != "RejectedPositiveData" or response is None:
        return True
    problem = _problem(response)
    if not isinstance(problem, dict):
        return True
    label = case.operation.label
    status = response.status_code
    errors = problem.get("errors")
    if status == 422 and isinstance(errors, list) and errors:
        listed = all(
            isinstance(e, dict) and _matches(label, status, str(e.get("field")), str(e.get("message", "")))
            for e in errors
        )
    else:
        listed = _matches(label, status, None, str(problem.get("detail", "")))
    return not listed


@schemathesis.hook
def before_call(context, case, kwargs):
    """Gives each generated Idempotency-Key a unique suffix (schema-valid cases, every phase)."""
    # Only schema-valid cases: a change makes schemathesis judge the case
    # again, and a negative case (say, one without its Authorization
    # header) must reach the server as generated.
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    headers = case.headers or {}
    for name in list(headers):
        key = headers[name]
        # Only keys the schema allows (printable ASCII, at most 255): a
        # negative case keeps its invalid key.
        if name.lower() == "idempotency-key" and isinstance(key, str) and re.fullmatch(r"[!-~]{1,200}", key):
            headers[name] = f"{key}-{uuid.uuid4().hex}"
