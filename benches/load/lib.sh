# Shared by the load benchmarks: a fresh database, a release server on it,
# people and tokens made through the API, and bulk seeding that copies the
# row shapes of a case the API filed. Source it; it needs bash, curl,
# python3, sqlite3 and psql (PostgreSQL at $PG, trust auth).
set -euo pipefail

bin=$(realpath "${OMBUD_BIN:-target/release/ombud}")
PG=${PG:-postgres://postgres@127.0.0.1:5432}
port=${PORT:-18900}
work=$(mktemp -d)
api="http://127.0.0.1:$port/api/v1"
server=""
dbname=""

# fresh_db sqlite|postgres: exports DATABASE_URL for a new, empty database.
fresh_db() {
    backend=$1
    if [ "$backend" = postgres ]; then
        dbname="ombud_bench_$$"
        psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $dbname" -c "CREATE DATABASE $dbname"
        export DATABASE_URL="$PG/$dbname"
    else
        export DATABASE_URL="sqlite://$work/ombud.db"
    fi
    export OMBUD_BIND="127.0.0.1:$port" RUST_LOG=warn OMBUD_MAIL_DIR="$work/mail"
}

# sql 'statement': runs SQL on the benchmark database.
sql() {
    if [ "$backend" = postgres ]; then psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"
    else sqlite3 -batch "${DATABASE_URL#sqlite://}" "$1"; fi
}

cleanup() {
    # Every background process of the run (server, workers, SMTP sink).
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
    # KEEP_PG=1 keeps the database, to look at the plans.
    [ -n "$dbname" ] && [ -z "${KEEP_PG:-}" ] && psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT
if [ -n "${KEEP_LOGS:-}" ]; then trap 'cp "$work"/*.log /tmp/ 2>/dev/null; cleanup' EXIT; fi

# start_server [env assignments...]: `ombud serve` in the background.
start_server() {
    env "$@" "$bin" serve > "$work/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "http://$OMBUD_BIND/ready" >/dev/null && return; sleep 0.1; done
    echo "server did not start:"; cat "$work/serve.log"; exit 1
}

stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

# peak_rss_mb: the server's peak resident memory so far (VmHWM), in MB.
peak_rss_mb() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$server/status"; }

post() { curl -sf -X POST "$api$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# make_people: an admin (CLI), a category `d` and a complainant, respondent,
# mediator and lead (API); exports their tokens and ids.
make_people() {
    admin=$("$bin" users create --role admin --email a@x.org --name A --password 'a long admin passphrase' | tail -n1)
    start_server OMBUD_RUN_JOBS=false
    post /categories "$admin" '{"slug":"d","name":"D"}' >/dev/null
    for u in c r m m2 l; do
        role=member; [ ${u:0:1} = m ] && role=mediator; [ $u = l ] && role=lead
        post /users "$admin" "{\"email\":\"$u@x.org\",\"name\":\"$u\",\"role\":\"$role\",\"password\":\"password of $u\"}" >/dev/null
    done
    token() { curl -sf "$api/auth/tokens" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1@x.org\",\"password\":\"password of $1\"}" | field token; }
    export TOKEN_C=$(token c) TOKEN_R=$(token r) TOKEN_M=$(token m) TOKEN_L=$(token l)
    me() { curl -sf "$api/me" -H "Authorization: Bearer $1" | field id; }
    export RESPONDENT=$(me "$TOKEN_R") MEDIATOR=$(me "$TOKEN_M") MEDIATOR2=$(me "$(token m2)")
    stop_server
}

# file_one_case: one filing through the API (the server started for it and
# stopped), for the outbox rows it writes.
file_one_case() {
    start_server OMBUD_RUN_JOBS=false
    post /cases "$TOKEN_C" "{\"title\":\"t\",\"description\":\"d\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$RESPONDENT\"}}" >/dev/null
    stop_server
}

# seed_cases N: files and assigns one case through the API, then copies it
# in SQL to N cases in all (a fifth each in intake, assigned and
# investigation, the rest closed; the newest a second apart), each with its
# filing entry in the timeline. Seeded references use the year 2000, so
# they never meet the ones the server gives.
seed_cases() {
    local n=$1
    start_server OMBUD_RUN_JOBS=false
    local id
    id=$(post /cases "$TOKEN_C" "{\"title\":\"A seeded complaint\",\"description\":\"What happened, in a few lines.\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$RESPONDENT\"}}" | field id)
    post "/cases/$id/actions/assign" "$TOKEN_L" "{\"mediator_id\":\"$MEDIATOR\"}" >/dev/null
    stop_server
    local series uuid ref state mediator waiting at
    if [ "$backend" = postgres ]; then
        series="generate_series(1, $((n - 1))) AS g(i)"
        uuid="'00000000-0000-4000-8000-' || lpad(i::text, 12, '0')"
        ref="'OMB-2000-' || lpad(i::text, 7, '0')"
        at="t.created_at - make_interval(secs => i)"
    else
        series="(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $((n - 1))) SELECT i FROM g) AS g"
        uuid="printf('00000000-0000-4000-8000-%012d', i)"
        ref="printf('OMB-2000-%07d', i)"
        at="strftime('%Y-%m-%d %H:%M:%f', t.created_at, '-' || i || ' seconds')"
    fi
    state="CASE i % 5 WHEN 0 THEN 'intake' WHEN 1 THEN 'assigned' WHEN 2 THEN 'investigation' ELSE 'closed' END"
    mediator="CASE i % 5 WHEN 0 THEN NULL ELSE t.assigned_mediator_id END"
    waiting="CASE i % 5 WHEN 0 THEN 'lead' WHEN 1 THEN 'mediator' WHEN 2 THEN 'mediator' ELSE 'nobody' END"
    sql "INSERT INTO cases (id, reference, title, description, category_id, priority, language,
            channel, tags, state, complainant_id, respondent_id, respondent_name, respondent_email,
            assigned_mediator_id, ruling_mediator_id, info_party, info_deadline, settlement_open,
            settlement_terms, settlement_accepted_complainant, settlement_accepted_respondent,
            ruling_appealable, appeal_deadline, ruling_accepted_complainant,
            ruling_accepted_respondent, appealed_complainant, appealed_respondent, closed_at,
            version, created_at, updated_at, waiting_on, priority_rank, due_at)
         SELECT $uuid, $ref, t.title, t.description, t.category_id, t.priority,
            t.language, t.channel, t.tags, $state, t.complainant_id, t.respondent_id, t.respondent_name,
            t.respondent_email, $mediator, t.ruling_mediator_id, t.info_party, t.info_deadline,
            t.settlement_open, t.settlement_terms, t.settlement_accepted_complainant,
            t.settlement_accepted_respondent, t.ruling_appealable, t.appeal_deadline,
            t.ruling_accepted_complainant, t.ruling_accepted_respondent, t.appealed_complainant,
            t.appealed_respondent, CASE WHEN i % 5 > 2 THEN $at END, 1, $at, $at, $waiting,
            t.priority_rank, t.due_at
         FROM $series, (SELECT * FROM cases WHERE id = '$id') AS t"
    sql "INSERT INTO timeline_events (case_id, actor_id, kind, visibility, data, created_at)
         SELECT c.id, e.actor_id, e.kind, e.visibility, e.data, c.created_at
         FROM cases c, (SELECT * FROM timeline_events WHERE case_id = '$id' ORDER BY id LIMIT 1) AS e
         WHERE c.reference LIKE 'OMB-2000-%'"
    sql "UPDATE outbox SET status = 'sent', sent_at = updated_at"
    # The seeded cases' search documents (the text is plain ASCII, so the
    # SQL below writes the words the server would), and the scanner's
    # backfill marked done: otherwise it would index them during the
    # measurement, as it does once after an upgrade.
    sql "INSERT INTO search_docs (case_id, source_id, scope, body)
         SELECT id, id, 'case', lower(replace(reference, '-', ' ') || ' ' || title || ' ' || description)
         FROM cases WHERE reference LIKE 'OMB-2000-%'"
    sql "UPDATE search_backfill SET done = TRUE"
    # PostgreSQL keeps its statistics itself (autovacuum); SQLite has none
    # unless someone runs ANALYZE, and statistics taken now, with an outbox
    # of three rows, would make it scan the outbox later (see
    # docs/operations.md), so SQLite is left as an operator's would be.
    if [ "$backend" = postgres ]; then sql "ANALYZE"; fi
    export SEEDED_CASE=$id
}

# case_ids STATE FILE: the ids of up to 100,000 cases in STATE, one a line.
case_ids() { sql "SELECT id FROM cases WHERE state = '$1' ORDER BY id LIMIT 100000" > "$2"; }
