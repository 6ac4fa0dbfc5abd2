#!/usr/bin/env bash
# The five inspector reports as HTML pages in a real browser (headless
# Chromium at 1280 px): a SPARSE data set (a dozen scans over a year,
# some without a place) and a DENSE one (thousands of scans of forty
# products in sixty places over two years). Each page is loaded through
# GET /api/v1/reports/{name}?format=html, checked by axe-core for WCAG 2.1
# A/AA (tests/browser/check.mjs) and screenshot; its DOM is checked for
# words, local times, charts named for assistive technology, and chart
# labels that stay inside their picture. Set OCOP_SCREENSHOT_DIR to keep
# the screenshots for a look.
. "$(dirname "$0")/lib.sh"

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CHECK=$ROOT/tests/browser/check.mjs
FIT=$ROOT/tests/browser/svg_fit.mjs
SHOTS=${OCOP_SCREENSHOT_DIR:-$E2E_DIR/shots}
PY=/usr/bin/python3
REPORTS="circulation lapsed expiring clones unknown"
export OCOP_NOW=2026-03-01T10:00:00+07:00
AS_OF=2026-03-01
mkdir -p "$SHOTS"

serial() { # serial DIR N: the Nth label of an issue
	sed -n "$(($2 + 1))p" "$1/labels.csv" | cut -d, -f1
}
issue() { # issue CODE COUNT DAY DIR
	OCOP_NOW="$3T10:00:00+07:00" expect_rc 0 "$OCOP" label issue "$1" \
		--count "$2" --format csv --out "$E2E_DIR/$4"
}
post_scans() { # post_scans FILE: POST a batch as the inspector
	local code
	code=$(curl -s -o "$E2E_DIR/body" -w '%{http_code}' -X POST \
		"$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" \
		-H 'Content-Type: application/json' --data-binary @"$1")
	expect_eq "$code" 200 "scans posted ($(head -c 300 "$E2E_DIR/body"))"
}

