"""Drives cases from filing to their end with the Python client generated from
openapi/openapi.json by openapi-python-client, and nothing else: every request
goes through the generated functions and their Client/AuthenticatedClient.

Run by .ci/python-client, which generates the client (package
`ombud_api_client`), puts it on PYTHONPATH, starts the server and creates the
first admin. Needs OMBUD_API_URL (http://host:port) and OMBUD_ADMIN_TOKEN.

Each party, the mediator and the lead act with their own token (signed in
through the client); case 4 goes from filing through a ruling, an appeal by
the respondent and the lead's decision to closed.

Covers the actions whose body is an optional note: called with no body at all
(start_investigation, accept_ruling, close, withdraw, reject_settlement,
accept_settlement) and with a note (start_investigation, close), and
accept_settlement's If-Match (428 without it, 412 with a stale one).
"""

import io
import json
import os
import sys
import traceback

from ombud_api_client import AuthenticatedClient, Client
from ombud_api_client.api.actions import (
    accept_ruling,
    accept_settlement,
    appeal,
    assign,
    close,
    decide_appeal,
    issue_ruling,
    propose_settlement,
    reject_settlement,
    start_investigation,
    withdraw,
)
from ombud_api_client.api.auth import create_token
from ombud_api_client.api.cases import file_case, get_case, get_queue, list_cases
from ombud_api_client.api.categories import create_category
from ombud_api_client.api.evidence import add_evidence, download_evidence, list_evidence
from ombud_api_client.api.timeline import list_timeline
from ombud_api_client.api.users import create_user
from ombud_api_client.models import (
    AppealBody,
    AppealUpheld,
    AppealUpheldDecision,
    AssignBody,
    CaseState,
    CreateCategory,
    CreateUser,
    EvidenceUpload,
    FileCase,
    IssueRulingBody,
    ListCasesSort,
    NoteBody,
    Outcome,
    Priority,
    ProposeSettlementBody,
    RespondentByContact,
    Role,
    RulingOutcome,
    SignIn,
)
from ombud_api_client.types import UNSET, File

BASE_URL = os.environ["OMBUD_API_URL"]
ADMIN_TOKEN = os.environ["OMBUD_ADMIN_TOKEN"]
TIMEOUT = 30.0


class FlowError(Exception):
    pass


current_step = "setup"


def step(name):
    global current_step
    current_step = name
    print(f"  {name}", flush=True)


def call(fn, expected, **kwargs):
    """Calls a generated operation's sync_detailed and checks the status."""
    resp = fn.sync_detailed(**kwargs)
    if resp.status_code != expected:
        body = resp.content.decode("utf-8", "replace")
        raise FlowError(f"{fn.__name__.split('.')[-1]}: expected HTTP {expected}, got {int(resp.status_code)}: {body}")
    return resp


def etag(resp):
    tag = resp.headers.get("etag")
    if not tag:
        raise FlowError("the answer has no ETag header")
    return tag


def expect(what, actual, wanted):
    if actual != wanted:
        raise FlowError(f"{what}: expected {wanted!r}, got {actual!r}")


def expect_state(resp, wanted):
    expect("case state", resp.parsed.state, wanted)
    return resp.parsed


def sign_in(email, password):
    # Signing in takes no credentials (security: [{}]). The generator types the
    # client as AuthenticatedClient; a plain Client is what is really meant.
    anonymous = Client(base_url=BASE_URL, timeout=TIMEOUT)
    resp = call(create_token, 201, client=anonymous, body=SignIn(email=email, password=password, name="python-client"))
    return AuthenticatedClient(base_url=BASE_URL, token=resp.parsed.token, timeout=TIMEOUT)


def timeline_text(client, case_id):
    resp = call(list_timeline, 200, client=client, case_id=case_id, limit=100)
    return json.dumps([{"kind": e.kind, "data": e.data} for e in resp.parsed.items])


def complaint(category, title):
    return FileCase(
        title=title,
        description="Paid on 2 November, nothing came.",
        category=category,
        respondent=RespondentByContact(name="Shop", email="shop@example.org"),
    )


def file_a_case(ann, category, title, key):
    resp = call(file_case, 201, client=ann, body=complaint(category, title), idempotency_key=key)
    case = expect_state(resp, CaseState.INTAKE)
    return case.id


