#!/usr/bin/env bash
# ocop verify: every code form a label carries, each verdict with its exit
# code, the JSON record of SPEC 5 field by field, bad input (65) and
# mistyped codes (65, distinct from unknown), and that nothing is recorded.
. "$(dirname "$0")/lib.sh"
export OCOP_NOW=2026-06-01T09:00:00+07:00
PY=/usr/bin/python3
D=$E2E_DIR

test_begin "verify: setup"
cat >"$D/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
V-GTIN,Mắm cá linh Hồng Ngự,I,8930000000019,HTX Thủy sản Hồng Ngự,HTX,Đồng Tháp,Hồng Ngự,4,1446/QĐ-UBND-HC,2024-03-01,UBND tỉnh Đồng Tháp,
V-PLAIN,Bánh phồng tôm Sa Giang,I,,Công ty Sa Giang,DN,Đồng Tháp,Sa Đéc,3,100/QĐ-UBND,2025-01-10,UBND tỉnh Đồng Tháp,
V-OTHER,Khô cá lóc,I,8930000000026,HTX Khô cá,HTX,Đồng Tháp,Tân Hồng,3,101/QĐ-UBND,2025-01-10,UBND tỉnh Đồng Tháp,
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$D/reg.csv"
expect_rc 0 "$OCOP" label issue V-GTIN --count 3 --lot L2406A --format csv --made 2026-05-20 --out "$D/g"
BG=$(cat "$D/last.out")
expect_rc 0 "$OCOP" label issue V-PLAIN --count 2 --format csv --out "$D/p"
G=$(sed -n 2p "$D/g/labels.csv" | cut -d, -f1)
GURL=$(sed -n 2p "$D/g/labels.csv" | cut -d, -f2)
P=$(sed -n 2p "$D/p/labels.csv" | cut -d, -f1)
PURL=$(sed -n 2p "$D/p/labels.csv" | cut -d, -f2)
group() { echo "${1:0:4}-${1:4:4}-${1:8:4}-${1:12:4}"; }
lower() { echo "${1,,}"; }

test_begin "verify: valid, Vietnamese first then English, exit 0"
expect_rc 0 "$OCOP" verify "$G"
head -1 "$D/last.out" | grep -q "HỢP LỆ" || fail "first line is not Vietnamese: $(head -1 "$D/last.out")"
expect_contains "$D/last.out" "VALID"
expect_contains "$D/last.out" "Sản phẩm đạt OCOP 4 sao"
expect_contains "$D/last.out" "The product holds a 4-star OCOP recognition"
vi_line=$(grep -n "HỢP LỆ" "$D/last.out" | head -1 | cut -d: -f1)
en_line=$(grep -n "VALID" "$D/last.out" | head -1 | cut -d: -f1)
[ "$vi_line" -lt "$en_line" ] || fail "English before Vietnamese"
expect_contains "$D/last.out" "$(group "$G")"
expect_contains "$D/last.out" "Mắm cá linh Hồng Ngự"

test_begin "verify: every form a label carries"
for code in "$G" "$(lower "$G")" "$(group "$G")" "$(group "$G" | tr - ' ')" \
	"$GURL" "$(lower "$GURL")" \
	"https://ocop.example.vn/01/08930000000019/21/$G" \
	"http://localhost:8080/01/8930000000019/10/l2406a/21/$(group "$G")" \
	"HTTP://LOCALHOST:8080/01/08930000000019/10/L2406A/21/$G/?lang=en" \
	"http://localhost:8080/L/$G" "http://h/l/$(lower "$G")" "/L/$G" \
	"$PURL" "$(lower "$PURL")" "$P"; do
	expect_rc 0 "$OCOP" verify "$code"
done
# I, L and O typed for 1 and 0 are read as such
typed=$(echo "$G" | tr 10 LO)
expect_rc 0 "$OCOP" verify "$typed"

