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
echo "server peak RSS: $(peak_rss_mb) MB"
