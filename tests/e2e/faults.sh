#!/usr/bin/env bash
# Faults an operator meets (SPEC 11): a full disk (a small tmpfs), a
# read-only database, a database locked by another process, a fault of
# the service's own (logged with its cause), one of a newer schema, a
# missing font, an output directory that cannot be written. For each: a
# message naming the cause, the exit code or HTTP status, nothing
# half-stored, the database whole, and service resuming by itself once
# the fault is gone. Mounting needs root: without it the test fails.
. "$(dirname "$0")/lib.sh"
D=$E2E_DIR
MOUNTS=()
LOCK_PID=
fault_cleanup() {
	test_end
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
	[ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null
	for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
	cleanup
}
trap fault_cleanup EXIT
PY=/usr/bin/python3

cat >"$D/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
T-PLAIN,Bánh phồng tôm Sa Giang,I,,Công ty Sa Giang,DN,Đồng Tháp,Sa Đéc,3,100/QĐ-UBND,2025-01-10,UBND tỉnh Đồng Tháp,
EOF
cp "$D/reg.csv" "$D/reg2.csv"
echo 'T-NEW,Trà sen Tháp Mười,II,,Hộ Nguyễn Văn B,hộ,Đồng Tháp,Tháp Mười,3,7/QĐ-UBND,2025-03-10,UBND tỉnh Đồng Tháp,' >>"$D/reg2.csv"

test_begin "setup"
expect_rc 0 "$OCOP" init --base-url https://tem.example.vn
expect_rc 0 "$OCOP" registry import "$D/reg.csv"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 3 --format csv --out "$D/l1"
mapfile -t SERIALS < <(tail -n +2 "$D/l1/labels.csv" | cut -d, -f1)
expect_eq "${#SERIALS[@]}" 3 "serials issued"
TOKEN=$("$OCOP" token create --role inspector)
MAIN_DB=$OCOP_DB

# scan_batch N PREFIX: a scan batch of N items with ids PREFIX-i
scan_batch() {
	$PY -c '
import datetime, json, sys
n, prefix, serials = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
at = datetime.datetime.now(datetime.timezone.utc).isoformat(
    timespec="seconds")
print(json.dumps({"scans": [{"id": "%s-%d" % (prefix, i),
    "code": serials[i % len(serials)],
    "scanned_at": at, "place": "Chợ Sa Đéc"}
    for i in range(n)]}))' "$1" "$2" "${SERIALS[@]}"
}
# post_scans FILE: POST a scan batch; prints the status, the body in
# $D/post.json, the headers in $D/post.h
post_scans() {
	curl -s -o "$D/post.json" -D "$D/post.h" -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' --data-binary @"$1" \
		"$BASE/api/v1/scans"
}
# get_label SERIAL [curl options]: GET /L/SERIAL; the status, the body in
# $D/get.out, the headers in $D/get.h
get_label() {
	local s=$1
	shift
	curl -s -o "$D/get.out" -D "$D/get.h" -w '%{http_code}' "$@" \
		"$BASE/L/$s"
}
expect_retry_after() {
	grep -qi '^Retry-After: 30' "$1" || fail "no 'Retry-After: 30' in $1"
}
# healthz: GET /healthz; the status, the body in $D/health.json, the
# headers in $D/health.h
healthz() {
	curl -s -o "$D/health.json" -D "$D/health.h" -w '%{http_code}' \
		"$BASE/healthz"
}
# until_ok CMD...: retry CMD (prints a status) up to 5 s until 200
until_ok() {
	local code
	for _ in $(seq 1 50); do
		code=$("$@")
		[ "$code" = 200 ] && break
		sleep 0.1
	done
	echo "$code"
}

DISK=$D/disk
mkdir -p "$DISK"
test_begin "a small tmpfs for the full disk"
if ! mount -t tmpfs -o size=4m ocop-e2e-disk "$DISK"; then
	fail "cannot mount a tmpfs for the full-disk test (it runs as root)"
	exit 1
fi
MOUNTS+=("$DISK")
fill_disk() {
	dd if=/dev/zero of="$DISK/fill" bs=4k >/dev/null 2>&1
	expect_eq "$(df --output=avail "$DISK" | tail -1 | tr -d ' ')" 0 \
		"space left on the filled disk"
}
cp "$MAIN_DB" "$DISK/ocop.db"
export OCOP_DB=$DISK/ocop.db

test_begin "full disk: commands that write say so (73), store nothing"
labels_before=$(db_rows labels)
fill_disk
expect_rc 73 "$OCOP" label issue T-PLAIN --count 5 --format csv \
	--out "$D/full-out"
expect_contains "$D/last.err" "the disk holding the database is full"
[ -e "$D/full-out/labels.csv" ] && fail "labels written though none stored"
expect_rc 73 "$OCOP" registry import "$D/reg2.csv"
expect_contains "$D/last.err" "the disk holding the database is full"
test_begin "full disk under the output: 73, no batch, no files"
for f in pdf png svg csv; do
	expect_rc 73 "$OCOP" --db "$MAIN_DB" label issue T-PLAIN --count 30 \
		--format $f --out "$DISK/out-$f"
	expect_contains "$D/last.err" "No space left on device"
	[ -e "$DISK/out-$f" ] && fail "$f: a partial output was left"
done
expect_eq "$(OCOP_DB=$MAIN_DB db_rows labels)" 3 "labels in the database"
test_begin "full disk: reading goes on"
expect_rc 0 "$OCOP" verify "${SERIALS[0]}"
expect_rc 0 "$OCOP" product show T-PLAIN
expect_rc 65 "$OCOP" product show T-NEW
expect_rc 0 "$OCOP" report circulation
test_begin "full disk freed: commands write again"
rm -f "$DISK/fill"
expect_eq "$(db_rows labels)" "$labels_before" "labels after the refused issue"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 5 --format csv \
	--out "$D/full-out"
expect_rc 0 "$OCOP" registry import "$D/reg2.csv"
expect_rc 0 "$OCOP" product show T-NEW
expect_eq "$(db_rows labels)" "$((labels_before + 5))" "labels"
expect_eq "$(db_check)" ok "check"

scan_batch 200 full >"$D/b200.json"
scan_batch 1000 big >"$D/b1000.json"
scan_batch 1 after >"$D/b1.json"

test_begin "full disk under a starting server: 503 and Retry-After"
scans_before=$(db_rows scans)
fill_disk
start_server --rate-limit 0
code=$(get_label "${SERIALS[0]}")
expect_eq "$code" 503 "consumer GET"
expect_retry_after "$D/get.h"
expect_contains "$D/get.out" "chưa ghi lại"
code=$(get_label "${SERIALS[0]}" -H 'Accept: application/json')
expect_eq "$code" 503 "consumer GET, JSON"
expect_contains "$D/get.out" "the disk holding the database is full"
# the shopper's page, in the browser: WCAG 2.1 AA, both languages
for lang in vi en; do
	browser_check --url "$BASE/L/${SERIALS[0]}?lang=$lang" --status 503 \
		--width 390 --height 844 --screenshot "${FAULTS_SHOTS:-$D}/full-$lang.png" --axe ||
		fail "the 503 page ($lang): $(cat "$D/browser.out")"
done
code=$(post_scans "$D/b200.json")
expect_eq "$code" 503 "scan batch"
expect_retry_after "$D/post.h"
expect_contains "$D/post.json" "none stored"
expect_contains "$D/post.json" "the disk holding the database is full"
# a load balancer's or a monitor's check says the node cannot store
# scans, not why; the service's log says why, once
expect_eq "$(healthz)" 503 "healthz while scans fail"
expect_retry_after "$D/health.h"
expect_eq "$(cat "$D/health.json")" '{"status":"unavailable","database":"ok","scans":"failing"}' "healthz body"
expect_eq "$(grep -c 'database failing (scans): .*the disk holding the database is full' "$D/server.log")" 1 "the log's line"
# what records nothing still answers
code=$(curl -s -o /dev/null -w '%{http_code}' \
	"$BASE/api/v1/labels/${SERIALS[0]}")
expect_eq "$code" 200 "label API while the disk is full"
code=$(curl -s -o /dev/null -w '%{http_code}' -I "$BASE/L/${SERIALS[0]}")
expect_eq "$code" 200 "HEAD while the disk is full"
test_begin "full disk freed: the server records again by itself"
rm -f "$DISK/fill"
expect_eq "$(until_ok post_scans "$D/b200.json")" 200 "scan batch after"
expect_eq "$(until_ok get_label "${SERIALS[1]}")" 200 "consumer GET after"
expect_eq "$(healthz)" 200 "healthz once scans are stored"
expect_contains "$D/server.log" "database working again (scans) after"

test_begin "disk full while serving: 503, none stored, then resumes"
fill_disk
code=$(post_scans "$D/b1000.json")
expect_eq "$code" 503 "a batch larger than the log's room"
expect_retry_after "$D/post.h"
expect_contains "$D/post.json" "the disk holding the database is full"
rm -f "$DISK/fill"
expect_eq "$(until_ok post_scans "$D/b1.json")" 200 "a batch after"
stop_server || fail "the server did not stop cleanly"
expect_eq "$(db_rows scans)" "$((scans_before + 202))" \
	"scans: the 200, the GET and the 1 after; nothing of the refused"
expect_eq "$(db_check)" ok "check"
export OCOP_DB=$MAIN_DB
umount "$DISK" && MOUNTS=()

test_begin "read-only database: reads work, changes say so (73)"
RO=$D/ro
mkdir -p "$RO"
cp "$MAIN_DB" "$RO/ocop.db"
if ! { mount --bind "$RO" "$RO" && MOUNTS+=("$RO") &&
	mount -o remount,ro,bind "$RO"; }; then
	fail "cannot mount a read-only view of the database"
	exit 1
fi
export OCOP_DB=$RO/ocop.db
(: >"$RO/probe") 2>/dev/null && fail "the read-only mount can be written"
expect_rc 0 "$OCOP" verify "${SERIALS[0]}"
expect_rc 0 "$OCOP" product show T-PLAIN
expect_rc 0 "$OCOP" report circulation
expect_rc 0 "$OCOP" db stats
expect_rc 73 "$OCOP" label void "${SERIALS[2]}"
expect_contains "$D/last.err" "the database is read-only"
expect_rc 73 "$OCOP" registry import "$D/reg2.csv"
expect_contains "$D/last.err" "the database is read-only"
expect_rc 73 "$OCOP" label issue T-PLAIN --count 2 --format csv \
	--out "$D/ro-out"
test_begin "read-only database under the server: lookups, 503 for scans"
scans_before=$(db_rows scans)
start_server --rate-limit 0
code=$(curl -s -o /dev/null -w '%{http_code}' \
	"$BASE/api/v1/labels/${SERIALS[0]}")
expect_eq "$code" 200 "label API"
code=$(get_label "${SERIALS[0]}" -H 'Accept: application/json')
expect_eq "$code" 503 "consumer GET"
expect_retry_after "$D/get.h"
expect_contains "$D/get.out" "the database is read-only"
code=$(post_scans "$D/b1.json")
expect_eq "$code" 503 "scan batch"
expect_retry_after "$D/post.h"
test_begin "read-only database made writable: the server resumes"
mount -o remount,rw,bind "$RO" || fail "cannot remount read-write"
expect_eq "$(until_ok post_scans "$D/b1.json")" 200 "scan batch after"
expect_eq "$(until_ok get_label "${SERIALS[0]}")" 200 "consumer GET after"
stop_server || fail "the server did not stop cleanly"
expect_eq "$(db_rows scans)" "$((scans_before + 2))" "scans"
expect_eq "$(db_check)" ok "check"
export OCOP_DB=$MAIN_DB
umount "$RO" && MOUNTS=()

test_begin "locked database: waits, then says so (69); reads go on"
$PY -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
c.execute("DELETE FROM meta WHERE key = ?", ("no-such-key",))
open(sys.argv[2], "w").write("locked\n")
time.sleep(30)' "$MAIN_DB" "$D/locked" &
LOCK_PID=$!
for _ in $(seq 1 100); do
	[ -s "$D/locked" ] && break
	sleep 0.05
done
[ -s "$D/locked" ] || fail "the lock holder did not start"
start=$(date +%s)
expect_rc 69 "$OCOP" label void "${SERIALS[2]}"
expect_contains "$D/last.err" "the database is locked by another process"
waited=$(($(date +%s) - start))
[ "$waited" -ge 4 ] || fail "gave up after ${waited}s: expected a wait first"
expect_rc 0 "$OCOP" verify "${SERIALS[2]}"
kill "$LOCK_PID"
wait "$LOCK_PID" 2>/dev/null
LOCK_PID=
expect_rc 0 "$OCOP" label void "${SERIALS[2]}"
expect_rc 1 "$OCOP" verify "${SERIALS[2]}"

test_begin "a fault of the service's own: 500, logged with its cause, a line a second at most"
# a trigger that fails every scan stands for a bug: no client can mend it,
# so the answer is 500 and the operator reads why in the service's log
sql_fault() {
	$PY -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute(sys.argv[2])' "$MAIN_DB" "$1"
}
start_server --rate-limit 0
: >"$D/server.log"
sql_fault "CREATE TRIGGER fault BEFORE INSERT ON scans BEGIN SELECT RAISE(ABORT, 'a stand-in bug'); END"
for i in $(seq 1 20); do
	code=$(get_label "${SERIALS[0]}" -H 'Accept: application/json')
	[ "$code" = 500 ] || fail "scan $i: expected 500, got $code"
done
logged=$(grep -c "^ocop: 500 on /L/${SERIALS[0]}: cannot record the scan: .*a stand-in bug" "$D/server.log")
expect_eq "$([ "$logged" -ge 1 ] && [ "$logged" -lt 20 ] && echo some)" some "500s logged, not each ($logged of 20)"
sleep 1.1
expect_eq "$(get_label "${SERIALS[0]}")" 500 "the shopper's page"
expect_contains "$D/server.log" "more 500s not logged since the last line)"
expect_eq "$(grep -c 'database failing' "$D/server.log")" 0 "not the database failing"
sql_fault "DROP TRIGGER fault"
expect_eq "$(get_label "${SERIALS[0]}")" 200 "scans once it is mended"
stop_server || fail "the server did not stop cleanly"

test_begin "newer schema: refused, the file unchanged"
cp "$MAIN_DB" "$D/newer.db"
$PY -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA user_version = 9999")
c.commit()
c.close()' "$D/newer.db"
ls "$D"/newer.db-* >/dev/null 2>&1 && fail "the newer database has a log"
sum=$(sha256sum <"$D/newer.db")
expect_rc 65 "$OCOP" --db "$D/newer.db" verify "${SERIALS[0]}"
expect_contains "$D/last.err" "schema (version 9999) is newer than this ocop"
expect_rc 65 "$OCOP" --db "$D/newer.db" init
expect_rc 65 "$OCOP" --db "$D/newer.db" label void "${SERIALS[0]}"
expect_eq "$(sha256sum <"$D/newer.db")" "$sum" "the file after"

test_begin "missing font: PDF labels refused (66), no batch"
labels_before=$(db_rows labels)
cat >"$D/fonts.conf" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/nonexistent</dir><cachedir>CACHE</cachedir></fontconfig>
EOF
sed -i "s|CACHE|$D/fc-cache|" "$D/fonts.conf"
FONTCONFIG_FILE=$D/fonts.conf expect_rc 66 "$OCOP" label issue T-PLAIN \
	--count 4 --format pdf --out "$D/nofont"
expect_contains "$D/last.err" "the font 'DejaVu Sans"
expect_contains "$D/last.err" "fonts-dejavu-core"
[ -e "$D/nofont/labels.pdf" ] && fail "a PDF was left behind"
[ -e "$D/nofont/labels.csv" ] && fail "a manifest was left behind"
expect_eq "$(db_rows labels)" "$labels_before" "labels"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 4 --format pdf \
	--out "$D/font"
expect_eq "$(db_rows labels)" "$((labels_before + 4))" "labels with fonts"

test_begin "output directory that cannot be written: 73, no batch"
labels_before=$(db_rows labels)
mkdir -p "$D/locked-dir"
chattr +i "$D/locked-dir" || fail "chattr +i is not possible here"
expect_rc 73 "$OCOP" label issue T-PLAIN --count 2 --format svg \
	--out "$D/locked-dir/labels"
expect_contains "$D/last.err" "locked-dir"
expect_rc 73 "$OCOP" label issue T-PLAIN --count 2 --format svg \
	--out "$D/locked-dir"
chattr -i "$D/locked-dir"
expect_eq "$(db_rows labels)" "$labels_before" "labels"
expect_eq "$(db_check)" ok "check"
test_end
