#!/usr/bin/env bash
# Two `serve` and two `worker` processes on one PostgreSQL database, under
# load from both sides at once: filings and reassignments of the same cases
# through both servers, mail delivered by both workers. Then checks that
# references are unique, that every answered filing is there, that no
# update was lost (each case's version counts exactly its changes), and
# that every mail was delivered once.
#   cargo build --release && benches/load/two-processes.sh [SECONDS=20]
here=$(dirname "$0")
source "$here/lib.sh"
fresh_db postgres
seconds=${1:-20}
make_people
seed_cases 1000
case_ids assigned "$work/assigned"
sink_port=$((port + 1))
python3 "$here/smtp_sink.py" "$sink_port" "$work/count" &
sink=$!
pids=()
for p in $((port + 2)) $((port + 3)); do
    env OMBUD_BIND="127.0.0.1:$p" OMBUD_RUN_JOBS=false "$bin" serve > "$work/serve-$p.log" 2>&1 &
    pids+=($!)
done
for w in 1 2; do
    env SMTP_URL="smtp://127.0.0.1:$sink_port" "$bin" worker > "$work/worker-$w.log" 2>&1 &
    pids+=($!)
done
for p in $((port + 2)) $((port + 3)); do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/ready" >/dev/null && break; sleep 0.1; done
done
before=$(sql "SELECT count(*) FROM cases")
sent_before=$(sql "SELECT count(*) FROM outbox WHERE status = 'sent'")
file_body="{\"title\":\"A complaint\",\"description\":\"What happened.\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$RESPONDENT\"}}"
load() { # PORT NAME METHOD TARGET TOKEN IDS BODY
    TOGGLE="$MEDIATOR,$MEDIATOR2" THREADS=1 METHOD=$3 TARGET=$4 TOKEN=$5 IDS=$6 BODY=$7 \
        wrk -t1 -c16 -d${seconds}s -s "$here/request.lua" "http://127.0.0.1:$1" | grep '^RESULT' > "$work/$2-$1"
}
loads=()
for p in $((port + 2)) $((port + 3)); do
    load $p file POST /api/v1/cases "$TOKEN_C" "" "$file_body" &
    loads+=($!)
    load $p assign POST "/api/v1/cases/{id}/actions/assign" "$TOKEN_L" "$work/assigned" '{"mediator_id":"{toggle}"}' &
    loads+=($!)
done
wait "${loads[@]}"
answered() { cat "$work/$1"-* | awk '{ok += $6 - $5; bad += $5} END {print ok, bad}'; }
read -r filed file_failed <<< "$(answered file)"
read -r assigned assign_failed <<< "$(answered assign)"
# Let both workers empty the outbox.
for _ in $(seq 600); do
    [ "$(sql "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")" = 0 ] && break
    sleep 0.2
done
sleep 1
read -r accepted repeats < "$work/count"
found=$(( $(sql "SELECT count(*) FROM cases") - before ))
dupes=$(sql "SELECT count(*) - count(DISTINCT reference) FROM cases")
ids=$(sed "s/.*/'&'/" "$work/assigned" | paste -sd,)
changes=$(sql "SELECT count(*) FROM timeline_events WHERE kind = 'assign' AND case_id IN ($ids)")
bumps=$(sql "SELECT sum(version) - count(*) FROM cases WHERE id IN ($ids)")
sent=$(( $(sql "SELECT count(*) FROM outbox WHERE status = 'sent'") - sent_before ))
cat <<REPORT
filings answered 201: $filed (failed: $file_failed); new cases found: $found; duplicate references: $dupes
reassignments answered 200: $assigned (failed: $assign_failed); recorded: $changes; version increments: $bumps
mails sent (outbox): $sent; accepted by the server: $accepted; of those repeated: $repeats
REPORT
ok=1
[ "$dupes" = 0 ] || ok=0
[ "$found" -ge "$filed" ] || ok=0
[ "$changes" = "$bumps" ] && [ "$changes" -ge "$assigned" ] || ok=0
[ "$repeats" = 0 ] && [ "$accepted" = "$sent" ] || ok=0
[ $ok = 1 ] && echo "PASS" || { echo "FAIL"; exit 1; }
