#!/usr/bin/env bash
# Median latency (p50) of the main case lists on SQLite as the table grows.
#
# Starts the server on a fresh SQLite file, makes a member, a respondent, a
# mediator and a lead through the API (benches/load/lib.sh) and files one
# case; then, for each
# size, copies that case's row with bulk SQL (sqlite3) until the table holds
# that many cases, with states, priorities, parties, mediators and filing
# times spread over them, and times each list REQUESTS times in a row.
#   benches/list-latency.sh [path/to/ombud] [sizes...]
#   benches/list-latency.sh target/release/ombud 10000 1000000
# Needs sqlite3, curl and python3. Nothing runs ANALYZE: the plans are the
# ones a database gets without it.
set -euo pipefail
export OMBUD_BIN=${1:-target/release/ombud} PORT=${PORT:-18820}
shift || true
sizes=("${@:-10000}")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000)
requests=${REQUESTS:-50}
source "$(dirname "$0")/load/lib.sh"
fresh_db sqlite
db=${DATABASE_URL#sqlite://}
make_people
start_server OMBUD_RUN_JOBS=false
c=$TOKEN_C m=$TOKEN_M l=$TOKEN_L rid=$RESPONDENT mid=$MEDIATOR
cid=$(me "$c")
template=$(post /cases "$c" "{\"title\":\"t\",\"description\":\"d\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$rid\"}}" | field id)

# 2,000 more members and 20 more mediators, shaped like the ones the API made.
sqlite3 "$db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2020)
INSERT INTO users (id, email, name, role, language, password_hash, active, created_at, updated_at, muted)
SELECT printf('00000000-0000-7000-9000-%012d', i), 'seed' || i || '@x.org', 'Seed ' || i,
       CASE WHEN i > 2000 THEN 'mediator' ELSE 'member' END,
       language, NULL, active, created_at, updated_at, muted
FROM n, users WHERE users.id = '$cid';
SQL

# Adds cases until there are $1: case i is filed 30 s after case i-1, from
# 2025-01-01 (before the template), by one of 2,001 members against another, in one of
# nine states; one in ten is the member c's, one in twenty mediator m's.
seed() {
    sqlite3 "$db" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (
    SELECT (SELECT count(*) FROM cases) UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1)
INSERT INTO cases
SELECT printf('00000000-0000-7000-8000-%012d', i), printf('OMB-2025-%07d', i),
    t.title, t.description, t.category_id,
    CASE i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'normal' WHEN 2 THEN 'high' ELSE 'urgent' END,
    t.language, t.channel, t.tags,
    CASE i % 20 WHEN 0 THEN 'intake' WHEN 1 THEN 'assigned' WHEN 2 THEN 'investigation'
        WHEN 3 THEN 'investigation' WHEN 4 THEN 'ruling' WHEN 5 THEN 'appeal' WHEN 6 THEN 'follow_up'
        WHEN 7 THEN 'withdrawn' WHEN 8 THEN 'dismissed' ELSE 'closed' END,
    CASE WHEN i % 10 = 3 THEN '$cid' ELSE printf('00000000-0000-7000-9000-%012d', 1 + i % 2000) END,
    printf('00000000-0000-7000-9000-%012d', 1 + (i * 7 + 1) % 2000),
    t.respondent_name, t.respondent_email,
    CASE WHEN i % 20 = 0 THEN NULL WHEN i % 20 IN (1, 2) AND i % 40 < 3 THEN '$mid'
        ELSE printf('00000000-0000-7000-9000-%012d', 2001 + i % 20) END,
    CASE WHEN i % 20 IN (4, 5, 6, 9) THEN printf('00000000-0000-7000-9000-%012d', 2001 + i % 20) END,
    NULL, NULL, t.settlement_open, NULL, t.settlement_accepted_complainant,
    t.settlement_accepted_respondent, t.ruling_appealable,
    CASE WHEN i % 20 IN (4, 5) THEN strftime('%Y-%m-%d %H:%M:%S', 'now', '+7 days') END,
    t.ruling_accepted_complainant, t.ruling_accepted_respondent, t.appealed_complainant,
    t.appealed_respondent, NULL, t.version,
    strftime('%Y-%m-%d %H:%M:%S', '2025-01-01', '+' || (30 * i) || ' seconds'),
    strftime('%Y-%m-%d %H:%M:%S', '2025-01-01', '+' || (30 * i) || ' seconds')
FROM n, cases t WHERE t.id = '$template' AND i > 0;
COMMIT;
SQL
}

# p50 and p90 of $requests sequential requests, in milliseconds.
time_list() {
    local url=$1 token=$2
    for _ in $(seq "$requests"); do
        curl -s -o /dev/null -w '%{time_total}\n' "$api$url" -H "Authorization: Bearer $token"
    done | python3 -c "
import sys
t = sorted(float(x) * 1000 for x in sys.stdin)
print(f'p50 {t[len(t) // 2]:7.1f} ms   p90 {t[int(len(t) * 0.9)]:7.1f} ms')"
}

for size in "${sizes[@]}"; do
    seed "$size"
    echo "== $(sqlite3 "$db" 'SELECT count(*) FROM cases') cases, $(sqlite3 "$db" \
        'SELECT page_count * page_size / 1048576 FROM pragma_page_count, pragma_page_size') MiB of database"
    printf '%-36s %s\n' "lead: all"                "$(time_list '/cases' "$l")"
    printf '%-36s %s\n' "lead: state=intake"       "$(time_list '/cases?state=intake' "$l")"
    printf '%-36s %s\n' "lead: state=ruling"       "$(time_list '/cases?state=ruling' "$l")"
    printf '%-36s %s\n' "lead: mediator_id=m"      "$(time_list "/cases?mediator_id=$mid" "$l")"
    printf '%-36s %s\n' "lead: party_id=c"         "$(time_list "/cases?party_id=$cid" "$l")"
    printf '%-36s %s\n' "lead: priority=urgent"    "$(time_list '/cases?priority=urgent' "$l")"
    printf '%-36s %s\n' "lead: category=d"         "$(time_list '/cases?category=d' "$l")"
    printf '%-36s %s\n' "mediator m: own and intake" "$(time_list '/cases' "$m")"
    printf '%-36s %s\n' "mediator m: state=investigation" "$(time_list '/cases?state=investigation' "$m")"
    printf '%-36s %s\n' "member c: own"            "$(time_list '/cases' "$c")"
    next=$(curl -sf "$api/cases?state=intake&limit=100" -H "Authorization: Bearer $l" | field next_cursor)
    printf '%-36s %s\n' "lead: state=intake, page 2" "$(time_list "/cases?state=intake&cursor=$next" "$l")"
    # The follow-up scan's query, in sqlite3 (best of three).
    due=$(for _ in 1 2 3; do
        printf '%s\n' ".timer on" "SELECT count(*) FROM (SELECT id FROM cases WHERE state = 'ruling'
            AND appeal_deadline < strftime('%Y-%m-%d %H:%M:%S', 'now') ORDER BY appeal_deadline LIMIT 200);" |
            sqlite3 "$db" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p'
    done | sort -n | head -1)
    printf '%-36s %s\n' "follow-up scan, nothing due" "$(python3 -c "print(f'{$due * 1000:7.1f} ms')")"
done
