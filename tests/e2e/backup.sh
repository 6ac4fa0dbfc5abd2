#!/usr/bin/env bash
# ocop backup FILE (SPEC 11): taken while the server records scans under
# load, the copy holds every scan acknowledged before the backup began,
# is checked, and opens as a database of its own; an existing FILE is
# refused and left as it was.
. "$(dirname "$0")/lib.sh"
D=$E2E_DIR
PY=/usr/bin/python3

cat >"$D/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
T-PLAIN,Bánh phồng tôm Sa Giang,I,,Công ty Sa Giang,DN,Đồng Tháp,Sa Đéc,3,100/QĐ-UBND,2025-01-10,UBND tỉnh Đồng Tháp,
EOF
test_begin "setup"
expect_rc 0 "$OCOP" init --base-url https://tem.example.vn
expect_rc 0 "$OCOP" registry import "$D/reg.csv"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 20 --format csv --out "$D/l"
TOKEN=$("$OCOP" token create --role inspector)
start_server --rate-limit 0 || exit 1

test_begin "usage"
expect_rc 64 "$OCOP" backup
expect_contains "$D/last.err" "the backup FILE is missing"
expect_rc 0 "$OCOP" backup --help
expect_contains "$D/last.out" "pg_dump"
expect_rc 73 "$OCOP" backup "$D/no/such/dir/copy.db"
expect_contains "$D/last.err" "no/such/dir/copy.db"

# load: scan batches of 20, one after another on two connections, until
# $D/stop exists; each acknowledged batch logged as "N TIME" (the time
# its 200 was read) in $D/acks, any other answer in $D/errors
$PY - "$HOSTPORT" "$TOKEN" "$D" <<'EOF' &
import datetime, http.client, json, os, sys, threading, time
hostport, token, d = sys.argv[1], sys.argv[2], sys.argv[3]
serials = [l.split(",")[0] for l in open(d + "/l/labels.csv").read().split("\n")[1:] if l]
lock = threading.Lock()
acks = open(d + "/acks", "w")
errors = open(d + "/errors", "w")
counter = [0]
def run():
    conn = http.client.HTTPConnection(hostport, timeout=30)
    while not os.path.exists(d + "/stop"):
        with lock:
            n = counter[0]
            counter[0] += 1
        at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        body = json.dumps({"scans": [{"id": "b%d-%d" % (n, i),
            "code": serials[(n + i) % len(serials)], "scanned_at": at}
            for i in range(20)]})
        conn.request("POST", "/api/v1/scans", body,
                     {"Authorization": "Bearer " + token,
                      "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        t = time.time()
        with lock:
            if r.status == 200:
                acks.write("%d %.6f\n" % (n, t))
                acks.flush()
            else:
                errors.write("%d %d\n" % (n, r.status))
                errors.flush()
threads = [threading.Thread(target=run) for _ in range(2)]
for th in threads:
    th.start()
for th in threads:
    th.join()
EOF
LOAD=$!

test_begin "a backup under load holds every scan acknowledged before it"
for _ in $(seq 1 100); do
	[ -f "$D/acks" ] && [ "$(wc -l <"$D/acks")" -ge 20 ] && break
	sleep 0.05
done
BEGAN=$(date +%s.%N)
echo "backup began after $(wc -l <"$D/acks") batches"
expect_rc 0 "$OCOP" backup "$D/copy.db"
expect_contains "$D/last.err" "checked: ok"
# the server kept answering during the backup
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")
expect_eq "$code" 200 "healthz right after the backup"
sleep 0.3
touch "$D/stop"
wait "$LOAD"
expect_eq "$(wc -l <"$D/errors")" 0 "scan batches not acknowledged during the load"
before=$(awk -v t="$BEGAN" '$2 < t' "$D/acks" | wc -l)
after=$(awk -v t="$BEGAN" '$2 >= t' "$D/acks" | wc -l)
[ "$before" -ge 20 ] || fail "only $before batches acknowledged before the backup"
[ "$after" -ge 1 ] || fail "no batch acknowledged after the backup began: no load during it"
stop_server || fail "the server did not stop cleanly"
all_scans=$(db_rows scans)
expect_eq "$all_scans" "$(($(wc -l <"$D/acks") * 20))" "scans in the live database"

test_begin "the copy opens on its own"
export OCOP_DB=$D/copy.db
expect_eq "$(db_check)" ok "the copy's check"
copy_scans=$(db_rows scans)
[ "$copy_scans" -ge "$((before * 20))" ] ||
	fail "the copy holds $copy_scans scans: fewer than the $((before * 20)) acknowledged before it"
[ "$copy_scans" -le "$all_scans" ] || fail "the copy holds more scans than the database"
expect_rc 0 "$OCOP" report circulation
expect_rc 0 "$OCOP" product show T-PLAIN
# every batch acknowledged before the backup is in the copy: re-sent to
# a server on the copy, each of its scans is a duplicate
start_server --rate-limit 0 || exit 1
awk -v t="$BEGAN" '$2 < t {print $1}' "$D/acks" >"$D/before"
$PY - "$HOSTPORT" "$TOKEN" "$D" >"$D/resend.out" <<'EOF'
import datetime, http.client, json, sys
hostport, token, d = sys.argv[1], sys.argv[2], sys.argv[3]
serials = [l.split(",")[0] for l in open(d + "/l/labels.csv").read().split("\n")[1:] if l]
conn = http.client.HTTPConnection(hostport, timeout=30)
dup = fresh = 0
at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
for line in open(d + "/before"):
    n = int(line)
    body = json.dumps({"scans": [{"id": "b%d-%d" % (n, i),
        "code": serials[(n + i) % len(serials)], "scanned_at": at}
        for i in range(20)]})
    conn.request("POST", "/api/v1/scans", body,
                 {"Authorization": "Bearer " + token,
                  "Content-Type": "application/json"})
    r = conn.getresponse()
    res = json.loads(r.read())["results"]
    dup += sum(1 for x in res if x["duplicate"])
    fresh += sum(1 for x in res if not x["duplicate"])
print("duplicate", dup)
print("missing", fresh)
EOF
expect_contains "$D/resend.out" "duplicate $((before * 20))"
expect_contains "$D/resend.out" "missing 0"
echo "batches acknowledged before the backup: $before, after: $after; scans in the copy: $copy_scans of $all_scans"
stop_server || fail "the server on the copy did not stop cleanly"

test_begin "an existing FILE is refused and left as it was"
export OCOP_DB=$E2E_DIR/ocop.db
sum=$(sha256sum <"$D/copy.db")
expect_rc 65 "$OCOP" backup "$D/copy.db"
expect_contains "$D/last.err" "never overwrites"
expect_eq "$(sha256sum <"$D/copy.db")" "$sum" "the existing file"
test_end
