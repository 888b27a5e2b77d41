#!/usr/bin/env bash
# How often a worker killed with SIGKILL makes a mail go out twice. One
# `ombud worker` delivers PENDING mails to a fast SMTP sink on loopback and
# is killed every KILL_EVERY seconds and started again, until all are sent.
# A mail the server accepted whose outcome the killed worker had not yet
# recorded is sent again after its lease (here 10 s) runs out; the sink
# counts such repeats by Message-ID. Nothing may be lost: every mail on
# record as sent reached the server.
#   cargo build --release && benches/load/crash-duplicates.sh sqlite|postgres [PENDING=20000] [KILL_EVERY=1]
here=$(dirname "$0")
source "$here/lib.sh"
fresh_db "$1"
pending=${2:-20000}
every=${3:-1}
make_people
file_one_case
cols="case_id, event, template, essential, recipient_user_id, recipient_email, recipient_name,
      language, subject, body_text, body_html, next_attempt_at, created_at, updated_at"
if [ "$backend" = postgres ]; then series="generate_series(1, $pending) AS g(i)"
else series="(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $pending) SELECT i FROM g) AS g"; fi
sql "DELETE FROM outbox_attempts; DELETE FROM outbox WHERE id NOT IN (SELECT id FROM outbox ORDER BY id LIMIT 1)"
sql "INSERT INTO outbox (id, message_id, status, attempts, $cols)
     SELECT 'crash-' || i, '<crash-' || i || '@bench>', 'pending', 0, $cols
     FROM $series, (SELECT * FROM outbox ORDER BY id LIMIT 1) AS t"
sql "DELETE FROM outbox WHERE id NOT LIKE 'crash-%'"
sink_port=$((port + 1))
python3 "$here/smtp_sink.py" "$sink_port" "$work/count" &
sink=$!
kills=0
while :; do
    env SMTP_URL="smtp://127.0.0.1:$sink_port" OMBUD_SMTP_TIMEOUT_SECONDS=1 OMBUD_MAIL_LEASE_SECONDS=10 \
        "$bin" worker >> "$work/worker.log" 2>&1 &
    server=$!
    sleep "$every"
    left=$(sql "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
    if [ "$left" = 0 ]; then stop_server; break; fi
    kill -9 "$server"; wait "$server" 2>/dev/null || true; server=""
    kills=$((kills + 1))
done
sleep 0.5
kill "$sink"; wait "$sink" 2>/dev/null || true
read -r accepted repeats < "$work/count"
sent=$(sql "SELECT count(*) FROM outbox WHERE status = 'sent'")
failed=$(sql "SELECT count(*) FROM outbox WHERE status = 'failed'")
missing=$(sql "SELECT count(*) FROM outbox WHERE status = 'sent'" | awk -v a="$accepted" -v r="$repeats" '{print $1 - (a - r)}')
echo "$1: $pending mails, $kills kills: sent $sent (failed after too many lost claims: $failed); accepted by the server $accepted, of which repeats $repeats; sent on record but never accepted: $missing"
