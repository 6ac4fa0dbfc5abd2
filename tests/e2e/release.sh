#!/usr/bin/env bash
# The release binary (what `make install` installs) has no test hooks: the
# environment cannot move its clock (OCOP_NOW), fail its batches
# (OCOP_FAIL_AFTER_*) or choose a serial (OCOP_TEST_FIRST_SERIAL), while
# the test build obeys all three.
. "$(dirname "$0")/lib.sh"

REL=${OCOP_RELEASE_BIN:?OCOP_RELEASE_BIN is set by tests/run}
TODAY=$(date -u -d '+7 hours' +%F) # Vietnam's day
cat >"$E2E_DIR/reg.csv" <<'CSV'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
REL-1,Xoài cát Hòa Lộc,I,,HTX Xoài Mỹ Xương,HTX,Đồng Tháp,Xã Mỹ Xương,4,1/QĐ-UBND,2020-01-10,UBND tỉnh Đồng Tháp,
CSV

test_begin "release binary is built"
[ -x "$REL" ] || fail "$REL is not built (make test builds it)"
expect_rc 0 "$REL" init
expect_rc 0 "$REL" registry import "$E2E_DIR/reg.csv"

test_begin "release binary ignores OCOP_NOW"
# the recognition ran from 2020-01-10 to 2023-01-09: in force on 2021-06-01
OCOP_NOW=2021-06-01T10:00:00+07:00 expect_rc 0 "$REL" product list --json
grep -q "\"as_of\": \"$TODAY\"" "$E2E_DIR/last.out" ||
	fail "release as_of is not today ($TODAY): $(head -c 200 "$E2E_DIR/last.out")"
OCOP_NOW=2021-06-01T10:00:00+07:00 expect_rc 0 "$OCOP" product list --json
grep -q '"as_of": "2021-06-01"' "$E2E_DIR/last.out" ||
	fail "test build did not obey OCOP_NOW: $(head -c 200 "$E2E_DIR/last.out")"

test_begin "release binary ignores the failure and serial hooks"
# issuing needs a recognition in force today: grant one
expect_rc 0 "$REL" cert grant REL-1 --stars 4 --decision 2/QĐ-UBND --date "$TODAY"
OCOP_FAIL_AFTER_LABELS=0 OCOP_FAIL_AFTER_ROWS=0 OCOP_TEST_FIRST_SERIAL=0000000000000000 \
	expect_rc 0 "$REL" label issue REL-1 --count 2 --format csv --out "$E2E_DIR/out"
[ "$(sed -n 2p "$E2E_DIR/out/labels.csv" | cut -d, -f1)" != 0000000000000000 ] ||
	fail "release binary took OCOP_TEST_FIRST_SERIAL"
OCOP_FAIL_AFTER_LABELS=0 expect_rc 73 "$OCOP" label issue REL-1 --count 2 \
	--format csv --out "$E2E_DIR/out2"