# look SET: every report of the running server in the browser
look() {
	local set=$1 r out
	for r in $REPORTS; do
		test_begin "reports in a browser: $set $r"
		out="$E2E_DIR/$set-$r.html"
		expect_eq "$(curl -s -o "$out" -w '%{http_code}' \
			-H "Authorization: Bearer $INSPECTOR" \
			"$BASE/api/v1/reports/$r?as_of=$AS_OF&format=html")" 200 "GET $r"
		node "$CHECK" --url "$BASE/api/v1/reports/$r?as_of=$AS_OF&format=html" \
			--header "Authorization: Bearer $INSPECTOR" \
			--width 1280 --height 1400 --axe \
			--screenshot "$SHOTS/$set-$r.png" --full-page --dom "$E2E_DIR/$set-$r.dom" \
			>"$E2E_DIR/check.out" 2>&1 ||
			fail "$set $r: $(head -c 1500 "$E2E_DIR/check.out")"
		[ -s "$SHOTS/$set-$r.png" ] || fail "$set $r: no screenshot"
		# no label, legend or note of a chart runs out of its picture
		node "$FIT" --url "$BASE/api/v1/reports/$r?as_of=$AS_OF&format=html" \
			--header "Authorization: Bearer $INSPECTOR" --width 1280 \
			--min-texts "$(grep -c '<svg' "$out")" >"$E2E_DIR/fit.out" 2>&1 ||
			fail "$set $r: $(head -c 1500 "$E2E_DIR/fit.out")"
		# the page as people read it: words and local dates, a chart
		# named for assistive technology or a sentence saying there is
		# nothing to chart, no machine names in the table's text
		$PY - "$E2E_DIR/$set-$r.dom" "$r" >"$E2E_DIR/dom.out" <<'EOF'
import re, sys, html.parser
page = open(sys.argv[1], encoding="utf-8").read()
name = sys.argv[2]
bad = []
if '<html lang="vi"' not in page: bad.append("no lang=vi")
if not re.search(r"<title>[^<]+</title>", page): bad.append("no title")
charts = page.count('role="img"')
if charts == 0 and 'class="none"' not in page: bad.append("no chart and no 'no data'")
for m in re.finditer(r'<svg[^>]*role="img"[^>]*>', page):
    if "aria-labelledby" not in m.group(0): bad.append("svg without a name")
class T(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.td = 0; s.text = []
    def handle_starttag(s, tag, a):
        if tag == "td": s.td += 1
    def handle_endtag(s, tag):
        if tag == "td": s.td -= 1
    def handle_data(s, x):
        if s.td: s.text.append(x.strip())
t = T(); t.feed(page)
for x in t.text:
    if re.fullmatch(r"\d{4}-\d\d-\d\d(T.*)?", x): bad.append("ISO date shown: " + x)
    if x in ("revoked", "expired", "star_mismatch", "open", "closed", "not_open", "not_found", "?"):
        bad.append("machine word shown: " + x)
print("\n".join(bad))
EOF
		grep -q . "$E2E_DIR/dom.out" && fail "$set $r: $(cat "$E2E_DIR/dom.out")"
	done
}

test_begin "reports in a browser: tools"
command -v node >/dev/null || fail "node is not installed (make deps)"
[ -f "$CHECK" ] && [ -f "$FIT" ] || fail "no browser check at $CHECK"
[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] ||
	fail "npm packages of tests/browser are not installed (make deps)"

# ---- sparse: a dozen scans over a year ---------------------------------
test_begin "reports in a browser: sparse data"
cat >"$E2E_DIR/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
87-001-0001-2022,Mắm cá linh kho tiêu đặc sản mùa nước nổi Hồng Ngự loại đặc biệt hũ thủy tinh 500 g,I,,Hợp tác xã Nông nghiệp và Dịch vụ Thủy sản Thường Thới Tiền,HTX,Đồng Tháp,Hồng Ngự,4,120/QĐ-UBND-HC,2023-03-01,UBND tỉnh Đồng Tháp,
87-002-0002-2021,Xoài cát Hòa Lộc,I,,HTX Xoài Mỹ Xương,HTX,Đồng Tháp,Cao Lãnh,4,210/QĐ-UBND-HC,2021-06-01,UBND tỉnh Đồng Tháp,
87-003-0003-2022,Nem Lai Vung,I,,DN Nem Bà Út,DN,Đồng Tháp,Lai Vung,4,300/QĐ-UBND-HC,2022-01-10,UBND tỉnh Đồng Tháp,
87-003-0003-2022,Nem Lai Vung,I,,DN Nem Bà Út,DN,Đồng Tháp,Lai Vung,3,301/QĐ-UBND-HC,2025-01-10,UBND tỉnh Đồng Tháp,
87-004-0004-2021,Bánh phồng tôm Sa Giang,I,,Hộ kinh doanh Nguyễn Văn Bé,hộ,Đồng Tháp,Sa Đéc,3,400/QĐ-UBND-HC,2021-09-01,UBND tỉnh Đồng Tháp,
87-005-0005-2023,Trà sen Tháp Mười,II,,HTX Sen Tháp Mười,HTX,Đồng Tháp,Tháp Mười,4,500/QĐ-UBND-HC,2023-07-01,UBND tỉnh Đồng Tháp,
87-006-0006-2023,Gạo hữu cơ ST25 Tràm Chim,I,,HTX Gạo Tràm Chim,HTX,Đồng Tháp,Tam Nông,3,600/QĐ-UBND-HC,2023-05-15,UBND tỉnh Đồng Tháp,
87-007-0007-2024,Hủ tiếu Sa Đéc,I,,HTX Hủ tiếu Sa Đéc,HTX,Đồng Tháp,Sa Đéc,5,700/QĐ-BNN-VPĐP,2024-01-20,Bộ Nông nghiệp và PTNT,
EOF
cat >"$E2E_DIR/rev.csv" <<'EOF'
code,decision_no,revoked_on,ground,note
87-001-0001-2022,55/QĐ-UBND,2025-06-01,c,vi phạm an toàn thực phẩm
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/rev.csv"
issue 87-001-0001-2022 2 2024-02-01 rev
issue 87-002-0002-2021 2 2023-01-01 exp
issue 87-003-0003-2022 2 2024-03-01 star
issue 87-004-0004-2021 1 2023-01-01 lap
issue 87-007-0007-2024 1 2024-03-01 cln
INSPECTOR=$("$OCOP" token create --role inspector)
[ -n "$INSPECTOR" ] || fail "no inspector token"
start_server --rate-limit 0
REV_A=$(serial "$E2E_DIR/rev" 1)
REV_B=$(serial "$E2E_DIR/rev" 2)
EXP_A=$(serial "$E2E_DIR/exp" 1)
STAR_A=$(serial "$E2E_DIR/star" 1)
STAR_B=$(serial "$E2E_DIR/star" 2)
LAP_A=$(serial "$E2E_DIR/lap" 1)
CLN_A=$(serial "$E2E_DIR/cln" 1)
n=0
item() { # item CODE DAY PLACE
	n=$((n + 1))
	printf '%s{"id":"s%d","code":"%s","scanned_at":"%sT%02d:1%d:00+07:00"%s}' \
		"$([ $n -gt 1 ] && echo ,)" "$n" "$1" "$2" $((8 + n % 9)) $((n % 6)) \
		"$([ -n "$3" ] && printf ',"place":"%s","province":"87"' "$3")"
}
{
	echo '{"scans":['
	item "$EXP_A" 2025-03-14 "Chợ Cao Lãnh"
	item "$STAR_A" 2025-05-02 "Siêu thị Co.opmart Sa Đéc"
	item "$REV_A" 2025-06-20 "Chợ Hồng Ngự"
	item "$REV_B" 2025-07-05 ""
	item "$EXP_A" 2025-08-18 "Chợ Bến Thành, Quận 1, TP. Hồ Chí Minh"
	item "$LAP_A" 2025-09-09 "Chợ nổi Cái Răng"
	item "ZZZZ-ZZZZ-ZZZZ-ZZZZ" 2025-10-30 "Chợ Lớn"
	item "$CLN_A" 2025-11-15 "Chợ Cao Lãnh"
	item "$CLN_A" 2025-11-17 "Chợ Bến Thành, Quận 1, TP. Hồ Chí Minh"
	item "$CLN_A" 2025-11-19 "Cần Thơ"
	item "$REV_A" 2026-01-12 "Chợ Hồng Ngự"
	echo ']}'
} >"$E2E_DIR/scans.json"
post_scans "$E2E_DIR/scans.json"
# a shopper's scan: no place
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/L/$STAR_B")" 200 "consumer scan"
expect_rc 0 "$OCOP" report circulation --as-of $AS_OF
cp "$E2E_DIR/last.out" "$SHOTS/sparse-circulation.txt"
expect_contains "$E2E_DIR/last.out" "bị thu hồi (revoked)"
expect_contains "$E2E_DIR/last.out" "c) vi phạm chất lượng"
expect_contains "$E2E_DIR/last.out" "Người tiêu dùng quét (không có địa điểm) / consumer scan, no place (1)"
for r in lapsed expiring clones unknown; do
	"$OCOP" report $r --as-of $AS_OF --within 200 >"$SHOTS/sparse-$r.txt" 2>&1 ||
		"$OCOP" report $r --as-of $AS_OF >"$SHOTS/sparse-$r.txt" 2>&1 ||
		fail "report $r"
done
look sparse
expect_contains "$E2E_DIR/sparse-circulation.dom" "01/2026"
expect_contains "$E2E_DIR/sparse-circulation.dom" "Người tiêu dùng quét (không có địa điểm)"
expect_contains "$E2E_DIR/sparse-expiring.dom" "đang trong hạn nộp hồ sơ"
stop_server

# ---- dense: thousands of scans, forty products, sixty places ------------
test_begin "reports in a browser: dense data"
rm -f "$OCOP_DB"
export OCOP_DB="$E2E_DIR/dense.db"
$PY - "$E2E_DIR" <<'EOF'
import random, sys
d = sys.argv[1]
rnd = random.Random(11)
names = ["Mắm cá linh", "Xoài cát Hòa Lộc", "Nem Lai Vung", "Bánh phồng tôm Sa Giang",
         "Trà sen Tháp Mười", "Gạo hữu cơ ST25", "Hủ tiếu Sa Đéc", "Khô cá lóc",
         "Rượu nếp than Phú Thịnh đóng chai thủy tinh 750 ml loại thượng hạng",
         "Mật ong hoa tràm U Minh", "Bưởi da xanh", "Chả lụa Cái Bè"]
with open(d + "/dreg.csv", "w") as f, open(d + "/drev.csv", "w") as r, open(d + "/dcodes", "w") as c:
    f.write("code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until\n")
    r.write("code,decision_no,revoked_on,ground,note\n")
    grounds = ["a", "b", "c", "d", "dd", "e", "lapsed"]
    for i in range(40):
        code = "87-%03d-%04d-2022" % (i + 1, i + 1)
        name = "%s %d" % (names[i % len(names)], i + 1)
        y = 2021 + i % 3
        m = 1 + i % 12
        f.write('%s,%s,I,,HTX số %d,HTX,Đồng Tháp,Xã %d,%d,%d/QĐ-UBND,%d-%02d-10,UBND tỉnh Đồng Tháp,\n'
                % (code, name, i + 1, i + 1, 3 + i % 3, 100 + i, y, m))
        if i % 5 == 4:  # a lower rating later: star mismatch
            f.write('%s,%s,I,,HTX số %d,HTX,Đồng Tháp,Xã %d,3,%d/QĐ-UBND,2025-%02d-15,UBND tỉnh Đồng Tháp,\n'
                    % (code, name, i + 1, i + 1, 500 + i, 1 + i % 12))
        if i % 4 == 1:
            r.write("%s,%d/QĐ-UBND,2025-%02d-01,%s,\n" % (code, 900 + i, 1 + i % 12, grounds[i % 7]))
        c.write("%s %d-01-%02d\n" % (code, y, m))
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/dreg.csv"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/drev.csv"
INSPECTOR=$("$OCOP" token create --role inspector)
while read -r code day; do
	issue "$code" 30 "$(echo "$day" | cut -c1-4)-12-20" "d-$code"
done <"$E2E_DIR/dcodes"
cat "$E2E_DIR"/d-*/labels.csv | grep -v '^serial' | cut -d, -f1 >"$E2E_DIR/dserials"
start_server --rate-limit 0
$PY - "$E2E_DIR" <<'EOF'
import json, random, sys
d = sys.argv[1]
rnd = random.Random(7)
serials = [l.strip() for l in open(d + "/dserials") if l.strip()]
places = ["Chợ %s" % p for p in ["Cao Lãnh", "Sa Đéc", "Hồng Ngự", "Lai Vung", "Tháp Mười",
          "Bến Thành", "Lớn", "Bình Tây", "Cái Răng", "Ninh Kiều", "Long Xuyên", "Mỹ Tho",
          "Vĩnh Long", "Trà Vinh", "Bến Tre", "Tân An", "Rạch Giá", "Cà Mau", "Sóc Trăng",
          "Bạc Liêu"]] + ["Siêu thị Co.opmart %d" % i for i in range(20)] + \
         ["Cửa hàng đặc sản miền Tây số %d, đường Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh" % i for i in range(19)] + [""]
items = []
for k in range(4000):
    day = rnd.randrange(0, 730)
    y, rest = (2024, day) if day < 366 else (2025, day - 366)
    import datetime
    dt = datetime.date(2024, 3, 1) + datetime.timedelta(days=day)
    s = rnd.choice(serials[: len(serials) * 2 // 3]) if rnd.random() < .8 else rnd.choice(serials)
    it = {"id": "d%d" % k, "code": s, "scanned_at": "%sT%02d:%02d:00+07:00" % (dt.isoformat(), 7 + k % 12, k % 60)}
    p = rnd.choice(places)
    if p:
        it["place"] = p
        it["province"] = "87"
    items.append(it)
for k in range(60):
    dt = datetime.date(2024, 6, 1) + datetime.timedelta(days=rnd.randrange(0, 600))
    items.append({"id": "u%d" % k, "code": "ZZZZ-ZZZZ-ZZZZ-%04d" % (k % 7), "scanned_at": dt.isoformat() + "T12:00:00+07:00", "place": rnd.choice(places[:30])})
for b in range(0, len(items), 1000):
    json.dump({"scans": items[b:b + 1000]}, open("%s/dscans%02d.json" % (d, b // 1000), "w"))
EOF
for f in "$E2E_DIR"/dscans*.json; do
	post_scans "$f"
done
look dense
stop_server
test_end
