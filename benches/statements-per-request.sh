#!/usr/bin/env bash
# Counts the SQL statements that one filing (POST /cases), one case action
# (issue_ruling) and one case read (GET /cases/{id}) send to PostgreSQL,
# from the server's statement log; the pool's `SELECT 1` check-out pings
# are counted apart. Set SHOW=1 to print the statements themselves.
# Needs a local PostgreSQL whose log is readable here (Debian:
# /var/log/postgresql/postgresql-15-main.log) and superuser access
# (log_statement is set on a throwaway database, which is dropped after).
#   benches/statements-per-request.sh [path/to/ombud] [port]
set -euo pipefail
export OMBUD_BIN=${1:-target/debug/ombud} PORT=${2:-18810}
log=${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
source "$(dirname "$0")/load/lib.sh"
fresh_db postgres
psql "$PG/postgres" -qc "ALTER DATABASE $dbname SET log_statement = 'all'"
make_people
start_server OMBUD_RUN_JOBS=false
c=$TOKEN_C m=$TOKEN_M l=$TOKEN_L rid=$RESPONDENT mid=$MEDIATOR
id=$(post /cases "$c" "{\"title\":\"t\",\"description\":\"d\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$rid\"}}" | field id)
post "/cases/$id/actions/assign" "$l" "{\"mediator_id\":\"$mid\"}" >/dev/null
post "/cases/$id/actions/start_investigation" "$m" >/dev/null
statements() { tail -n +"$1" "$log" | grep "@$dbname " | grep -E "LOG:  (statement|execute)" || true; }
mark() { echo $(( $(wc -l < "$log") + 1 )); }
count() {
    local lines pings
    lines=$(statements "$1")
    [ -n "${SHOW:-}" ] && sed -E 's/.*LOG:  (statement|execute [^:]*): //' <<< "$lines" >&2
    pings=$(grep -cE ": SELECT 1$" <<< "$lines" || true)
    echo "$(( $(grep -c . <<< "$lines") - pings )) statements + $pings pool pings"
}
from=$(mark)
post /cases "$c" "{\"title\":\"t2\",\"description\":\"d\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$rid\"}}" >/dev/null
sleep 0.5
filed=$(count "$from")
from=$(mark)
post "/cases/$id/actions/issue_ruling" "$m" '{"outcome":"upheld","rationale":"r"}' >/dev/null
sleep 0.5
acted=$(count "$from")
from=$(mark)
curl -sf "$api/cases/$id" -H "Authorization: Bearer $m" >/dev/null
sleep 0.5
read=$(count "$from")
echo "POST /cases: $filed"
echo "issue_ruling: $acted"
echo "GET /cases/{id}: $read"
