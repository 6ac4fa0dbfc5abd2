#!/usr/bin/env bash
# ocop registry import, product list and product show: the demo registry,
# re-import without change, and bad files rejected whole, each bad row named.
. "$(dirname "$0")/lib.sh"
export OCOP_NOW=2026-11-28T09:00:00+07:00
PY=/usr/bin/python3
DEMO="$ASSETS/demo"
HDR=code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
RHDR=code,decision_no,revoked_on,ground,note

dump() { db_dump; }

test_begin "tools"
[ -x "$PY" ] || fail "$PY is not installed"

# bad_import NAME FILE WANT...: exit 65, every WANT text on stderr, and the
# database exactly as before
bad_import() {
	local name=$1 file=$2
	shift 2
	test_begin "registry: rejects $name"
	local before
	before=$(dump)
	expect_rc 65 "$OCOP" registry import "$file"
	for want in "$@"; do
		expect_contains "$E2E_DIR/last.err" "$want"
	done
	expect_contains "$E2E_DIR/last.err" "nothing was imported"
	expect_eq "$(dump)" "$before" "database dump after a rejected import"
}

test_begin "registry: init"
expect_rc 0 "$OCOP" init

# two products of one producer whose latest decisions give it two kinds
# would each undo the other on every import: refused, each such row named
# (found by fuzzing; into an empty registry, where nothing else is wrong)
cp "$ASSETS/../tests/fuzz/corpus/registry_csv/crash-one-producer-two-kinds.csv" "$E2E_DIR/kinds.csv"
bad_import "one producer given two kinds" "$E2E_DIR/kinds.csv" \
	"kinds.csv line 4: nhà sản xuất 'HTX Hoa kiểng Tân Quy Đông' (Đồng Tháp) có loại 'HTX' ở đây nhưng 'other' ở một dòng trước (line 2): tệp tự mâu thuẫn" \
	"has kind 'HTX' here but 'other' on line 2: the file contradicts itself" \
	"1 problem found"
expect_eq "$(db_rows producers)" 0 "producers after a rejected import"

test_begin "registry: import the demo registry"
expect_rc 0 "$OCOP" registry import "$DEMO/registry.csv" "$DEMO/revocations.csv"
expect_contains "$E2E_DIR/last.err" "imported 30 products, 52 recognitions (0 unchanged)"
expect_contains "$E2E_DIR/last.err" "imported 8 revocations of 8 products (0 unchanged)"
expect_eq "$(db_rows products)" 30 products
expect_eq "$(db_rows recognitions)" 52 recognitions
expect_eq "$(db_rows revocations)" 8 revocations
expect_eq "$(db_check)" ok "database check"

test_begin "registry: importing again changes nothing"
before=$(dump)
expect_rc 0 "$OCOP" registry import "$DEMO/registry.csv"
expect_contains "$E2E_DIR/last.err" "(52 unchanged)"
expect_rc 0 "$OCOP" registry import "$DEMO/revocations.csv"
expect_contains "$E2E_DIR/last.err" "(8 unchanged)"
expect_eq "$(dump)" "$before" "database dump after re-import"

F=$E2E_DIR
# a good row first, so that "nothing imported" means the good rows too
GOOD='NEW-1,Bánh phồng Sa Đéc,I,,HTX Mới,HTX,Đồng Tháp,"xã Tân Khánh Đông, Sa Đéc",3,100/QĐ-UBND-HC,2026-01-05,UBND tỉnh Đồng Tháp,'

printf '%s\n%s\nNEW-2,Bánh B,I,,HTX B,HTX,Đồng Tháp,xã B,6,1/QĐ,2026-01-05,UBND,\n' "$HDR" "$GOOD" >"$F/stars.csv"
bad_import "wrong stars" "$F/stars.csv" "stars.csv line 3: invalid stars '6'"

printf '%s\n%s\nNEW-2,Bánh B,I,,HTX B,HTX,Đồng Tháp,xã B,4,1/QĐ,2025-02-30,UBND,\n' "$HDR" "$GOOD" >"$F/date.csv"
bad_import "an impossible date" "$F/date.csv" "date.csv line 3: invalid decided_on '2025-02-30'"

printf '%s\n%s\nNEW-2,Bánh B,I,8936045120018,HTX B,HTX,Đồng Tháp,xã B,4,1/QĐ,2025-02-03,UBND,\n' "$HDR" "$GOOD" >"$F/gtin.csv"
bad_import "a bad GTIN check digit" "$F/gtin.csv" "gtin.csv line 3: invalid GTIN '8936045120018': bad check digit"

