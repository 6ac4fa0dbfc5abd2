#!/usr/bin/env bash
# The consumer pages in a real browser (headless Chromium through the
# shared tests/browser/check.mjs) at a phone's size, 390x844: the rendered
# DOM carries what a shopper must see in the page's language, a screenshot
# is made, and axe-core finds no WCAG 2.1 A/AA violation. Set
# OCOP_SCREENSHOT_DIR to keep the screenshots and DOMs for a look.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-06-01T10:00:00+07:00
OPERATOR="Văn phòng Điều phối nông thôn mới tỉnh Đồng Tháp"
CONTACT="Đường dây nóng 0277 3851 234"

# png_size FILE: "WIDTHxHEIGHT" from the PNG header
png_size() {
	/usr/bin/python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(24)
assert d[:8]==b"\x89PNG\r\n\x1a\n", "not a PNG"
w,h=struct.unpack(">II",d[16:24]); print("%dx%d"%(w,h))' "$1"
}

test_begin "browser setup"
command -v chromium >/dev/null || fail "chromium is not installed (make deps)"
command -v node >/dev/null || fail "node is not installed (make deps)"
[ -d "$(dirname "$BROWSER_CHECK")/node_modules/playwright-core" ] ||
	fail "the browser tests' npm packages are not installed (make deps)"
cat >"$E2E_DIR/reg.csv" <<'CSV'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
BRW-1,Xoài cát Hòa Lộc <b>loại 1</b>,I,,HTX Xoài Mỹ Xương,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-01-10,UBND tỉnh Đồng Tháp,
BRW-2,Nem Lai Vung,I,,DN Nem Lai Vung,DN,Đồng Tháp,Lai Vung,4,200/QĐ-UBND,2024-01-10,UBND tỉnh Đồng Tháp,
BRW-3,Bánh phồng tôm Sa Giang,I,,Hộ Nguyễn Văn Bé,hộ,Đồng Tháp,Phường 2,3,100/QĐ-UBND,2020-01-10,UBND huyện Cao Lãnh,
CSV
cat >"$E2E_DIR/rev.csv" <<'CSV'
code,decision_no,revoked_on,ground,note
BRW-2,55/QĐ-UBND,2025-06-01,c,
CSV
expect_rc 0 "$OCOP" init --operator "$OPERATOR" --contact "$CONTACT"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv" "$E2E_DIR/rev.csv"
expect_rc 0 "$OCOP" label issue BRW-1 --count 1 --lot L2406A --made 2026-05-20 \
	--best-before 2027-05-20 --format csv --out "$E2E_DIR/v"
OCOP_NOW=2025-01-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue BRW-2 \
	--count 1 --format csv --out "$E2E_DIR/r"
OCOP_NOW=2021-06-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue BRW-3 \
	--count 1 --format csv --out "$E2E_DIR/e"
VALID=$(sed -n 2p "$E2E_DIR/v/labels.csv" | cut -d, -f1)
REVOKED=$(sed -n 2p "$E2E_DIR/r/labels.csv" | cut -d, -f1)
EXPIRED=$(sed -n 2p "$E2E_DIR/e/labels.csv" | cut -d, -f1)
expect_rc 0 "$OCOP" label issue BRW-1 --count 1 --format csv --out "$E2E_DIR/c"
COPIED=$(sed -n 2p "$E2E_DIR/c/labels.csv" | cut -d, -f1)
start_server --rate-limit 0 || exit 1
# the same serial scanned in three markets' networks (through the proxy)
for net in 203.0.113.7 198.51.100.20 192.0.2.33; do
	curl -s -o /dev/null -H "X-Forwarded-For: $net" "$BASE/L/$COPIED"
done

