#!/usr/bin/env bash
# Freezes a throwaway PostgreSQL cluster (SIGSTOP on the postmaster and
# every backend: connections stay open, nothing answers) under a running
# server, and times what requests and /ready answer before, during and
# after. Never touches another cluster: it makes its own on PORT and
# removes it, continuing its processes whatever happens.
#   cargo build --release && benches/frozen-postgres.sh [path/to/ombud]
# Needs PostgreSQL's server binaries (PGBIN) and the `postgres` OS user.
set -euo pipefail
bin=$(realpath "${1:-target/release/ombud}")
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
pgport=${PGPORT_FROZEN:-55432}
port=${PORT:-18812}
freeze_for=${FREEZE_SECONDS:-20}
work=$(mktemp -d)
chmod 777 "$work"
data="$work/pgdata"
su postgres -c "$pgbin/initdb -D $data -A trust -U postgres" > /dev/null
su postgres -c "$pgbin/pg_ctl -D $data -o '-p $pgport -k $work' -l $work/pg.log -w start" > /dev/null
postmaster=$(head -n1 "$data/postmaster.pid")
server=""
cleanup() {
    pkill -CONT -P "$postmaster" 2>/dev/null || true
    kill -CONT "$postmaster" 2>/dev/null || true
    [ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
    su postgres -c "$pgbin/pg_ctl -D $data -m immediate -w stop" > /dev/null 2>&1 \
        || kill -QUIT "$postmaster" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
"$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres ombud
export DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/ombud" OMBUD_BIND="127.0.0.1:$port" \
    RUST_LOG=${RUST_LOG:-warn} OMBUD_MAIL_DIR="$work/mail" OMBUD_RUN_JOBS=false
token=$("$bin" users create --role admin --email a@x.org --name A --password 'a long admin passphrase' | tail -n1)
"$bin" serve > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://$OMBUD_BIND/ready" > /dev/null && break; sleep 0.1; done
api="http://$OMBUD_BIND/api/v1"
probe() { # label, then curl arguments
    local label=$1; shift
    curl -s -o /dev/null -w "$label: %{http_code} in %{time_total}s\n" --max-time 120 "$@"
}
round() ( # in a subshell, so that `wait` waits for these three only
    probe "GET /ready" "http://$OMBUD_BIND/ready" &
    probe "GET /me" "$api/me" -H "Authorization: Bearer $token" &
    probe "POST /categories" "$api/categories" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d "{\"slug\":\"c$RANDOM\",\"name\":\"C\"}" &
    wait
)
burst() { # twenty reads at once: more than the pool holds
    for _ in $(seq 20); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 120 \
            "$api/me" -H "Authorization: Bearer $token" &
    done | sort | awk '{n[$1]++; if ($2 > m) m = $2} END {for (c in n) printf "%s x %d  ", c, n[c]; printf "slowest %.2fs\n", m}'
}
echo "== before"; round
echo "== frozen (SIGSTOP postmaster and backends)"
kill -STOP "$postmaster"; pkill -STOP -P "$postmaster"
round
echo "burst of 20 reads: $(burst)"
sleep "$freeze_for"
echo "== still frozen after ${freeze_for}s"; round
echo "== continued (SIGCONT)"
pkill -CONT -P "$postmaster"; kill -CONT "$postmaster"
round
echo "burst of 20 reads: $(burst)"
echo "== the server's log, by kind of line:"
sed -E 's/^[^ ]+ +//; s/(cause|error)=.*/\1=.../' "$work/serve.log" | sort | uniq -c
