#!/usr/bin/env bash
# ocop cert grant, extend (with its 180-day cap) and revoke on the demo
# registry, and the clerk's input checks.
. "$(dirname "$0")/lib.sh"
export OCOP_NOW=2026-11-28T09:00:00+07:00
PY=/usr/bin/python3

dump() { db_dump; }
status() { "$OCOP" product list --json | $PY -c '
import json, sys
for p in json.load(sys.stdin)["entries"]:
    if p["code"] == sys.argv[1]:
        r = p["recognition"] or {}
        print(p["status"], r.get("stars"), r.get("end"))
' "$1"; }
# refused WANT-TEXT cmd...: exit 65 with WANT-TEXT on stderr, nothing written
refused() {
	local want=$1 before
	shift
	before=$(dump)
	expect_rc 65 "$OCOP" "$@"
	expect_contains "$E2E_DIR/last.err" "$want"
	expect_eq "$(dump)" "$before" "dump after a refused '$*'"
}

test_begin "cert: setup"
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$ASSETS/demo/registry.csv" "$ASSETS/demo/revocations.csv"

test_begin "cert grant: a new recognition of a lapsed product"
P=87-30319-002-2021
expect_eq "$(status $P)" "expired 3 2024-09-14" "before"
expect_rc 0 "$OCOP" cert grant $P --stars 4 --decision 2001/QĐ-UBND-HC --date 2026-11-20
expect_eq "$(cut -f1-6 "$E2E_DIR/last.out")" \
	"$(printf '%s\t4★\t2001/QĐ-UBND-HC\t2026-11-20\t2029-11-19\tUBND tỉnh Đồng Tháp' $P)" "grant output"
expect_eq "$(status $P)" "in_force 4 2029-11-19" "after"
before=$(dump)
expect_rc 0 "$OCOP" cert grant $P --stars 4 --decision 2001/QĐ-UBND-HC --date 2026-11-20
expect_contains "$E2E_DIR/last.err" "unchanged"
expect_eq "$(dump)" "$before" "dump after granting the same decision again"

test_begin "cert grant: 5 stars by the ministry, explicit valid-until"
expect_rc 0 "$OCOP" cert grant 87-30571-001-2019 --stars 5 --decision 77/QĐ-BNNMT-VPĐP --date 2026-11-25 --valid-until 2029-12-31
expect_contains "$E2E_DIR/last.out" "Bộ Nông nghiệp và Môi trường"
expect_eq "$(status 87-30571-001-2019)" "in_force 5 2029-12-31" "5-star status"
expect_rc 0 "$OCOP" cert grant 87-30460-001-2019 --stars 4 --decision 'Số 12/QĐ' --date 2026-11-26 --issuer 'Chủ tịch UBND tỉnh Đồng Tháp'
expect_contains "$E2E_DIR/last.out" "Chủ tịch UBND tỉnh Đồng Tháp"

test_begin "cert grant: clerk checks"
refused "invalid --stars '6'" cert grant $P --stars 6 --decision 3/QĐ --date 2026-11-20
refused "invalid --stars '2'" cert grant $P --stars 2 --decision 3/QĐ --date 2026-11-20
refused "invalid --stars 'four'" cert grant $P --stars four --decision 3/QĐ --date 2026-11-20
refused "invalid date '2026-02-30'" cert grant $P --stars 4 --decision 3/QĐ --date 2026-02-30
refused "invalid date '20/11/2026'" cert grant $P --stars 4 --decision 3/QĐ --date 20/11/2026
refused "unknown product 'NO-SUCH'" cert grant NO-SUCH --stars 4 --decision 3/QĐ --date 2026-11-20
refused "is before the decision date" cert grant $P --stars 4 --decision 3/QĐ --date 2026-11-20 --valid-until 2026-11-19
refused "already recorded for this product with other content" \
	cert grant $P --stars 3 --decision 2001/QĐ-UBND-HC --date 2026-11-20
expect_rc 64 "$OCOP" cert grant $P --stars 4 --date 2026-11-20
expect_rc 64 "$OCOP" cert grant --stars 4 --decision 3/QĐ --date 2026-11-20
expect_rc 64 "$OCOP" cert grant $P --until 2027-01-01
expect_rc 0 "$OCOP" cert grant --help
expect_contains "$E2E_DIR/last.out" "usage: ocop cert grant"

test_begin "cert extend: up to 180 days past valid_until"
E=87-30010-001-2020 # 4★ valid until 2026-10-19: expired today
expect_eq "$(status $E)" "expired 4 2026-10-19" "before"
refused "more than 180 days" cert extend $E --until 2027-04-18
refused "before the end of recognition" cert extend $E --until 2026-10-18
expect_rc 0 "$OCOP" cert extend $E --until 2027-04-17
expect_eq "$(status $E)" "in_force 4 2027-04-17" "after the extension"
expect_rc 0 "$OCOP" product show $E --json
expect_eq "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["recognitions"][-1]["extended_until"])' "$E2E_DIR/last.out")" \
	2027-04-17 "extended_until"
expect_rc 0 "$OCOP" product show $E
expect_contains "$E2E_DIR/last.out" "gia hạn đến / extended until 2027-04-17"
# a shorter extension later replaces the first (the latest one counts)
expect_rc 0 "$OCOP" cert extend $E --until 2027-01-31 --decision 1502/QĐ-UBND-HC
expect_eq "$(status $E)" "in_force 4 2027-01-31" "after the second extension"

test_begin "cert extend: history in any order"
# a recognition superseded since may be extended: it counts only until
# its successor starts (2455 ended 2023-11-04; 1502 started 2023-10-20)
expect_rc 0 "$OCOP" cert extend $E --until 2023-11-04 --decision 2455/QĐ-UBND --extension-decision 99/QĐ-UBND
expect_eq "$(status $E)" "in_force 4 2027-01-31" "after extending the superseded one"
expect_rc 0 "$OCOP" product show $E --json --as-of 2023-10-19
expect_eq "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["recognitions"][0]; print(r["extended_until"], r["extension_decision_no"], r["end"])' "$E2E_DIR/last.out")" \
	"2023-11-04 99/QĐ-UBND 2023-10-19" "superseded extension"
# a revoked one too: the revocation (2025-04-02) still ends it
expect_rc 0 "$OCOP" cert extend 87-30100-001-2022 --until 2025-10-01
expect_eq "$(status 87-30100-001-2022)" "revoked 4 2025-04-01" "revoked stays revoked"
# a second decision starting the same day as another: refused, both named
refused "decision '7/QĐ' starts on 2023-10-20, the same day as decision '1502/QĐ-UBND-HC'" \
	cert grant $E --stars 3 --decision 7/QĐ --date 2023-10-20

test_begin "cert extend: refusals"
refused "has no recognition with decision 'nope'" cert extend $E --until 2027-01-01 --decision nope
refused "unknown product 'NO-SUCH'" cert extend NO-SUCH --until 2027-01-01
refused "invalid date" cert extend $E --until 2027-13-01
expect_rc 64 "$OCOP" cert extend $E
expect_rc 0 "$OCOP" cert extend --help

test_begin "cert revoke: a product in force becomes revoked"
R=87-30166-001-2021
expect_eq "$(status $R)" "in_force 4 2027-09-29" "before"
refused "before the first recognition" cert revoke $R --decision 50/QĐ-UBND-HC --date 2021-10-11 --ground b
refused "invalid --ground 'z'" cert revoke $R --decision 50/QĐ-UBND-HC --date 2026-11-01 --ground z
refused "unknown product 'NO-SUCH'" cert revoke NO-SUCH --decision 50/QĐ-UBND-HC --date 2026-11-01 --ground b
refused "invalid date" cert revoke $R --decision 50/QĐ-UBND-HC --date 2026-11-31 --ground b
expect_rc 64 "$OCOP" cert revoke $R --date 2026-11-01 --ground b
expect_rc 0 "$OCOP" cert revoke $R --decision 50/QĐ-UBND-HC --date 2026-11-01 --ground đ --note "Ngừng hoạt động"
expect_eq "$(cut -f2-4 "$E2E_DIR/last.out")" "$(printf '50/QĐ-UBND-HC\t2026-11-01\tdd')" "revoke output"
expect_eq "$(status $R)" "revoked 4 2026-10-31" "after"
expect_rc 0 "$OCOP" product list --as-of 2026-10-31 --status in_force
expect_contains "$E2E_DIR/last.out" "$R"
expect_rc 0 "$OCOP" product show $R
expect_contains "$E2E_DIR/last.out" "50/QĐ-UBND-HC, 2026-11-01, căn cứ / ground dd: Ngừng hoạt động"
before=$(dump)
expect_rc 0 "$OCOP" cert revoke $R --decision 50/QĐ-UBND-HC --date 2026-11-01 --ground dd --note "Ngừng hoạt động"
expect_contains "$E2E_DIR/last.err" "unchanged"
expect_eq "$(dump)" "$before" "dump after the same revocation again"
refused "already recorded for this product with other content" \
	cert revoke $R --decision 50/QĐ-UBND-HC --date 2026-11-02 --ground dd
expect_rc 0 "$OCOP" cert revoke --help

test_begin "cert: usage"
expect_rc 64 "$OCOP" cert
expect_rc 64 "$OCOP" cert annul X
expect_rc 0 "$OCOP" cert --help

test_end
