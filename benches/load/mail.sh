#!/usr/bin/env bash
# Mail delivered per second by one `ombud worker` process to an SMTP server
# on loopback that accepts at once (benches/load/smtp_sink.py), and the cost
# of one claim with a large outbox.
#   benches/load/mail.sh sqlite|postgres [PENDING=20000] [SENT=1000000]
# PENDING mails are made due at once; SENT mails already delivered sit in
# the outbox beside them (as after a long run). Both are copies, in SQL, of
# the mail the API wrote for one filing.
here=$(dirname "$0")
source "$here/lib.sh"
fresh_db "$1"
pending=${2:-20000}
sent=${3:-1000000}
make_people
file_one_case
cols="case_id, event, template, essential, recipient_user_id, recipient_email, recipient_name,
      language, subject, body_text, body_html"
copy() { # copy N STATUS PREFIX
    local series id mid
    if [ "$backend" = postgres ]; then
        series="generate_series(1, $1) AS g(i)"; id="'$3-' || i"; mid="'<$3-' || i || '@bench>'"
    else
        series="(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $1) SELECT i FROM g) AS g"
        id="'$3-' || i"; mid="'<$3-' || i || '@bench>'"
    fi
    sql "INSERT INTO outbox (id, message_id, status, attempts, next_attempt_at, created_at, updated_at, sent_at, $cols)
         SELECT $id, $mid, '$2', CASE WHEN '$2' = 'sent' THEN 1 ELSE 0 END, t.next_attempt_at,
                t.created_at, t.updated_at, CASE WHEN '$2' = 'sent' THEN t.created_at END, $cols
         FROM $series, (SELECT * FROM outbox ORDER BY id LIMIT 1) AS t"
}
started=$(date +%s)
[ "$sent" -gt 0 ] && copy "$sent" sent old
copy "$pending" pending new
sql "ANALYZE"
echo "seeded $sent sent and $pending pending mails in $(( $(date +%s) - started )) s"

# The claim's two queries, as the worker issues them, with the outbox this full.
now=$(python3 -c "import datetime; print(datetime.datetime.utcnow().isoformat(' '))")
if [ "$backend" = postgres ]; then
    for q in "status = 'sending' AND locked_until < '$now' ORDER BY locked_until" \
             "status = 'pending' AND next_attempt_at <= '$now' ORDER BY next_attempt_at"; do
        sql "EXPLAIN (ANALYZE, COSTS OFF) SELECT id, status, attempts FROM outbox WHERE $q LIMIT 100 FOR UPDATE SKIP LOCKED" \
            | grep -E 'Index|Seq Scan|Sort|Execution Time' | sed 's/^/    /'
    done
else
    for q in "status = 'sending' AND locked_until < '$now' ORDER BY locked_until" \
             "status = 'pending' AND next_attempt_at <= '$now' ORDER BY next_attempt_at"; do
        sql "EXPLAIN QUERY PLAN SELECT id, status, attempts FROM outbox WHERE $q LIMIT 100" | sed 's/^/    /'
        python3 - "${DATABASE_URL#sqlite://}" "$q" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
q = "SELECT id, status, attempts FROM outbox WHERE " + sys.argv[2] + " LIMIT 100"
runs = []
for _ in range(20):
    t = time.perf_counter(); db.execute(q).fetchall(); runs.append(time.perf_counter() - t)
runs.sort()
print(f"    median of 20 runs: {runs[10] * 1000:.2f} ms")
PY
    done
fi

sink_port=$((port + 1))
python3 "$here/smtp_sink.py" "$sink_port" "$work/count" &
sink=$!
sleep 0.5
env SMTP_URL="smtp://127.0.0.1:$sink_port" "$bin" worker > "$work/worker.log" 2>&1 &
server=$!
t0=$(date +%s.%N)
while :; do
    n=0
    if [ -s "$work/count" ]; then read -r n _ < "$work/count"; fi
    [ "$n" -ge "$pending" ] && break
    if ! kill -0 "$server" 2>/dev/null; then echo "worker died:"; cat "$work/worker.log"; exit 1; fi
    sleep 0.2
done
t1=$(date +%s.%N)
rss=$(peak_rss_mb)
stop_server
kill "$sink"; wait "$sink" 2>/dev/null || true
left=$(sql "SELECT count(*) FROM outbox WHERE status <> 'sent'")
read -r _ repeats < "$work/count"
python3 -c "d = $t1 - $t0; print(f'$1: {$pending} mails in {d:.1f} s = {$pending / d:.0f} mails/s; worker peak RSS $rss MB; not sent: $left; sent twice: $repeats')"
