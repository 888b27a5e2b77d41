# shellcheck shell=bash
# Sourced by the scripts beside it once $bin, $work, DATABASE_URL and
# OMBUD_BIND are set: makes an admin ($admin: its token), starts `serve`
# (stopped on exit, then the caller's `cleanup` runs), and through the API
# a category `d` and four users with tokens: members $c and $r, mediator
# $m and lead $l ($cid, $rid, $mid: ids). Defines post, field and me.
admin=$("$bin" users create --role admin --email a@x.org --name A --password 'a long admin passphrase' | tail -n1)
"$bin" serve > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server; wait $server 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do curl -sf "http://$OMBUD_BIND/ready" >/dev/null && break; sleep 0.2; done
api="http://$OMBUD_BIND/api/v1"
post() { curl -sf -X POST "$api$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
me() { curl -sf "$api/me" -H "Authorization: Bearer $1" | field id; }
post /categories "$admin" '{"slug":"d","name":"D"}' >/dev/null
for u in c r m l; do
    role=member; [ $u = m ] && role=mediator; [ $u = l ] && role=lead
    post /users "$admin" "{\"email\":\"$u@x.org\",\"name\":\"$u\",\"role\":\"$role\",\"password\":\"password of $u\"}" >/dev/null
done
token() { curl -sf "$api/auth/tokens" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1@x.org\",\"password\":\"password of $1\"}" | field token; }
c=$(token c); r=$(token r); m=$(token m); l=$(token l)
cid=$(me "$c"); rid=$(me "$r"); mid=$(me "$m")
