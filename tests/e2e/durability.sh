#!/usr/bin/env bash
# Kill -9 while scans pour in: every scan that got a 200 must be stored
# after a restart, and the database must stay intact. Clients post
# inspector batches (ids known) and consumer GETs (counted) over kept-alive
# connections from several threads, so the writer groups many requests per
# commit when the server dies.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-06-01T10:00:00+07:00
CYCLES=4

test_begin "durability setup"
cat >"$E2E_DIR/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
DUR-1,Khô cá lóc,I,,HTX Cá Lóc,HTX,Đồng Tháp,Xã A,3,1/QĐ-UBND,2025-01-10,UBND tỉnh Đồng Tháp,
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" label issue DUR-1 --count 20 --format csv --out "$E2E_DIR/l"
expect_rc 0 "$OCOP" token create --role inspector
TOKEN=$(cat "$E2E_DIR/last.out")
tail -n +2 "$E2E_DIR/l/labels.csv" | cut -d, -f1 >"$E2E_DIR/serials"
expect_eq "$(wc -l <"$E2E_DIR/serials")" 20 serials

cat >"$E2E_DIR/client.py" <<'EOF'
# client.py HOSTPORT TOKEN SERIALS ACKED PREFIX: post until the server dies
import http.client, json, sys, threading, random
host, port = sys.argv[1].rsplit(":", 1)
token, serials = sys.argv[2], open(sys.argv[3]).read().split()
acked = open(sys.argv[4], "a")
prefix = sys.argv[5]
lock = threading.Lock()

def worker(w):
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    n = 0
    try:
        for i in range(2000):  # bounded; the server is killed long before
            if i % 3 == 2:
                conn.request("GET", "/L/" + random.choice(serials),
                             headers={"Accept": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    with lock:
                        acked.write("GET\n")
                        acked.flush()
                continue
            ids = ["%s-%d-%d-%d" % (prefix, w, i, k) for k in range(5)]
            body = json.dumps({"scans": [
                {"id": x, "code": random.choice(serials),
                 "scanned_at": "2026-06-01T03:00:00Z"} for x in ids]})
            conn.request("POST", "/api/v1/scans", body,
                         {"Authorization": "Bearer " + token,
                          "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status == 200:
                res = json.loads(data)["results"]
                with lock:
                    for x in res:
                        acked.write("ID " + x["id"] + "\n")
                    acked.flush()
    except Exception:
        pass  # the server died: stop

threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
EOF

test_begin "acknowledged scans survive kill -9"
: >"$E2E_DIR/acked"
for cycle in $(seq 1 $CYCLES); do
	start_server --rate-limit 0 || break
	/usr/bin/python3 "$E2E_DIR/client.py" "$HOSTPORT" "$TOKEN" \
		"$E2E_DIR/serials" "$E2E_DIR/acked" "c$cycle" &
	client=$!
	sleep 0.$((3 + cycle))
	kill -9 "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	wait "$client"
done
acked_ids=$(grep -c '^ID ' "$E2E_DIR/acked")
acked_gets=$(grep -c '^GET$' "$E2E_DIR/acked")
[ "$acked_ids" -gt 0 ] || fail "no inspector scan was acknowledged"
[ "$acked_gets" -gt 0 ] || fail "no consumer scan was acknowledged"
echo "  $acked_ids inspector and $acked_gets consumer scans acknowledged over $CYCLES kills"
# whole, and every label's count is its stored scans ('ocop db stats')
expect_eq "$(db_check)" ok "database check after the kills"
grep '^ID ' "$E2E_DIR/acked" | cut -d' ' -f2 | sort -u >"$E2E_DIR/acked_ids"
db_scans client_id | grep -v '^$' | sort -u >"$E2E_DIR/stored_ids"
missing=$(comm -23 "$E2E_DIR/acked_ids" "$E2E_DIR/stored_ids" | wc -l)
expect_eq "$missing" 0 "acknowledged inspector scans missing"
stored_gets=$(db_scans source | grep -c '^consumer$')
[ "$stored_gets" -ge "$acked_gets" ] ||
	fail "consumer scans: $acked_gets acknowledged, $stored_gets stored"
# every batch is whole: ids come in fives
partial=$(grep -v '^$' "$E2E_DIR/stored_ids" | sed 's/..$//' | uniq -c | awk '$1 != 5' | wc -l)
expect_eq "$partial" 0 "half-stored batches"

test_begin "SIGTERM under load: drains, stores every answered scan, exits 0"
: >"$E2E_DIR/acked"
start_server --rate-limit 0 || exit 1
/usr/bin/python3 "$E2E_DIR/client.py" "$HOSTPORT" "$TOKEN" \
	"$E2E_DIR/serials" "$E2E_DIR/acked" term &
client=$!
sleep 0.5
stop_server
expect_eq "$?" 0 "exit status after SIGTERM"
wait "$client"
grep '^ID ' "$E2E_DIR/acked" | cut -d' ' -f2 | sort -u >"$E2E_DIR/acked_ids"
[ -s "$E2E_DIR/acked_ids" ] || fail "no scan acknowledged before SIGTERM"
db_scans client_id --id-prefix term- | sort -u >"$E2E_DIR/stored_ids"
expect_eq "$(comm -23 "$E2E_DIR/acked_ids" "$E2E_DIR/stored_ids" | wc -l)" 0 \
	"acknowledged scans missing after SIGTERM"
expect_eq "$(db_check)" ok "database check after SIGTERM"

test_begin "the server restarts on the same database"
start_server --rate-limit 0 || exit 1
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" 200 healthz
stop_server
expect_eq "$?" 0 "clean stop"
