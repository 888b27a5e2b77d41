#!/usr/bin/env bash
# How long GET /statistics takes as the cases grow, on SQLite or PostgreSQL.
#
# Makes people through the API (benches/load/lib.sh), a service-level
# policy, and one case; then copies that case in SQL to N cases filed over
# the two years before now (one every 2*365*86400/N seconds), a fifth each
# in intake, assigned and investigation and the rest closed, with the
# times the statistics read (first answer, resolution, handling), a ruling
# on each closed case, an appeal on one in ten of those (half decided,
# overturned) and a rating on one in five. Lets the scanner roll up the
# per-day and per-month totals (ROLL_UP=0: not), timing it. Then times
# REQUESTS requests in a row for the last 30 days (the default), the last
# year, the whole two years, and the whole two years as CSV.
#   benches/statistics.sh [path/to/ombud] [sqlite|postgres] [cases]
#   benches/statistics.sh target/release/ombud postgres 1000000
# Needs sqlite3 or psql, curl and python3.
set -euo pipefail
export OMBUD_BIN=${1:-target/release/ombud} PORT=${PORT:-18830}
which_db=${2:-sqlite}
n=${3:-100000}
requests=${REQUESTS:-10}
source "$(dirname "$0")/load/lib.sh"
fresh_db "$which_db"
make_people
start_server OMBUD_RUN_JOBS=false
admin=$("$bin" users create --role admin --email a2@x.org --name A2 --password 'a long admin passphrase' | tail -n1)
post /service_policies "$admin" '{"priority":"normal","first_response_minutes":60,"resolution_minutes":2880}' >/dev/null
id=$(post /cases "$TOKEN_C" "{\"title\":\"A seeded complaint\",\"description\":\"What happened.\",\"category\":\"d\",\"priority\":\"normal\",\"respondent\":{\"user_id\":\"$RESPONDENT\"}}" | field id)
post "/cases/$id/actions/assign" "$TOKEN_L" "{\"mediator_id\":\"$MEDIATOR\"}" >/dev/null
stop_server

step=$((2 * 365 * 86400 / n))
if [ "$backend" = postgres ]; then
    series="generate_series(1::bigint, $n) AS g(i)"
    uuid="'00000000-0000-4000-8000-' || lpad(i::text, 12, '0')"
    ref="'OMB-2000-' || lpad(i::text, 7, '0')"
    at() { echo "(now() AT TIME ZONE 'UTC') - make_interval(secs => i * $step) + make_interval(secs => $1)"; }
else
    series="(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $n) SELECT i FROM g) AS g"
    uuid="printf('00000000-0000-4000-8000-%012d', i)"
    ref="printf('OMB-2000-%07d', i)"
    at() { echo "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (i * $step) || ' seconds', '+' || ($1) || ' seconds')"; }
fi
open="(i * $step < 5184000 AND i % 5 < 3)"
intake="($open AND i % 5 = 0)"
# First answers between 10 and 110 minutes, resolutions between 1 and 4 days.
fr="(600 + (i * 37) % 6000)"
res="(86400 + (i * 7919) % 259200)"
sql "INSERT INTO cases (id, reference, title, description, category_id, priority, language,
        channel, tags, state, complainant_id, respondent_id, respondent_name, respondent_email,
        assigned_mediator_id, ruling_mediator_id, settlement_open, settlement_accepted_complainant,
        settlement_accepted_respondent, ruling_appealable, ruling_accepted_complainant,
        ruling_accepted_respondent, appealed_complainant, appealed_respondent, closed_at, version,
        created_at, updated_at, waiting_on, priority_rank, due_at, cited_rules, staff_tags,
        suggested_templates, group_members, first_response_due, resolution_due, first_response_at,
        sla_policy_id, sla_calendar, sla_fired, sla_paused_seconds, assigned_at, resolved_at,
        first_response_seconds, resolution_seconds, handling_seconds, info_final, sla_outcome)
     SELECT $uuid, $ref, t.title, t.description, t.category_id, t.priority, t.language, t.channel,
        t.tags,
        CASE WHEN $intake THEN 'intake' WHEN $open AND i % 5 = 1 THEN 'assigned'
            WHEN $open THEN 'investigation' ELSE 'closed' END,
        t.complainant_id, t.respondent_id, t.respondent_name, t.respondent_email,
        CASE WHEN $intake THEN NULL WHEN i % 2 = 0 THEN '$MEDIATOR2' ELSE '$MEDIATOR' END,
        CASE WHEN $open THEN NULL WHEN i % 2 = 0 THEN '$MEDIATOR2' ELSE '$MEDIATOR' END,
        t.settlement_open, t.settlement_accepted_complainant, t.settlement_accepted_respondent,
        t.ruling_appealable, t.ruling_accepted_complainant, t.ruling_accepted_respondent,
        t.appealed_complainant, t.appealed_respondent,
        CASE WHEN $open THEN NULL ELSE $(at "$res") END, 1,
        $(at 0), $(at 0), CASE WHEN $intake THEN 'lead' WHEN $open THEN 'mediator' ELSE 'nobody' END,
        t.priority_rank, t.due_at, t.cited_rules, t.staff_tags, t.suggested_templates, 0,
        $(at 3600), $(at 172800),
        CASE WHEN $intake THEN NULL ELSE $(at "$fr") END,
        t.sla_policy_id, t.sla_calendar, 0, 0,
        CASE WHEN $intake THEN NULL ELSE $(at 0) END,
        CASE WHEN $open THEN NULL ELSE $(at "$res") END,
        CASE WHEN $intake THEN NULL ELSE $fr END,
        CASE WHEN $open THEN NULL ELSE $res END,
        CASE WHEN $open THEN NULL ELSE $res END,
        FALSE,
        (CASE WHEN $intake THEN 0 WHEN $fr <= 3600 THEN 3 ELSE 1 END)
          + (CASE WHEN $open THEN 0 WHEN $res <= 172800 THEN 12 ELSE 4 END)
     FROM $series, (SELECT * FROM cases WHERE id = '$id') AS t"
