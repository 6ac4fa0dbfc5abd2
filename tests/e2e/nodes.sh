#!/usr/bin/env bash
# Two 'ocop serve' nodes on one database, as behind a load balancer: a
# revocation entered from the command line is seen by both on their next
# request; scans posted to either node are all counted, an inspector's
# scan re-sent to the other node is a duplicate there, and the
# circulation report counts every scan once; a node killed with SIGKILL
# under load loses none of the scans it acknowledged.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-03-01T10:00:00+07:00
PY=/usr/bin/python3
A_PID=
trap 'test_end; [ -n "$A_PID" ] && kill "$A_PID" 2>/dev/null; cleanup' EXIT

jq_py() { # jq_py FILE EXPR: a Python expression over d
	$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
v=eval(sys.argv[2])
print(json.dumps(v, ensure_ascii=False) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1" "$2"
}
# verdict BASE SERIAL: the verdict a consumer gets from that node
verdict() {
	curl -s -o "$E2E_DIR/v.json" -H 'Accept: application/json' "$1/L/$2"
	jq_py "$E2E_DIR/v.json" "d['verdict']"
}
# post BASE ID DAY: one inspector scan of $S1 to that node; prints
# "duplicate verdict"
post() {
	curl -s -o "$E2E_DIR/p.json" -X POST "$1/api/v1/scans" \
		-H "Authorization: Bearer $INSPECTOR" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"scans\":[{\"id\":\"$2\",\"code\":\"$S1\",\"scanned_at\":\"$3T09:00:00+07:00\",\"place\":\"Chợ $2\",\"province\":\"87\"}]}"
	jq_py "$E2E_DIR/p.json" "' '.join(str(r[k]) for r in d['results'] for k in ('duplicate', 'verdict'))"
}

test_begin "two nodes: both answer from one database"
cat >"$E2E_DIR/reg.csv" <<'EOF2'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
NODE-1,Mật ong Sa Đéc,I,,HTX Ong Mật,HTX,Đồng Tháp,Sa Đéc,4,100/QĐ-UBND,2024-01-10,UBND tỉnh Đồng Tháp,
EOF2
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
OCOP_NOW=2025-01-15T10:00:00+07:00 expect_rc 0 "$OCOP" label issue NODE-1 \
	--count 2 --format csv --out "$E2E_DIR/l"
S1=$(sed -n 2p "$E2E_DIR/l/labels.csv" | cut -d, -f1)
[ ${#S1} -eq 16 ] || fail "serial: '$S1'"
INSPECTOR=$("$OCOP" token create --role inspector)
start_server --rate-limit 0
A_PID=$SERVER_PID
A=$BASE
start_server --rate-limit 0
B=$BASE
[ "$A" != "$B" ] || fail "one node, not two"
expect_eq "$(verdict "$A" "$S1")" valid "node A before"
expect_eq "$(verdict "$B" "$S1")" valid "node B before"

test_begin "two nodes: a revocation from the command line, seen by both"
expect_rc 0 "$OCOP" cert revoke NODE-1 --decision 200/QĐ-UBND \
	--date 2026-02-01 --ground c
expect_eq "$(verdict "$A" "$S1")" revoked "node A after"
expect_eq "$(verdict "$B" "$S1")" revoked "node B after"

test_begin "two nodes: scans posted to both are all counted, once"
for i in 1 2 3; do
	expect_eq "$(post "$A" "a$i" 2026-02-1$i)" "False revoked" "scan a$i on A"
	expect_eq "$(post "$B" "b$i" 2026-02-2$i)" "False revoked" "scan b$i on B"
done
# a scan re-sent to the other node: the same, not a second one
expect_eq "$(post "$B" a1 2026-02-11)" "True revoked" "a1 re-sent to B"
# 4 consumer scans above (the API reads, it records nothing), 6 inspector
# scans; each node sees the other's
curl -s -o "$E2E_DIR/c.json" "$A/api/v1/labels/$S1"
expect_eq "$(jq_py "$E2E_DIR/c.json" "d['scans']['count']")" 10 "count on A"
curl -s -o "$E2E_DIR/c.json" "$B/api/v1/labels/$S1"
expect_eq "$(jq_py "$E2E_DIR/c.json" "d['scans']['count']")" 10 "count on B"
expect_eq "$(db_scans client_id --code "$S1" | grep -c .)" 6 "inspector scans stored"
expect_rc 0 "$OCOP" report circulation --as-of 2026-03-01 --format json
cp "$E2E_DIR/last.out" "$E2E_DIR/circ.json"
expect_eq "$(jq_py "$E2E_DIR/circ.json" "[(e['code'], e['verdict'], e['scans']) for e in d['entries']]")" \
	'[["NODE-1", "revoked", 10]]' "circulation"
expect_eq "$(db_check)" ok "database check"

test_begin "two nodes: one killed with SIGKILL under load loses no acknowledged scan"
cat >"$E2E_DIR/client.py" <<'EOF2'
# client.py HOSTPORT TOKEN SERIAL ACKED PREFIX ROUNDS: inspector batches
# and consumer scans on kept-alive connections until ROUNDS or the node
# dies; each acknowledged scan is written to ACKED ("ID x" or "GET")
import http.client, json, sys, threading
host, port = sys.argv[1].rsplit(":", 1)
token, serial, prefix = sys.argv[2], sys.argv[3], sys.argv[5]
rounds = int(sys.argv[6])
acked = open(sys.argv[4], "a")
lock = threading.Lock()

def worker(w):
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for i in range(rounds):
            if i % 2:
                conn.request("GET", "/L/" + serial,
                             headers={"Accept": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    with lock:
                        acked.write("GET\n")
                        acked.flush()
                continue
            ids = ["%s-%d-%d-%d" % (prefix, w, i, k) for k in range(4)]
            body = json.dumps({"scans": [
                {"id": x, "code": serial,
                 "scanned_at": "2026-02-25T03:00:00Z"} for x in ids]})
            conn.request("POST", "/api/v1/scans", body,
                         {"Authorization": "Bearer " + token,
                          "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status == 200:
                with lock:
                    for x in json.loads(data)["results"]:
                        acked.write("ID " + x["id"] + "\n")
                    acked.flush()
    except Exception:
        pass  # the node died: stop

threads = [threading.Thread(target=worker, args=(w,)) for w in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
EOF2
before=$(db_rows scans)
: >"$E2E_DIR/acked-a"
: >"$E2E_DIR/acked-b"
$PY "$E2E_DIR/client.py" "${A#http://}" "$INSPECTOR" "$S1" \
	"$E2E_DIR/acked-a" ka 200 &
client_a=$!
$PY "$E2E_DIR/client.py" "${B#http://}" "$INSPECTOR" "$S1" \
	"$E2E_DIR/acked-b" kb 100000 &
client_b=$!
# B dies with scans in flight, once it has acknowledged some
for _ in $(seq 1 100); do
	[ "$(wc -l <"$E2E_DIR/acked-b")" -ge 200 ] && break
	sleep 0.05
done
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
wait "$client_b"
wait "$client_a"
acked_b=$(grep -c '^ID kb-' "$E2E_DIR/acked-b")
acked_a=$(grep -c '^ID ka-' "$E2E_DIR/acked-a")
[ "$acked_b" -gt 0 ] || fail "node B acknowledged no scan before it died"
[ "$acked_a" -eq 1200 ] || fail "node A acknowledged $acked_a of 1200 inspector scans"
# every acknowledged inspector scan is stored, once
db_scans client_id --id-prefix kb- | sort >"$E2E_DIR/stored-b"
sed -n 's/^ID //p' "$E2E_DIR/acked-b" | sort >"$E2E_DIR/want-b"
missing=$(comm -23 "$E2E_DIR/want-b" "$E2E_DIR/stored-b" | wc -l)
expect_eq "$missing" 0 "node B's acknowledged scans missing"
expect_eq "$(db_scans client_id --id-prefix ka- | grep -c .)" "$acked_a" \
	"node A's scans stored"
# and the consumer scans: at least those acknowledged (a scan stored as
# B died may have gone unanswered), no more than those sent
acked_get=$(cat "$E2E_DIR/acked-a" "$E2E_DIR/acked-b" | grep -c '^GET')
stored=$(($(db_rows scans) - before))
stored_ids=$(($(grep -c . "$E2E_DIR/stored-b") + acked_a))
[ $((stored - stored_ids)) -ge "$acked_get" ] ||
	fail "$((stored - stored_ids)) consumer scans stored, $acked_get acknowledged"
echo "  node B killed after $acked_b inspector scans acknowledged; $stored scans stored in all"
expect_rc 0 "$OCOP" report circulation --as-of 2026-03-01 --format json
cp "$E2E_DIR/last.out" "$E2E_DIR/circ.json"
expect_eq "$(jq_py "$E2E_DIR/circ.json" "sum(e['scans'] for e in d['entries'])")" \
	"$((10 + stored))" "circulation counts every stored scan"
expect_eq "$(db_check)" ok "database check"
kill "$A_PID" && wait "$A_PID"
expect_eq "$?" 0 "node A exit status"
A_PID=
test_end