test_begin "verify --json: the record of SPEC 5"
expect_rc 0 "$OCOP" verify --json "$GURL"
$PY - "$D/last.out" "$G" "$BG" <<'EOF' || fail "JSON record"
import json, re, sys
r = json.load(open(sys.argv[1]))
serial, batch = sys.argv[2], int(sys.argv[3])
assert list(r) == ["serial", "verdict", "checked_at", "reason", "label",
                   "product", "recognition", "scans", "suspect_copy"], list(r)
assert r["suspect_copy"] is False, r["suspect_copy"]
assert r["serial"] == serial and r["verdict"] == "valid"
assert r["reason"] == "in_force", r["reason"]
assert r["checked_at"] == "2026-06-01T09:00:00+07:00", r["checked_at"]
l = r["label"]
assert list(l) == ["printed_stars", "lot", "batch", "issued_at", "made_on",
                   "best_before", "voided_at"], list(l)
assert l["printed_stars"] == 4 and l["lot"] == "L2406A" and l["batch"] == batch
assert l["issued_at"] == "2026-06-01T09:00:00+07:00"
assert l["made_on"] == "2026-05-20" and l["best_before"] is None
assert l["voided_at"] is None
p = r["product"]
assert list(p) == ["code", "name", "group", "gtin", "producer"], list(p)
assert p["code"] == "V-GTIN" and p["name"] == "Mắm cá linh Hồng Ngự"
assert p["group"] == "I" and p["gtin"] == "08930000000019"
assert p["producer"] == {"name": "HTX Thủy sản Hồng Ngự", "kind": "HTX",
                         "province": "Đồng Tháp"}, p["producer"]
c = r["recognition"]
assert list(c) == ["stars", "decision_no", "decided_on", "issuer",
                   "valid_from", "valid_until", "extended_until",
                   "revoked_on", "ground"], list(c)
assert c["stars"] == 4 and c["decision_no"] == "1446/QĐ-UBND-HC"
assert c["decided_on"] == "2024-03-01" and c["valid_from"] == "2024-03-01"
assert c["valid_until"] == "2027-02-28" and c["issuer"] == "UBND tỉnh Đồng Tháp"
assert c["extended_until"] is None and c["revoked_on"] is None
assert c["ground"] is None
assert r["scans"] == {"count": 0, "first_at": None}, r["scans"]
EOF
# a product without GTIN: gtin and lot are null
expect_rc 0 "$OCOP" verify --json "$P"
$PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["product"]["gtin"] is None and r["label"]["lot"] is None
assert r["label"]["printed_stars"] == 3
' "$D/last.out" || fail "nulls for a product without GTIN or lot"

