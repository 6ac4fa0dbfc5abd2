#!/usr/bin/env bash
# Two 'ocop serve' nodes on one database, as behind a load balancer: a
# revocation entered from the command line is seen by both on their next
# request; scans posted to either node are all counted, an inspector's
# scan re-sent to the other node is a duplicate there, and the
# circulation report counts every scan once.
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
kill "$A_PID" && wait "$A_PID"
expect_eq "$?" 0 "node A exit status"
A_PID=
stop_server || fail "node B exit status"
test_end
