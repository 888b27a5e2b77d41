#!/usr/bin/env bash
# Where the CPU of a filing goes: one release `ombud serve` (jobs on,
# delivering to the SMTP sink) over a fresh database of 10 thousand
# cases, wrk filing at 16 connections for 10 s, twice; for each run, the
# CPU time per filing of the server, of all PostgreSQL processes (0 on
# SQLite), of the sink and of wrk (from /proc, in clock ticks).
#   cargo build --release && benches/load/filing-cpu.sh [sqlite|postgres] [libpq options, e.g. sslmode=disable]
# PERF=FILE also records the server with `perf record -g` during the last
# run, into FILE (read it with `perf report -i FILE --no-children`);
# PERF_OPTS replaces `-g -F 499`, e.g. "--call-graph dwarf,32768 -F 150"
# for call stacks through code built without frame pointers.
here=$(dirname "$0")
source "$here/lib.sh"
fresh_db "${1:-postgres}"
[ -n "${2:-}" ] && export DATABASE_URL="$DATABASE_URL?$2"
make_people
seed_cases 10000
sink_port=$((port + 1))
python3 "$here/smtp_sink.py" "$sink_port" "$work/count" 2>/dev/null &
sink=$!
start_server SMTP_URL="smtp://127.0.0.1:$sink_port"
file_body="{\"title\":\"A complaint\",\"description\":\"What happened.\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$RESPONDENT\"}}"
hz=$(getconf CLK_TCK)
ticks() { # utime + stime of the given processes, in clock ticks
    local t=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "$t"
}
per_filing() { echo "scale=2; ($2 - $1) * 1000 / $hz / $3" | bc; }
run() { # SECONDS
    METHOD=POST TARGET=/api/v1/cases TOKEN=$TOKEN_C IDS="" BODY=$file_body \
        wrk -t2 -c16 -d"$1"s -s "$here/request.lua" "http://127.0.0.1:$port" > "$work/wrk.out" &
    local w=$! s0 p0 k0 w0 s1 p1 k1 w1 n
    sleep 0.5 # measured over the middle of the run
    s0=$(ticks "$server") p0=$(ticks $(pgrep -x postgres)) k0=$(ticks "$sink") w0=$(ticks "$w")
    sleep $(($1 - 1))
    s1=$(ticks "$server") p1=$(ticks $(pgrep -x postgres)) k1=$(ticks "$sink") w1=$(ticks "$w")
    wait "$w"
    read -r _ rps p50 p99 failed _ <<< "$(grep '^RESULT' "$work/wrk.out")"
    n=$(echo "$rps * ($1 - 1)" | bc)
    echo "| $rps | $p50 | $p99 | $failed | $(per_filing "$s0" "$s1" "$n") | $(per_filing "$p0" "$p1" "$n") | $(per_filing "$k0" "$k1" "$n") | $(per_filing "$w0" "$w1" "$n") |"
}
run 5 > /dev/null # warm up
echo "| filings/s | p50 ms | p99 ms | failed | server CPU ms/filing | PostgreSQL | sink | wrk |"
echo "|---|---|---|---|---|---|---|---|"
run 10
if [ -n "${PERF:-}" ]; then
    perf record ${PERF_OPTS:--g -F 499} -o "$PERF" -p "$server" -- sleep 9 2>/dev/null &
    perf=$!
fi
run 10
[ -n "${PERF:-}" ] && wait "$perf"
true