test_begin "verify: unknown and wrong product exit 1 with the short record"
unknown=000000000000000
unknown=$unknown$($PY -c '
a = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
s = "000000000000000"
print(a[sum((2*i+1)*a.index(c) for i, c in enumerate(s)) % 32])')
expect_rc 1 "$OCOP" verify "$unknown"
expect_contains "$D/last.out" "KHÔNG XÁC ĐỊNH"
expect_rc 1 "$OCOP" verify --json "$unknown"
expect_eq "$($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sorted(r), r["verdict"], r["reason"])' "$D/last.out")" \
	"['checked_at', 'reason', 'serial', 'verdict'] unknown not_found" "unknown record"
# a genuine serial under another product's GTIN, or another lot
for url in "http://h/01/08930000000026/21/$G" "http://h/01/08930000000019/10/L2406B/21/$G" \
	"http://h/01/08930000000026/21/$P"; do
	expect_rc 1 "$OCOP" verify --json "$url"
	expect_eq "$($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r), r["verdict"], r["reason"])' "$D/last.out")" \
		"4 unknown wrong_product" "record of $url"
done
# a well-formed Digital Link serial that is not ours
expect_rc 1 "$OCOP" verify --json "http://h/01/08930000000019/21/ABC123"
expect_contains "$D/last.out" '"serial":"ABC123"'

test_begin "verify: mistyped is exit 65 and says so, distinct from unknown"
last=${G:15:1}
bad=${G:0:15}$([ "$last" = 0 ] && echo 1 || echo 0)
expect_rc 65 "$OCOP" verify "$bad"
expect_contains "$D/last.err" "mistyped"
expect_rc 65 "$OCOP" verify "http://h/L/$bad"
expect_contains "$D/last.err" "mistyped"
expect_rc 65 "$OCOP" verify --json "$bad"
expect_contains "$D/last.out" '"reason":"mistyped"'
# every single substitution of the serial is caught the same way
n=0
for i in 0 5 10 15; do
	c=${G:$i:1}
	sub=$([ "$c" = Z ] && echo Y || echo Z)
	expect_rc 65 "$OCOP" verify "${G:0:$i}$sub${G:$((i + 1))}"
	n=$((n + 1))
done
expect_eq "$n" 4 "substitutions tried"

test_begin "verify: bad input is exit 65"
expect_rc 65 "$OCOP" verify ABC
expect_rc 65 "$OCOP" verify "$G"X
expect_rc 65 "$OCOP" verify "http://h/P/08930000000019"
expect_rc 65 "$OCOP" verify "http://h/01/08930000000018/21/$G"
expect_rc 65 "$OCOP" verify "http://h/01/08930000000019/22/X/21/$G"
expect_rc 65 "$OCOP" verify "http://h/01/08930000000019/21/$G/10/L2406A"
expect_rc 65 "$OCOP" verify "http://h/01/08930000000019"
expect_contains "$D/last.err" "names a product"
expect_rc 65 "$OCOP" verify "$G" --at 2026-06-01T08:59:59+07:00
expect_contains "$D/last.err" "before label"
expect_rc 65 "$OCOP" verify "$G" --at 2026-07-01T09:00:00
expect_contains "$D/last.err" "offset"
expect_rc 65 "$OCOP" verify "$G" --at yesterday
expect_rc 64 "$OCOP" verify
expect_rc 64 "$OCOP" verify "$G" "$P"
expect_rc 0 "$OCOP" verify --help
expect_contains "$D/last.out" "usage: ocop verify"

test_begin "verify: expired, revoked and star_mismatch at later times"
expect_rc 1 "$OCOP" verify --json "$G" --at 2027-03-01T00:00:00+07:00
expect_contains "$D/last.out" '"verdict":"expired"'
expect_rc 1 "$OCOP" verify "$G" --at 2027-03-01T00:00:00+07:00
expect_contains "$D/last.out" "hết hạn công nhận OCOP từ ngày 01/03/2027"
expect_contains "$D/last.out" "expired on 2027-03-01"
# the last day in force is still valid, in Vietnam time
expect_rc 0 "$OCOP" verify "$G" --at 2027-02-28T16:59:59Z
expect_rc 1 "$OCOP" verify "$G" --at 2027-02-28T17:00:00Z
expect_rc 0 "$OCOP" cert revoke V-PLAIN --decision 9/QĐ-UBND --date 2026-07-01 --ground d
expect_rc 0 "$OCOP" verify "$P" --at 2026-06-30T23:59:59+07:00
expect_rc 1 "$OCOP" verify --json "$P" --at 2026-07-01T00:00:00+07:00
expect_contains "$D/last.out" '"verdict":"revoked"'
expect_contains "$D/last.out" '"revoked_on":"2026-07-01"'
expect_contains "$D/last.out" '"ground":"d"'
expect_rc 1 "$OCOP" verify "$P" --at 2026-07-02T00:00:00+07:00
expect_contains "$D/last.out" "sử dụng sai biểu trưng OCOP"
expect_contains "$D/last.out" "misuse of the OCOP mark"
expect_rc 0 "$OCOP" cert grant V-GTIN --stars 3 --decision 500/QĐ-UBND --date 2026-08-01
expect_rc 0 "$OCOP" verify "$G" --at 2026-07-31T12:00:00+07:00
expect_rc 1 "$OCOP" verify --json "$G" --at 2026-08-02T12:00:00+07:00
expect_contains "$D/last.out" '"verdict":"star_mismatch"'
expect_contains "$D/last.out" '"printed_stars":4'
expect_contains "$D/last.out" '"stars":3'

test_begin "verify: records nothing"
expect_eq "$(db_rows scans)" 0 "scans stored"