printf '%s\n%s\nNEW-2,Bánh B,VII,,HTX B,HTX,Đồng Tháp,xã B,4,1/QĐ,2025-02-03,UBND,\n' "$HDR" "$GOOD" >"$F/group.csv"
bad_import "an unknown group" "$F/group.csv" "group.csv line 3: invalid group 'VII'"

printf '%s\n%s\nNEW-2,B\xe1nh B,I,,HTX B,HTX,Đồng Tháp,xã B,4,1/QĐ,2025-02-03,UBND,\n' "$HDR" "$GOOD" >"$F/utf8.csv"
bad_import "invalid UTF-8" "$F/utf8.csv" "utf8.csv line 3: name is not valid UTF-8"

printf '%s\n%s\n' "${HDR/,valid_until/}" "${GOOD%,}" >"$F/column.csv"
bad_import "a missing column" "$F/column.csv" "column.csv line 1: missing column 'valid_until'"

printf '%s\nNO-SUCH,9/QĐ-UBND-HC,2026-01-01,b,\n87-30571-001-2019,9/QĐ-UBND-HC,2026-01-01,b,\n' "$RHDR" >"$F/unknown.csv"
bad_import "a revocation of an unknown product" "$F/unknown.csv" "unknown.csv line 2: unknown product code 'NO-SUCH'"

printf '%s\n87-30571-001-2019,9/QĐ-UBND-HC,2026-01-01,f,\n' "$RHDR" >"$F/ground.csv"
bad_import "an unknown ground" "$F/ground.csv" "ground.csv line 2: invalid ground 'f'"

printf '%s\n87-30571-001-2019,Quýt hồng Lai Vung,I,8936045120019,HTX Quýt hồng Long Hậu,HTX,Đồng Tháp,"ấp Long Thành A, xã Long Hậu, huyện Lai Vung, tỉnh Đồng Tháp",5,1446/QĐ-UBND-HC,2025-10-15,UBND tỉnh Đồng Tháp,\n' "$HDR" >"$F/conflict.csv"
bad_import "a decision number re-used with other content" "$F/conflict.csv" \
	"conflict.csv line 2: decision '1446/QĐ-UBND-HC' is already recorded for this product with other content (4 stars"

# several bad rows, one spanning two physical lines: every one is listed
# by the line where it starts
{
	echo "$HDR"
	echo "$GOOD"
	printf 'NEW-2,"Bánh\nhai dòng",I,,HTX B,HTX,Đồng Tháp,xã B,9,1/QĐ,2025-02-03,UBND,\n'
	printf 'NEW-3,Bánh C,I,,HTX C,HXT,Đồng Tháp,xã C,4,1/QĐ,2025-02-03,UBND,\n'
	printf 'NEW-4,Bánh D,I,,HTX D,HTX,Đồng Tháp,xã D,4,1/QĐ,2025-02-03,UBND,2024-01-01\n'
} >"$F/many.csv"
bad_import "every bad row, by the line where it starts" "$F/many.csv" \
	"many.csv line 3: name contains a control character; invalid stars '9'" \
	"many.csv line 5: invalid producer_kind 'HXT'" \
	"many.csv line 6: valid_until 2024-01-01 is before decided_on 2025-02-03" \
	"3 problems found"

# the latest decisions of one producer's products that describe it apart
# would each undo the other on every import: refused, each such row named
{
	echo "$HDR,producer_id"
	echo "$GOOD,0312345678"
	echo 'NEW-2,Bánh B,I,,HTX Mới,HTX,Đồng Tháp,xã B,4,2/QĐ,2026-01-05,UBND,,0312345678'
	echo 'NEW-3,Bánh C,I,,Hợp tác xã Mới,HTX,Đồng Tháp,xã C,4,3/QĐ,2026-01-05,UBND,,0312345678'
	echo 'NEW-4,Bánh D,I,,HTX Mới,THT,Đồng Tháp,xã D,4,4/QĐ,2026-01-05,UBND,,0312345678'
	# an older decision of NEW-4 is not written again: no contradiction
	echo 'NEW-4,Bánh D,I,,HTX Mới,DN,Đồng Tháp,xã D,3,5/QĐ,2024-01-05,UBND,,0312345678'
} >"$F/producer-id.csv"
bad_import "one producer_id given two names and two kinds" "$F/producer-id.csv" \
	"producer-id.csv line 4: nhà sản xuất 'HTX Mới' (Đồng Tháp) có tên 'Hợp tác xã Mới' ở đây nhưng 'HTX Mới' ở một dòng trước (line 2)" \
	"producer-id.csv line 5: nhà sản xuất 'HTX Mới' (Đồng Tháp) có loại 'THT'" \
	"has kind 'THT' here but 'HTX' on line 2" \
	"2 problems found"