def flow():
    admin = AuthenticatedClient(base_url=BASE_URL, token=ADMIN_TOKEN, timeout=TIMEOUT)

    step("admin creates a category")
    resp = call(
        create_category,
        201,
        client=admin,
        body=CreateCategory(slug="delivery", name="Delivery", default_priority=Priority.NORMAL),
    )
    category = resp.parsed.slug

    step("admin creates four users")
    people = {
        "ann": ("ann@example.org", "Ann", Role.MEMBER),
        "shop": ("shop@example.org", "Shop", Role.MEMBER),
        "mia": ("mia@example.org", "Mia", Role.MEDIATOR),
        "lee": ("lee@example.org", "Lee", Role.LEAD),
    }
    ids = {}
    for who, (email, name, role) in people.items():
        body = CreateUser(email=email, name=name, role=role, password=f"password of {name}")
        resp = call(create_user, 201, client=admin, body=body, idempotency_key=f"create-{who}")
        expect(f"{who}'s role", resp.parsed.role, role)
        ids[who] = resp.parsed.id

    step("everyone signs in (create_token)")
    ann, shop, mia, lee = (sign_in(people[w][0], f"password of {people[w][1]}") for w in ("ann", "shop", "mia", "lee"))

    # Case 1: filing to closed, every optional-note action without a body.
    step("case 1: the complainant files it with an Idempotency-Key")
    case1 = file_a_case(ann, category, "Order 1234 never arrived", "ann-order-1234")
    body = complaint(category, "Order 1234 never arrived")
    resp = call(file_case, 201, client=ann, body=body, idempotency_key="ann-order-1234")
    expect("replayed filing's case id", resp.parsed.id, case1)
    expect("Idempotent-Replayed header", resp.headers.get("idempotent-replayed"), "true")

    step("case 1: it waits in the lead's queue (get_queue) and leads the urgent list (list_cases sort=urgent)")
    resp = call(get_queue, 200, client=lee)
    expect("the lead's queue", [c.id for c in resp.parsed.items], [case1])
    expect("whose move", resp.parsed.items[0].waiting_on.who.value, "lead")
    resp = call(list_cases, 200, client=lee, sort=ListCasesSort.URGENT, limit=1)
    expect("most urgent case", resp.parsed.items[0].id, case1)

    step("case 1: the lead assigns it to the mediator")
    resp = call(assign, 200, client=lee, case_id=case1, body=AssignBody(mediator_id=ids["mia"]))
    expect_state(resp, CaseState.ASSIGNED)

    step("case 1: start_investigation with no body")
    resp = call(start_investigation, 200, client=mia, case_id=case1)
    expect_state(resp, CaseState.INVESTIGATION)

    step("case 1: the complainant uploads a photo called a PDF (add_evidence); it is kept as a PNG")
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 32
    upload = EvidenceUpload(
        file=File(payload=io.BytesIO(png), file_name="parcel.pdf", mime_type="application/pdf"),
        description="The empty box",
    )
    resp = call(add_evidence, 201, client=ann, case_id=case1, body=upload)
    expect("detected type", resp.parsed.content_type, "image/png")
    evidence = resp.parsed.id
    resp = call(list_evidence, 200, client=shop, case_id=case1)
    expect("the respondent sees it", [e.id for e in resp.parsed.items], [evidence])

    step("case 1: the mediator downloads it (download_evidence): the same bytes, as an attachment")
    resp = call(download_evidence, 200, client=mia, case_id=case1, evidence_id=evidence)
    expect("downloaded bytes", resp.content, png)
    expect("disposition", resp.headers.get("content-disposition", "").split(";")[0], "attachment")

    step("case 1: issue_ruling")
    resp = call(
        issue_ruling,
        200,
        client=mia,
        case_id=case1,
        body=IssueRulingBody(outcome=RulingOutcome.UPHELD, rationale="Tracking shows it was never delivered."),
    )
    expect_state(resp, CaseState.RULING)

    step("case 1: the complainant accepts the ruling with no body")
    resp = call(accept_ruling, 200, client=ann, case_id=case1)
    expect_state(resp, CaseState.RULING)

    step("case 1: the respondent accepts the ruling with no body")
    resp = call(accept_ruling, 200, client=shop, case_id=case1)
    expect_state(resp, CaseState.FOLLOW_UP)

    step("case 1: close with no body")
    resp = call(close, 200, client=mia, case_id=case1)
    expect_state(resp, CaseState.CLOSED)

    step("case 1: read back as closed")
    resp = call(get_case, 200, client=ann, case_id=case1)
    case = expect_state(resp, CaseState.CLOSED)
    if case.closed_at in (None, UNSET):
        raise FlowError("a closed case has no closed_at")

    # Case 2: notes, and a settlement rejected, then accepted with If-Match.
    step("case 2: filed and assigned")
    case2 = file_a_case(ann, category, "Order 5678 arrived broken", "ann-order-5678")
    call(assign, 200, client=lee, case_id=case2, body=AssignBody(mediator_id=ids["mia"]))

    step("case 2: start_investigation with a note")
    start_note = "Starting with the courier's photos."
    resp = call(start_investigation, 200, client=mia, case_id=case2, body=NoteBody(note=start_note))
    expect_state(resp, CaseState.INVESTIGATION)
    if start_note not in timeline_text(ann, case2):
        raise FlowError("the note sent with start_investigation is not in the timeline")

    step("case 2: a settlement proposed, the respondent rejects it with no body")
    resp = call(propose_settlement, 200, client=mia, case_id=case2, body=ProposeSettlementBody(terms="A 20% refund."))
    if resp.parsed.settlement in (None, UNSET):
        raise FlowError("no open settlement after propose_settlement")
    resp = call(reject_settlement, 200, client=shop, case_id=case2)
    case = expect_state(resp, CaseState.INVESTIGATION)
    expect("settlement after reject_settlement", case.settlement in (None, UNSET), True)

    step("case 2: a new proposal; accept_settlement without If-Match is refused (428)")
    call(propose_settlement, 200, client=mia, case_id=case2, body=ProposeSettlementBody(terms="A full refund."))
    call(accept_settlement, 428, client=ann, case_id=case2)

    step("case 2: both parties accept with the ETag they read, no body")
    ann_read = call(get_case, 200, client=ann, case_id=case2)
    shop_read = call(get_case, 200, client=shop, case_id=case2)
    expect("ETag", etag(ann_read), f'"v{ann_read.parsed.version}"')
    resp = call(accept_settlement, 200, client=ann, case_id=case2, if_match=etag(ann_read))
    case = expect_state(resp, CaseState.INVESTIGATION)
    expect("accepted_by_complainant", case.settlement.accepted_by_complainant, True)
    # The respondent's read is now stale: 412, and nothing changes.
    call(accept_settlement, 412, client=shop, case_id=case2, if_match=etag(shop_read))
    shop_read = call(get_case, 200, client=shop, case_id=case2)
    resp = call(accept_settlement, 200, client=shop, case_id=case2, if_match=etag(shop_read))
    case = expect_state(resp, CaseState.FOLLOW_UP)
    expect("ruling outcome", case.ruling.outcome, Outcome.SETTLED)

    step("case 2: close with a note")
    close_note = "Refund confirmed by both parties."
    resp = call(close, 200, client=mia, case_id=case2, body=NoteBody(note=close_note))
    expect_state(resp, CaseState.CLOSED)
    if close_note not in timeline_text(shop, case2):
        raise FlowError("the note sent with close is not in the timeline")

    # Case 3: withdrawn by the complainant, no body.
    step("case 3: filed, then withdrawn with no body")
    case3 = file_a_case(ann, category, "Order 9999: never mind", "ann-order-9999")
    resp = call(withdraw, 200, client=ann, case_id=case3)
    expect_state(resp, CaseState.WITHDRAWN)
    resp = call(get_case, 200, client=lee, case_id=case3)
    expect_state(resp, CaseState.WITHDRAWN)

    # Case 4: ruled, appealed by the respondent, the appeal decided by the
    # lead, closed: each party, the mediator and the lead with their own token.
    step("case 4: filed, assigned, investigated and ruled on")
    case4 = file_a_case(ann, category, "Order 4321 charged twice", "ann-order-4321")
    call(assign, 200, client=lee, case_id=case4, body=AssignBody(mediator_id=ids["mia"]))
    call(start_investigation, 200, client=mia, case_id=case4)
    ruling = IssueRulingBody(outcome=RulingOutcome.UPHELD, rationale="The bank statement shows two charges.")
    resp = call(issue_ruling, 200, client=mia, case_id=case4, body=ruling)
    expect_state(resp, CaseState.RULING)

    step("case 4: the respondent appeals; the complainant may not decide it, nor may the mediator who ruled")
    resp = call(appeal, 200, client=shop, case_id=case4, body=AppealBody(grounds="The second charge was refunded."))
    case = expect_state(resp, CaseState.APPEAL)
    expect("appealing party", case.appeals[0].party.value, "respondent")
    decision = AppealUpheld(decision=AppealUpheldDecision.UPHOLD, rationale="No refund reached the complainant.")
    call(decide_appeal, 403, client=ann, case_id=case4, body=decision)
    call(decide_appeal, 403, client=mia, case_id=case4, body=decision)

    step("case 4: the lead upholds the ruling; the case moves to follow-up")
    resp = call(decide_appeal, 200, client=lee, case_id=case4, body=decision)
    case = expect_state(resp, CaseState.FOLLOW_UP)
    expect("appeal decision", case.appeals[0].decision.value, "uphold")

    step("case 4: the mediator closes it; both parties read it closed")
    resp = call(close, 200, client=mia, case_id=case4)
    expect_state(resp, CaseState.CLOSED)
    for party in (ann, shop):
        expect_state(call(get_case, 200, client=party, case_id=case4), CaseState.CLOSED)


def main():
    print(f"python client flow against {BASE_URL}")
    try:
        flow()
    except Exception as exc:  # noqa: BLE001 - any failure ends the run with its step
        if not isinstance(exc, FlowError):
            traceback.print_exc()
        print(f"python client flow: FAILED at step '{current_step}': {type(exc).__name__}: {exc}", file=sys.stderr)
        if "Unset" in str(exc):
            print(
                "  the generated client cannot send an action without its optional body: declare such a"
                " requestBody with a plain $ref schema and required: false, not oneOf [..., null]",
                file=sys.stderr,
            )
        return 1
    print("python client flow: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