sql "INSERT INTO rulings (id, case_id, mediator_id, kind, outcome, rationale, rules_cited, sanctions,
        remedies, appealable, created_at, cited_rules)
     SELECT 'r' || substr(c.id, 2), c.id, c.ruling_mediator_id, 'ruling', 'upheld', 'r', '[]', '[]',
        '[]', TRUE, c.resolved_at, '[]'
     FROM cases c WHERE c.reference LIKE 'OMB-2000-%' AND c.resolved_at IS NOT NULL"
sql "INSERT INTO appeals (id, case_id, party, appellant_id, grounds, decision, decision_rationale,
        decided_by, decided_at, created_at)
     SELECT 'a' || substr(c.id, 2), c.id, 'complainant', c.complainant_id, 'g',
        CASE WHEN substr(c.id, 36, 1) IN ('0', '2', '4', '6', '8') THEN 'overturn' END, NULL, NULL,
        NULL, c.resolved_at
     FROM cases c WHERE c.reference LIKE 'OMB-2000-%' AND c.resolved_at IS NOT NULL
        AND substr(c.id, 35, 2) IN ('03', '13', '23', '33', '43', '53', '63', '73', '83', '93')"
sql "INSERT INTO case_feedback (case_id, party, user_id, rating, comment, created_at)
     SELECT c.id, 'complainant', c.complainant_id, CAST(substr(c.id, 34, 3) AS INTEGER) % 5 + 1, '', c.resolved_at
     FROM cases c WHERE c.reference LIKE 'OMB-2000-%' AND c.resolved_at IS NOT NULL
        AND substr(c.id, 36, 1) IN ('4', '9')"
# PostgreSQL: what autovacuum would have done by now (statistics, and the
# visibility map that lets it read a covering index alone).
if [ "$backend" = postgres ]; then sql "VACUUM ANALYZE"; fi
# KEEP_DB=path keeps a copy of the SQLite file, to look at the plans.
if [ -n "${KEEP_DB:-}" ] && [ "$backend" = sqlite ]; then cp "${DATABASE_URL#sqlite://}" "$KEEP_DB"; fi
echo "$(sql "SELECT count(*) FROM cases") cases, $(sql "SELECT count(*) FROM rulings") rulings, $(sql "SELECT count(*) FROM appeals") appeals, $(sql "SELECT count(*) FROM case_feedback") ratings"

# The scanner rolls up every ended day and month into totals (100 of each
# a scan, a scan a second here); ROLL_UP=0 times the cases counted alone.
if [ "${ROLL_UP:-1}" = 1 ]; then
    expected=$(python3 -c "
import datetime
first = datetime.date.fromisoformat('$(sql "SELECT MIN(created_at) FROM cases")'[:10]).replace(day=1)
today = datetime.datetime.utcnow().date()
months = (today.year - first.year) * 12 + today.month - first.month
print((today - first).days + months)")
    start=$(date +%s.%N)
    start_server OMBUD_RUN_JOBS=true OMBUD_SCAN_INTERVAL_SECONDS=1
    while [ "$(sql "SELECT count(*) FROM statistics_periods WHERE NOT stale")" -lt "$expected" ]; do sleep 1; done
    echo "rolled up $expected days and months in $(python3 -c "import time; print(round(time.time() - $start))") s;" \
        "$(sql "SELECT count(*) FROM statistics_totals") rows of totals"
    stop_server
fi

start_server OMBUD_RUN_JOBS=false
lead=$TOKEN_L
# p50 and p90 of $requests sequential requests, in milliseconds.
time_it() {
    local url=$1 accept=$2
    for _ in $(seq "$requests"); do
        curl -sf -o /dev/null -w '%{time_total}\n' "$api$url" -H "Authorization: Bearer $lead" -H "Accept: $accept"
    done | python3 -c "
import sys
t = sorted(float(x) * 1000 for x in sys.stdin)
print(f'{t[len(t) // 2]:.0f} ({t[min(len(t) - 1, len(t) * 9 // 10)]:.0f})')"
}
year=$(python3 -c "import datetime; print((datetime.datetime.utcnow() - datetime.timedelta(days=365)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
all=$(python3 -c "import datetime; print((datetime.datetime.utcnow() - datetime.timedelta(days=800)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
printf '| %s | %s cases | last 30 days | %s |\n' "$backend" "$n" "$(time_it /statistics application/json)"
printf '| %s | %s cases | last year | %s |\n' "$backend" "$n" "$(time_it "/statistics?from=$year" application/json)"
printf '| %s | %s cases | two years (all) | %s |\n' "$backend" "$n" "$(time_it "/statistics?from=$all" application/json)"
printf '| %s | %s cases | two years, CSV | %s |\n' "$backend" "$n" "$(time_it "/statistics?from=$all" text/csv)"
curl -sf "$api/statistics?from=$all" -H "Authorization: Bearer $lead" | python3 -c "
import json, sys
s = json.load(sys.stdin)
print('filed', s['filed'], 'first response', s['first_response'], 'mediators', len(s['mediators']))" \
    || echo 'the whole range did not answer'
