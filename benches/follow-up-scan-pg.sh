#!/usr/bin/env bash
# The follow-up scan's query on PostgreSQL at a million cases, one in
# twenty of them in `ruling` and none due: its plan and time, twice (the
# second with the pages cached). On a throwaway database, dropped after.
#   benches/follow-up-scan-pg.sh [path/to/ombud] [cases]
set -euo pipefail
bin=$(realpath "${1:-target/release/ombud}")
cases=${2:-1000000}
name="ombud_follow_up_$$"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $name"
trap 'psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"' EXIT
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$name" RUST_LOG=warn "$bin" migrate >/dev/null
psql -h 127.0.0.1 -U postgres -d "$name" -q <<SQL
INSERT INTO users (id, email, name, role, language, active, created_at, updated_at)
SELECT format('00000000-0000-7000-9000-%s', lpad(i::text, 12, '0')), 'u' || i || '@x.org', 'U',
    CASE WHEN i > 2000 THEN 'mediator' ELSE 'member' END, 'en', true, now(), now()
FROM generate_series(1, 2020) i;
INSERT INTO categories VALUES ('00000000-0000-7000-a000-000000000001', 'd', 'D', '', 'normal', true, now(), now());
INSERT INTO cases
SELECT format('00000000-0000-7000-8000-%s', lpad(i::text, 12, '0')), 'OMB-2025-' || lpad(i::text, 7, '0'),
    't', 'd', '00000000-0000-7000-a000-000000000001', (ARRAY['low','normal','high','urgent'])[1 + i % 4],
    'en', 'web', '[]',
    CASE i % 20 WHEN 0 THEN 'intake' WHEN 1 THEN 'assigned' WHEN 2 THEN 'investigation'
        WHEN 3 THEN 'investigation' WHEN 4 THEN 'ruling' WHEN 5 THEN 'appeal' WHEN 6 THEN 'follow_up'
        WHEN 7 THEN 'withdrawn' WHEN 8 THEN 'dismissed' ELSE 'closed' END,
    format('00000000-0000-7000-9000-%s', lpad((1 + i % 2000)::text, 12, '0')),
    format('00000000-0000-7000-9000-%s', lpad((1 + (i * 7 + 1) % 2000)::text, 12, '0')), 'r', NULL,
    CASE WHEN i % 20 <> 0 THEN format('00000000-0000-7000-9000-%s', lpad((2001 + i % 20)::text, 12, '0')) END,
    CASE WHEN i % 20 IN (4, 5, 6, 9) THEN format('00000000-0000-7000-9000-%s', lpad((2001 + i % 20)::text, 12, '0')) END,
    NULL, NULL, false, NULL, false, false, false,
    CASE WHEN i % 20 IN (4, 5) THEN now() + interval '7 days' END,
    false, false, false, false, NULL, 1,
    timestamp '2025-01-01' + i * interval '30 seconds', timestamp '2025-01-01' + i * interval '30 seconds'
FROM generate_series(1, $cases) i;
VACUUM ANALYZE cases;
SQL
for _ in 1 2; do
    psql -h 127.0.0.1 -U postgres -d "$name" -tAc "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM cases
        WHERE state = 'ruling' AND appeal_deadline < now()::timestamp ORDER BY appeal_deadline LIMIT 200" |
        grep -vE "^Planning|^  Buffers: shared hit=[0-9]+$"
    echo
done