# JSON variants: items are counted from 0
json_rec() { # code stars decided_on gtin group
	printf '{"code":"%s","name":"Bánh","group":"%s","gtin":"%s","producer":"HTX J","producer_kind":"DN","province":"Đồng Tháp","address":"xã J","stars":%s,"decision_no":"1/QĐ","decided_on":"%s","issuer":"UBND","valid_until":null}' "$1" "$5" "$4" "$2" "$3"
}
printf '[%s,%s]\n' "$(json_rec J-1 4 2026-01-05 "" I)" "$(json_rec J-2 7 2026-01-05 "" I)" >"$F/stars.json"
bad_import "wrong stars (JSON)" "$F/stars.json" "stars.json item 1: invalid stars '7'"
printf '[%s,%s]\n' "$(json_rec J-1 4 2026-01-05 "" I)" "$(json_rec J-2 4 2025-02-30 "" I)" >"$F/date.json"
bad_import "an impossible date (JSON)" "$F/date.json" "date.json item 1: invalid decided_on '2025-02-30'"
printf '[%s]\n' "$(json_rec J-1 4 2026-01-05 8936045120018 I)" >"$F/gtin.json"
bad_import "a bad GTIN check digit (JSON)" "$F/gtin.json" "gtin.json item 0: invalid GTIN"
printf '[%s]\n' "$(json_rec J-1 4 2026-01-05 "" IX)" >"$F/group.json"
bad_import "an unknown group (JSON)" "$F/group.json" "group.json item 0: invalid group 'IX'"
printf '[{"code":"J-1","name":"Bánh"}]\n' >"$F/column.json"
bad_import "a missing key (JSON)" "$F/column.json" "column.json item 0: missing key 'group'"
printf '[{"code":"NO-SUCH","decision_no":"9","revoked_on":"2026-01-01","ground":"b","note":""}]\n' >"$F/unknown.json"
bad_import "a revocation of an unknown product (JSON)" "$F/unknown.json" "unknown.json item 0: unknown product code 'NO-SUCH'"
printf '[{"code":"J\xff","name":"x"}]\n' >"$F/utf8.json"
bad_import "invalid UTF-8 (JSON)" "$F/utf8.json" "utf8.json line 1"
printf '[%s,\n' "$(json_rec J-1 4 2026-01-05 "" I)" >"$F/syntax.json"
bad_import "malformed JSON" "$F/syntax.json" "syntax.json line 2"

test_begin "registry: missing file and usage"
expect_rc 66 "$OCOP" registry import "$F/nope.csv"
expect_contains "$E2E_DIR/last.err" "cannot read registry file"
expect_rc 64 "$OCOP" registry import
expect_rc 64 "$OCOP" registry frobnicate
expect_rc 0 "$OCOP" registry --help
expect_contains "$E2E_DIR/last.out" "code,decision_no,revoked_on,ground,note"
expect_rc 0 "$OCOP" registry import --help

test_begin "registry: CRLF, BOM and JSON files import"
printf '\xef\xbb\xbf%s\r\n%s\r\n' "$HDR" "$GOOD" >"$F/crlf.csv"
expect_rc 0 "$OCOP" registry import "$F/crlf.csv"
expect_contains "$E2E_DIR/last.err" "imported 1 product, 1 recognition (0 unchanged)"
expect_rc 0 "$OCOP" product show NEW-1 --json
expect_eq "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["producer"]["address"])' "$E2E_DIR/last.out")" \
	"xã Tân Khánh Đông, Sa Đéc" "address kept as written"
printf '[%s]\n' "$(json_rec J-1 4 2026-01-05 8936045120019 ii)" >"$F/ok.json"
expect_rc 65 "$OCOP" registry import "$F/ok.json" # that GTIN is taken
expect_contains "$E2E_DIR/last.err" "already belongs to product '87-30571-001-2019'"
printf '[%s]\n' "$(json_rec J-1 4 2026-01-05 "" ii)" >"$F/ok.json"
expect_rc 0 "$OCOP" registry import "$F/ok.json"
expect_rc 0 "$OCOP" product show J-1 --json
expect_eq "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["group"])' "$E2E_DIR/last.out")" II "group"
before=$(dump)
expect_rc 0 "$OCOP" registry import "$F/ok.json"
expect_eq "$(dump)" "$before" "dump after JSON re-import"

