#!/usr/bin/env bash
# A sign-in storm: CLIENTS concurrent clients each sign in ROUNDS times with
# a wrong password (the full argon2 check, as an attacker's guesses cost),
# against a release build on a fresh SQLite file. Prints the server's RSS
# when idle, its peak during the storm (VmHWM) and its RSS a moment after,
# and how the requests were answered.
#   cargo build --release && benches/signin-storm.sh [path/to/ombud] [clients] [rounds]
# Settings pass through the environment (OMBUD_PASSWORD_CHECKS_AT_ONCE, ...).
set -euo pipefail
bin=$(realpath "${1:-target/release/ombud}")
clients=${2:-100}
rounds=${3:-3}
port=${PORT:-18811}
work=$(mktemp -d)
# The storm measures what the password checks cost, so throttled sign-in
# (which answers 429 without any check once an email or a client address
# has failed a few times) is off unless these are set.
export OMBUD_SIGN_IN_ACCOUNT_FAILURES=${OMBUD_SIGN_IN_ACCOUNT_FAILURES:-1000} \
    OMBUD_SIGN_IN_ADDRESS_FAILURES=${OMBUD_SIGN_IN_ADDRESS_FAILURES:-100000}
export DATABASE_URL="sqlite://$work/storm.db" OMBUD_BIND="127.0.0.1:$port" \
    RUST_LOG=${RUST_LOG:-warn} OMBUD_MAIL_DIR="$work/mail" OMBUD_RUN_JOBS=false
"$bin" users create --role member --email storm@example.org --name Storm \
    --password 'the right passphrase' > /dev/null
"$bin" serve > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://$OMBUD_BIND/ready" > /dev/null && break; sleep 0.1; done
rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$server/status"; }
url="http://$OMBUD_BIND/api/v1/auth/tokens"
one() {
    curl -s -o /dev/null -w '%{http_code}\n' "$url" -H 'Content-Type: application/json' \
        -d '{"email":"storm@example.org","password":"a wrong passphrase"}'
}
export -f one
export url
one > /dev/null # warm: the first check builds the dummy hash
idle=$(rss VmRSS)
started=$(date +%s.%N)
seq "$clients" | xargs -P "$clients" -I{} bash -c "for _ in \$(seq $rounds); do one; done" \
    > "$work/codes"
ended=$(date +%s.%N)
peak=$(rss VmHWM)
after_now=$(rss VmRSS)
sleep "${SETTLE:-5}"
after=$(rss VmRSS)
echo "clients=$clients rounds=$rounds requests=$(wc -l < "$work/codes") seconds=$(echo "$ended - $started" | bc)"
echo "answers: $(sort "$work/codes" | uniq -c | awk '{printf "%s x %s  ", $2, $1}')"
echo "rss_mb: idle=$idle peak=$peak right_after=$after_now after_${SETTLE:-5}s=$after"
