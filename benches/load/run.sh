#!/usr/bin/env bash
# The load benchmark: one release `ombud serve` (background jobs on,
# delivering to an SMTP sink on loopback) over a fresh database seeded with
# SIZE cases, measured with wrk at 16 and 64 connections.
#   cargo build --release && benches/load/run.sh sqlite|postgres [SIZE=10000] [SECONDS=10]
# Prints a markdown table: requests/s, p50 and p99 latency, failed
# requests, and the server's peak RSS after each row.
here=$(dirname "$0")
source "$here/lib.sh"
fresh_db "$1"
size=${2:-10000}
seconds=${3:-10}
make_people
t0=$(date +%s)
seed_cases "$size"
echo "seeded $size cases on $1 in $(( $(date +%s) - t0 )) s"
case_ids assigned "$work/assigned"
case_ids investigation "$work/investigation"
for f in assigned investigation; do
    half=$(( ($(wc -l < "$work/$f") + 1) / 2 ))
    head -n "$half" "$work/$f" > "$work/$f.16"
    tail -n +"$((half + 1))" "$work/$f" > "$work/$f.64"
done

sink_port=$((port + 1))
python3 "$here/smtp_sink.py" "$sink_port" "$work/count" &
sink=$!
start_server SMTP_URL="smtp://127.0.0.1:$sink_port"

# drain: waits (at most 5 minutes) until the server has sent every mail.
drain() {
    for _ in $(seq 1500); do
        [ "$(sql "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")" = 0 ] && return
        sleep 0.2
    done
}
file_body="{\"title\":\"A complaint\",\"description\":\"What happened.\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$RESPONDENT\"}}"
scenario() { # NAME METHOD TARGET TOKEN IDS BODY
    for c in 16 64; do
        local line ids=$5
        # Each connection count works on its own half of the cases, so a
        # reassignment never finds a case where the other run left it.
        [ -n "$ids" ] && ids="$ids.$c"
        line=$(METHOD=$2 TARGET=$3 TOKEN=$4 IDS=$ids BODY=$6 \
            wrk -t2 -c$c -d${seconds}s -s "$here/request.lua" "http://127.0.0.1:$port" | grep '^RESULT')
        read -r _ rps p50 p99 failed _ <<< "$line"
        echo "| $1 | $c | $rps | $p50 | $p99 | $failed | $(peak_rss_mb) |"
    done
}
echo
echo "| $1, $size cases | connections | req/s | p50 ms | p99 ms | failed | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
scenario "file a case (POST /cases)" POST /api/v1/cases "$TOKEN_C" "" "$file_body"
if [ "$backend" = postgres ]; then
    # The ceiling: PostgreSQL running the filing's SQL alone (pgbench), in
    # this run, on this database, once the server has sent the mail of the
    # filings above and is idle.
    drain
    hash=$(sql "SELECT token_hash FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'c@x.org' LIMIT 1")
    complainant=$(sql "SELECT id FROM users WHERE email = 'c@x.org'")
    category=$(sql "SELECT id FROM categories WHERE slug = 'd'")
    lead=$(sql "SELECT id FROM users WHERE email = 'l@x.org'")
    for c in 16 64; do
        tps=$(pgbench -n -M prepared -c $c -j 2 -T "$seconds" -f "$here/filing.pgbench" -D token_hash="$hash" \
            -D category="$category" -D complainant="$complainant" -D respondent="$RESPONDENT" -D lead="$lead" \
            "$DATABASE_URL" 2>/dev/null | awk '/^tps/ {printf "%d", $3}')
        echo "| ceiling: the filing's SQL in pgbench | $c | $tps | | | | |"
    done
fi
TOGGLE="$MEDIATOR,$MEDIATOR2" scenario "an action (reassign)" POST "/api/v1/cases/{id}/actions/assign" "$TOKEN_L" "$work/assigned" '{"mediator_id":"{toggle}"}'
scenario "a message" POST "/api/v1/cases/{id}/messages" "$TOKEN_M" "$work/investigation" '{"body":"Could you send the receipt?"}'
scenario "read a case" GET "/api/v1/cases/{id}" "$TOKEN_M" "$work/investigation" ""
scenario "its timeline" GET "/api/v1/cases/{id}/timeline" "$TOKEN_M" "$work/investigation" ""
scenario "list: newest" GET "/api/v1/cases" "$TOKEN_L" "" ""
scenario "list: state=intake" GET "/api/v1/cases?state=intake" "$TOKEN_L" "" ""
scenario "list: a mediator's" GET "/api/v1/cases?mediator_id=$MEDIATOR" "$TOKEN_M" "" ""
scenario "list: a party's own" GET "/api/v1/cases" "$TOKEN_C" "" ""
scenario "list: most urgent (lead)" GET "/api/v1/cases?sort=urgent" "$TOKEN_L" "" ""
scenario "queue: a mediator's" GET "/api/v1/queue" "$TOKEN_M" "" ""
scenario "queue: a lead's" GET "/api/v1/queue" "$TOKEN_L" "" ""
# The mail the run wrote, delivered by the same server once the load ends.
t0=$(date +%s)
drain
drained=$(( $(date +%s) - t0 ))
stop_server
kill "$sink"; wait "$sink" 2>/dev/null || true
echo
echo "backlog left by the load delivered within $drained s after it ended"
read -r accepted repeats < "$work/count"
echo "mail accepted by the sink during the run: $accepted ($repeats sent twice); still pending: $(sql "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")"