test_begin "product list: aligned table with status as of today"
expect_rc 0 "$OCOP" product list
out="$E2E_DIR/last.out"
expect_eq "$(wc -l <"$out")" 33 "lines (header + 32 products)"
expect_contains "$out" "MÃ/CODE"
expect_contains "$E2E_DIR/last.err" "32 products on 2026-11-28: 21 in force, 4 expired, 7 revoked"
# the status column starts at the same display column on every line
cols=$($PY - "$out" <<'EOF'
import sys, unicodedata
cols = set()
for line in open(sys.argv[1], encoding="utf-8"):
    for word in ("in_force", "expired", "revoked", "TÌNH TRẠNG/STATUS"):
        i = line.find(word)
        if i >= 0:
            cols.add(sum(1 for ch in line[:i] if not unicodedata.combining(ch)))
            break
print(len(cols))
EOF
)
expect_eq "$cols" 1 "distinct start columns of the status column"
line=$(grep '^87-30583-001-2020 ' "$out")
case $line in *"Nem Lai Vung Út Mười"*in_force*2027-03-11) ;; *) fail "nem row: $line" ;; esac

test_begin "product list --status and --json"
expect_rc 0 "$OCOP" product list --status revoked
expect_eq "$(tail -n +2 "$E2E_DIR/last.out" | awk '{print $1}' | sort | tr '\n' ' ')" \
	"87-29881-001-2023 87-29905-002-2021 87-30001-001-2022 87-30070-001-2020 87-30100-001-2022 87-30310-002-2022 87-30460-002-2022 " \
	"revoked products"
expect_rc 0 "$OCOP" product list --status expired
expect_eq "$(tail -n +2 "$E2E_DIR/last.out" | awk '{print $1}' | tr '\n' ' ')" \
	"87-30010-001-2020 87-30070-002-2021 87-30319-002-2021 87-30520-001-2023 " \
	"expired products"
expect_rc 64 "$OCOP" product list --status lapsed
expect_rc 0 "$OCOP" product list --json
got=$($PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = {p["code"]: p["status"] for p in d["entries"]}
print(d["as_of"], len(d["entries"]), s["87-30571-001-2019"], s["87-30319-002-2021"], s["87-29881-001-2023"],
      [p for p in d["entries"] if p["code"] == "87-30310-001-2019"][0]["recognition"]["stars"])
' "$E2E_DIR/last.out")
expect_eq "$got" "2026-11-28 32 in_force expired revoked 5" "JSON list"
expect_rc 0 "$OCOP" product list --as-of 2026-06-01 --status in_force
expect_contains "$E2E_DIR/last.out" "87-29881-001-2023"

test_begin "product show: history, text and JSON"
expect_rc 0 "$OCOP" product show 87-29932-001-2021
out="$E2E_DIR/last.out"
expect_contains "$out" "Mắm cá linh Hồng Ngự"
expect_contains "$out" "720/QĐ-UBND"
expect_contains "$out" "thu hồi / revoked on 2022-06-10"
expect_contains "$out" "1990/QĐ-UBND"
expect_contains "$out" "in_force"
expect_rc 0 "$OCOP" product show 87-30208-001-2020 --json
got=$($PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["recognitions"]
print(d["code"], d["status"], d["gtin"], len(r), r[1]["valid_until"], r[1]["in_force"], r[0]["end"])
' "$E2E_DIR/last.out")
expect_eq "$got" "87-30208-001-2020 in_force 08935087410034 2 2026-12-31 True 2023-10-27" "JSON show"
expect_rc 0 "$OCOP" product show 87-30310-002-2022 --json
got=$($PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["status"], d["recognition"]["ground"], d["recognition"]["revoked_on"], d["revocations"][0]["decision_no"])
' "$E2E_DIR/last.out")
expect_eq "$got" "revoked lapsed 2025-10-20 1675/QĐ-UBND-HC" "JSON show of a lapsed revocation"
expect_rc 65 "$OCOP" product show NO-SUCH
expect_contains "$E2E_DIR/last.err" "unknown product 'NO-SUCH'"
expect_rc 64 "$OCOP" product show
expect_rc 0 "$OCOP" product --help

test_end
