#!/usr/bin/env bash
# The counts of the console's dashboard (SPEC 8) as scans come and go:
# "the last 30 days" are today and the 29 days before it in Vietnam time,
# whole days; an inspector's re-sent scan counts once; the counts are the
# same after 'ocop db copy' into the script's engine, and drop with the
# scans that 'ocop purge --consumer-scans-before' deletes.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
export OCOP_NOW=2026-03-20T10:00:00+07:00
SRC=$E2E_DIR/src.db
TARGET=$OCOP_DB
ADMIN=$E2E_DIR/admin.jar

# counts CODE: the card of CODE on the admin's dashboard: labels issued,
# scans of the last 30 days, late scans (0 when the card shows none)
counts() {
	local code
	code=$(curl -s -b "$ADMIN" -o "$E2E_DIR/dash" -w '%{http_code}' \
		"$BASE/console/")
	[ "$code" = 200 ] || { fail "GET /console/ answered $code"; return; }
	$PY - "$E2E_DIR/dash" "$1" <<'EOF'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
for card in page.split('<section class="card">')[1:]:
    if re.search(r'class="hint code">([^<]*)<', card).group(1) != sys.argv[2]:
        continue
    nums = re.findall(r'<dd class="num">(\d+)</dd>', card)
    late = re.search(r"Vẫn còn (\d+) lượt quét", card)
    print(" ".join(nums + [late.group(1) if late else "0"]))
EOF
}
# consumer AT SERIAL...: a consumer scan of each label at instant AT (the
# server's clock)
consumer() {
	local at=$1 s
	shift
	OCOP_NOW=$at start_server --rate-limit 0 || return
	for s in "$@"; do
		curl -s -o /dev/null -H 'Accept: application/json' "$BASE/L/$s"
	done
	stop_server || fail "server did not stop cleanly"
}
# inspect ID SERIAL AT: an inspector's scan sent to the running server;
# prints whether it was a duplicate
inspect() {
	curl -s -X POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSP" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"scans\":[{\"id\":\"$1\",\"code\":\"$2\",\"scanned_at\":\"$3\"}]}" |
		$PY -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["duplicate"])'
}

test_begin "console counts: setup, on a SQLite file"
cat >"$E2E_DIR/reg.csv" <<'CSV'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
CC-1,Mật ong hoa nhãn,I,,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
CC-2,Trà sen Tháp Mười,II,,Công ty TNHH Sen Việt,DN,Đồng Tháp,Xã Mỹ Hòa,3,498/QĐ-UBND-HC,2025-04-19,UBND tỉnh Đồng Tháp,
CSV
export OCOP_DB=$SRC
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
for p in CC-1 CC-2; do
	OCOP_NOW=2025-07-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue \
		"$p" --count 3 --format csv --out "$E2E_DIR/$p"
	tail -n +2 "$E2E_DIR/$p/labels.csv" | cut -d, -f1 >"$E2E_DIR/$p.serials"
done
A1=$(sed -n 1p "$E2E_DIR/CC-1.serials")
A2=$(sed -n 2p "$E2E_DIR/CC-1.serials")
B1=$(sed -n 1p "$E2E_DIR/CC-2.serials")
B2=$(sed -n 2p "$E2E_DIR/CC-2.serials")
# CC-2 revoked on 10 March: its scans since are late
expect_rc 0 "$OCOP" cert revoke CC-2 --decision 9/QĐ-TH --ground c \
	--date 2026-03-10
INSP=$("$OCOP" token create --role inspector)

test_begin "console counts: the last 30 days are whole days of Vietnam time"
# 30 days before 20 March, 23:30, and 19 March, 00:30 (18 March, 17:30
# UTC): the first is before the 30 days, the second the first of them
consumer 2026-02-18T23:30:00+07:00 "$A1" "$A2"
consumer 2026-02-19T00:30:00+07:00 "$A1"
consumer 2026-03-05T10:00:00+07:00 "$A2" "$B1"
consumer 2026-03-12T10:00:00+07:00 "$B1" "$B2"
start_server --rate-limit 0 || exit 1
console_sign_in office@example.vn admin "$ADMIN"
expect_eq "$(counts CC-1)" "3 2 0" "CC-1: issued, 30 days, late"
expect_eq "$(counts CC-2)" "3 3 2" "CC-2: issued, 30 days, late"

test_begin "console counts: an inspector's scan sent again counts once"
expect_eq "$(inspect insp-1 "$A1" 2026-03-18T09:00:00+07:00)" False "first"
expect_eq "$(inspect insp-1 "$A1" 2026-03-18T09:00:00+07:00)" True "again"
expect_eq "$(counts CC-1)" "3 3 0" "CC-1 after the inspection"
stop_server || fail "server did not stop cleanly"
expect_eq "$(db_check)" ok check

test_begin "console counts: the same after 'ocop db copy' into $E2E_ENGINE"
expect_rc 0 "$OCOP" db copy "$SRC" "$TARGET"
export OCOP_DB=$TARGET
expect_eq "$(db_check)" ok "check of the copy"
start_server --rate-limit 0 || exit 1
expect_eq "$(counts CC-1)" "3 3 0" "CC-1 in the copy"
expect_eq "$(counts CC-2)" "3 3 2" "CC-2 in the copy"
# the copy goes on counting: a new inspection, the copied one sent again
expect_eq "$(inspect insp-1 "$A1" 2026-03-18T09:00:00+07:00)" True \
	"the copied inspection again"
expect_eq "$(inspect insp-2 "$B2" 2026-03-19T09:00:00+07:00)" False \
	"a new inspection"
expect_eq "$(inspect insp-2 "$B2" 2026-03-19T09:00:00+07:00)" True \
	"the new inspection again"
stop_server || fail "server did not stop cleanly"
consumer 2026-03-20T09:00:00+07:00 "$A1" "$B1"
start_server --rate-limit 0 || exit 1
expect_eq "$(counts CC-1)" "3 4 0" "CC-1 with today's scan"
expect_eq "$(counts CC-2)" "3 5 4" "CC-2 with today's scans"
stop_server || fail "server did not stop cleanly"
expect_eq "$(db_check)" ok "check after scans"

test_begin "console counts: the consumer scans purged are no longer counted"
# before 13 March: the consumer scans up to 12 March go (two of them
# late), the inspections stay
expect_rc 0 "$OCOP" purge --consumer-scans-before 2026-03-13
expect_contains "$E2E_DIR/last.err" "7 consumer scans"
start_server --rate-limit 0 || exit 1
expect_eq "$(counts CC-1)" "3 2 0" "CC-1 after the purge"
expect_eq "$(counts CC-2)" "3 2 2" "CC-2 after the purge"
stop_server || fail "server did not stop cleanly"
expect_eq "$(db_check)" ok "check after the purge"
test_end
