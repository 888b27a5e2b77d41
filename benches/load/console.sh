#!/usr/bin/env bash
# How long the console's pages take on the server at N cases (10 thousand
# unless given): each page asked REPEAT times, one at a time, over
# loopback, by a browser's session; p50, p95 and the worst in ms.
#
#   cargo build --release && benches/load/console.sh sqlite|postgres [N] [REPEAT]
#
# A page's time includes the console's own calls to the API (loopback
# HTTP), which is what the page costs the server.
cd "$(dirname "$0")/../.."
source benches/load/lib.sh
backend=${1:-sqlite}
n=${2:-10000}
repeat=${3:-50}

fresh_db "$backend"
make_people
seed_cases "$n"
start_server OMBUD_RUN_JOBS=false

site="http://$OMBUD_BIND/console"
jar() { echo "$work/$1.jar"; }
sign_in() {
    curl -sf -o /dev/null -c "$(jar "$1")" "$site/sign-in" \
        --data-urlencode "email=$1@x.org" --data-urlencode "password=password of $1"
}
for who in c m l; do sign_in $who; done
curl -sf -o /dev/null -c "$(jar a)" "$site/sign-in" \
    --data-urlencode "email=a@x.org" --data-urlencode "password=a long admin passphrase"
admin_token=$(curl -sf "$api/auth/tokens" -H 'Content-Type: application/json' \
    -d '{"email":"a@x.org","password":"a long admin passphrase"}' | field token)
# Something on each settings page.
post /triage_rules "$admin_token" '{"name":"Parcels","conditions":{"keywords":["parcel"]},"actions":{"set_priority":"high"}}' >/dev/null
post /service_policies "$admin_token" '{"priority":"high","first_response_minutes":60,"resolution_minutes":960}' >/dev/null
hook=$(post /webhooks "$admin_token" '{"url":"https://hooks.example.org/ombud","events":["case_filed"]}' | field id)
post "/webhooks/$hook/ping" "$admin_token" >/dev/null
curl -sf -X PUT "$api/mediators/$MEDIATOR" -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
    -d '{"capacity":20,"skills":[],"languages":[],"on_duty":true}' >/dev/null
# A seeded case in investigation (its mediator is m) and the filed one.
open_case=$(sql "SELECT id FROM cases WHERE state = 'investigation' ORDER BY id LIMIT 1")

measure() {
    local who=$1 path=$2 label=$3
    local times="$work/times"
    : > "$times"
    curl -sf -o /dev/null -b "$(jar "$who")" "$site$path"
    for _ in $(seq "$repeat"); do
        curl -sf -o /dev/null -b "$(jar "$who")" -w '%{time_total}\n' "$site$path" >> "$times"
    done
    python3 - "$times" "$label" <<'EOF'
import sys
t = sorted(float(x) * 1000 for x in open(sys.argv[1]))
p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"| {sys.argv[2]} | {p(0.5):.1f} | {p(0.95):.1f} | {t[-1]:.1f} |")
EOF
}

echo "backend=$backend cases=$n repeat=$repeat binary=$bin"
echo "| page | p50 ms | p95 ms | worst ms |"
echo "|---|---|---|---|"
measure c "/cases" "complainant: cases"
measure c "/cases/$SEEDED_CASE" "complainant: a case"
measure c "/cases/new" "complainant: filing form"
measure m "/cases" "mediator: queue and cases"
measure m "/cases/$open_case" "mediator: a case"
measure l "/cases" "lead: queue, unassigned, overdue, cases"
measure l "/cases?state=intake" "lead: cases in intake"
measure l "/cases/$SEEDED_CASE" "lead: a case (with the assign form)"
measure l "/statistics" "lead: statistics"
measure m "/mediators/$MEDIATOR" "mediator: their desk"
measure a "/users" "admin: users"
measure a "/categories" "admin: categories"
measure a "/triage" "admin: triage rules"
measure a "/service-levels" "admin: service levels"
measure a "/webhooks" "admin: webhooks"
measure a "/webhooks/$hook" "admin: a webhook and its deliveries"
measure l "/mediators" "lead: mediators"
measure l "/templates" "lead: answer templates"
echo "server peak RSS: $(peak_rss_mb) MB"
