#!/usr/bin/env bash
# Evidence downloads through the console: one file of SIZE MiB (20 unless
# given, the default `evidence_max_bytes`) fetched by CONCURRENCY browser
# sessions at once (16 unless given), ROUNDS times (3 unless given); the
# bytes are checked, and the server's resident memory is read before and
# at its peak. The console passes a download on as the API streams it, so
# memory should not grow with CONCURRENCY x SIZE.
#
#   cargo build --release && benches/load/downloads.sh sqlite|postgres [CONCURRENCY] [SIZE] [ROUNDS]
cd "$(dirname "$0")/../.."
source benches/load/lib.sh
backend=${1:-sqlite}
concurrency=${2:-16}
size=${3:-20}
rounds=${4:-3}

fresh_db "$backend"
make_people
export OMBUD_EVIDENCE_DIR="$work/evidence" OMBUD_EVIDENCE_MAX_BYTES=$((size * 1024 * 1024 + 1024))
start_server OMBUD_RUN_JOBS=false
case_id=$(post /cases "$TOKEN_C" "{\"title\":\"A complaint with a large file\",\"description\":\"See the attachment.\",\"category\":\"d\",\"respondent\":{\"user_id\":\"$RESPONDENT\"}}" | field id)
# A PDF of SIZE MiB: its header, then bytes that do not compress.
file="$work/big.pdf"
{ printf '%%PDF-1.7\n'; head -c $((size * 1024 * 1024 - 9)) /dev/urandom; } > "$file"
want=$(sha256sum "$file" | cut -d' ' -f1)
evidence=$(curl -sf "$api/cases/$case_id/evidence" -H "Authorization: Bearer $TOKEN_C" \
    -F "file=@$file;type=application/pdf;filename=big.pdf" -F visibility=all_parties | field id)

# A new server, so that its peak memory is the downloads' alone.
stop_server
start_server OMBUD_RUN_JOBS=false
site="http://$OMBUD_BIND/console"
for i in $(seq "$concurrency"); do
    curl -sf -o /dev/null -c "$work/jar$i" "$site/sign-in" \
        --data-urlencode "email=c@x.org" --data-urlencode "password=password of c"
done
rss_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$server/status"; }
# One download to warm up, then the rounds.
curl -sf -o "$work/one" -b "$work/jar1" "$site/cases/$case_id/evidence/$evidence"
[ "$(sha256sum "$work/one" | cut -d' ' -f1)" = "$want" ] || { echo "the download differs"; exit 1; }
before=$(rss_mb)
start=$(date +%s.%N)
for _ in $(seq "$rounds"); do
    rm -f "$work"/got*
    pids=()
    for i in $(seq "$concurrency"); do
        curl -sf -o "$work/got$i" -b "$work/jar$i" "$site/cases/$case_id/evidence/$evidence" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || { echo "a download failed"; exit 1; }; done
    for i in $(seq "$concurrency"); do
        [ "$(sha256sum "$work/got$i" | cut -d' ' -f1)" = "$want" ] || { echo "download $i differs"; exit 1; }
    done
done
end=$(date +%s.%N)
total=$((concurrency * rounds * size))
echo "backend=$backend concurrency=$concurrency size=${size}MiB rounds=$rounds binary=$bin"
echo "| downloads | MiB sent | seconds | MiB/s | RSS before (MB) | peak RSS (MB) |"
echo "|---|---|---|---|---|---|"
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'| {int(sys.argv[3])} | {int(sys.argv[4])} | {s:.1f} | {int(sys.argv[4])/s:.0f} | {sys.argv[5]} | {sys.argv[6]} |')" \
    "$start" "$end" $((concurrency * rounds)) "$total" "$before" "$(peak_rss_mb)"