# check_page NAME URL STATUS LANG TEXT...: load URL once as a phone set
# to Vietnamese would (the DOM, a 390x844 screenshot, axe), expect STATUS
# and every TEXT in the DOM
check_page() {
	local name=$1 url=$2 status=$3 lang=$4
	shift 4
	browser_check --url "$url" --width 390 --height 844 \
		--header 'Accept-Language: vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7' \
		--status "$status" --dom "$E2E_DIR/$name.html" \
		--screenshot "$E2E_DIR/$name.png" --axe ||
		fail "$url in the browser: $(head -c 1500 "$E2E_DIR/browser.out")"
	grep -q '^axe: no WCAG 2.1 AA violation' "$E2E_DIR/browser.out" ||
		fail "axe did not run on $url"
	[ -s "$E2E_DIR/$name.html" ] || { fail "no DOM for $url"; return; }
	expect_contains "$E2E_DIR/$name.html" "<html lang=\"$lang\">"
	for t in "$@"; do
		expect_contains "$E2E_DIR/$name.html" "$t"
	done
	grep -q '<b>' "$E2E_DIR/$name.html" && fail "markup from the registry was rendered"
	[ -s "$E2E_DIR/$name.png" ] || { fail "no screenshot for $url"; return; }
	expect_eq "$(png_size "$E2E_DIR/$name.png")" 390x844 "screenshot size"
	if [ -n "${OCOP_SCREENSHOT_DIR:-}" ]; then
		mkdir -p "$OCOP_SCREENSHOT_DIR"
		cp "$E2E_DIR/$name.png" "$E2E_DIR/$name.html" "$OCOP_SCREENSHOT_DIR/"
	fi
}

test_begin "home page in the browser, Vietnamese"
check_page home-vi "$BASE/" 200 vi "Kiểm tra tem OCOP" "$OPERATOR" \
	'<form action="/L" method="get">'
test_begin "a typed code of the wrong shape in the browser"
check_page typed-error-vi "$BASE/L?code=7KQ3-M9XH&lang=vi" 400 vi \
	"Mã vừa nhập có 8 ký tự" 'value="7KQ3-M9XH"'
test_begin "a typed code of the right shape reaches its page"
check_page typed-ok-vi "$BASE/L?code=$(echo "$VALID" | tr 'A-Z' 'a-z')&lang=vi" 200 vi \
	"Sản phẩm OCOP hợp lệ"
test_begin "valid label in the browser, Vietnamese"
check_page valid-vi "$BASE/L/$VALID?lang=vi" 200 vi "Sản phẩm OCOP hợp lệ" \
	"Xoài cát Hòa Lộc &lt;b&gt;loại 1&lt;/b&gt;" "★★★★" "Mã này đã được kiểm tra" \
	"$OPERATOR"
test_begin "valid label in the browser, English"
check_page valid-en "$BASE/L/$VALID?lang=en" 200 en "Genuine OCOP product" \
	"This code has been checked"
test_begin "expired label in the browser"
check_page expired-vi "$BASE/L/$EXPIRED?lang=vi" 200 vi "Hết hạn công nhận OCOP" \
	"Bạn nên làm gì" "$CONTACT" "Đã hết hiệu lực, từ ngày 10/01/2023"
test_begin "revoked label in the browser"
check_page revoked-vi "$BASE/L/$REVOKED?lang=vi" 200 vi "Đã bị thu hồi công nhận OCOP" \
	"Bạn nên làm gì" "$CONTACT" "Đã bị thu hồi, từ ngày 01/06/2025"
check_page revoked-en "$BASE/L/$REVOKED?lang=en" 200 en "OCOP recognition revoked"
test_begin "unknown label in the browser"
check_page unknown-vi "$BASE/L/ZZZZZZZZZZZZZZZZ?lang=vi" 404 vi "Không tìm thấy tem" \
	"Đừng mua sản phẩm này" 'value="ZZZZ-ZZZZ-ZZZZ-ZZZZ"'
test_begin "a forged Digital Link in the browser"
check_page forged-dl-vi "$BASE/01/04006381333931/21/ZZZZZZZZZZZZZZZZ" 404 vi \
	"Không tìm thấy tem" "Đừng mua sản phẩm này"
test_begin "a copied label in the browser keeps its verdict and warns"
check_page copied-vi "$BASE/L/$COPIED?lang=vi" 200 vi "Sản phẩm OCOP hợp lệ" \
	"Cảnh báo: tem này có thể bị sao chép" "$CONTACT"
test_begin "an error page in the browser"
check_page notfound-vi "$BASE/khong-co" 404 vi "Không có trang này"

test_begin "browser scans are recorded with the browser family"
# valid-vi, valid-en and typed-ok-vi: one load each
expect_eq "$(db_scans ua --code "$VALID" | grep -c '^chrome$')" 3 "scans"
stop_server
