#!/usr/bin/env bash
# The consumer page in a real browser (headless Chromium) at a phone's
# width: the rendered DOM carries the verdict in the page's language, the
# page has no WCAG 2.1 AA violation that axe-core finds, and a 360x740
# screenshot is made. Set OCOP_SCREENSHOT_DIR to keep the screenshots for
# a look.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-06-01T10:00:00+07:00

# png_size FILE: "WIDTHxHEIGHT" from the PNG header
png_size() {
	/usr/bin/python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(24)
assert d[:8]==b"\x89PNG\r\n\x1a\n", "not a PNG"
w,h=struct.unpack(">II",d[16:24]); print("%dx%d"%(w,h))' "$1"
}

test_begin "browser setup"
command -v chromium >/dev/null || fail "chromium is not installed (make deps)"
[ -d "$(dirname "$BROWSER_CHECK")/node_modules/playwright-core" ] ||
	fail "the browser tests' npm packages are not installed (make deps)"
cat >"$E2E_DIR/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
BRW-1,Xoài cát Hòa Lộc <b>loại 1</b>,I,,HTX Xoài Mỹ Xương,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-01-10,UBND tỉnh Đồng Tháp,
BRW-2,Nem Lai Vung,I,,DN Nem Lai Vung,DN,Đồng Tháp,Lai Vung,4,200/QĐ-UBND,2024-01-10,UBND tỉnh Đồng Tháp,
EOF
cat >"$E2E_DIR/rev.csv" <<'EOF'
code,decision_no,revoked_on,ground,note
BRW-2,55/QĐ-UBND,2025-06-01,c,
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/rev.csv"
expect_rc 0 "$OCOP" label issue BRW-1 --count 1 --lot L2406A --made 2026-05-20 \
	--best-before 2027-05-20 --format csv --out "$E2E_DIR/v"
OCOP_NOW=2025-01-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue BRW-2 \
	--count 1 --format csv --out "$E2E_DIR/r"
VALID=$(sed -n 2p "$E2E_DIR/v/labels.csv" | cut -d, -f1)
REVOKED=$(sed -n 2p "$E2E_DIR/r/labels.csv" | cut -d, -f1)
start_server --rate-limit 0 || exit 1

# check_page NAME URL LANG TEXT...
check_page() {
	local name=$1 url=$2 lang=$3
	shift 3
	local status=200
	case $name in unknown-*) status=404 ;; esac
	browser_check --url "$url" --width 360 --height 740 --status $status \
		--dom "$E2E_DIR/$name.html" --screenshot "$E2E_DIR/$name.png" --axe ||
		fail "$url in the browser: $(head -c 1500 "$E2E_DIR/browser.out")"
	[ -s "$E2E_DIR/$name.html" ] || fail "no DOM for $url"
	expect_contains "$E2E_DIR/$name.html" "<html lang=\"$lang\">"
	for t in "$@"; do
		expect_contains "$E2E_DIR/$name.html" "$t"
	done
	grep -q '<b>' "$E2E_DIR/$name.html" && fail "markup from the registry was rendered"
	[ -s "$E2E_DIR/$name.png" ] || fail "no screenshot for $url"
	expect_eq "$(png_size "$E2E_DIR/$name.png")" 360x740 "screenshot size"
	if [ -n "${OCOP_SCREENSHOT_DIR:-}" ]; then
		mkdir -p "$OCOP_SCREENSHOT_DIR"
		cp "$E2E_DIR/$name.png" "$E2E_DIR/$name.html" "$OCOP_SCREENSHOT_DIR/"
	fi
}

test_begin "valid label in the browser, Vietnamese"
check_page valid-vi "$BASE/L/$VALID?lang=vi" vi "Sản phẩm OCOP hợp lệ" \
	"Xoài cát Hòa Lộc &lt;b&gt;loại 1&lt;/b&gt;" "★★★★" "Mã này đã được kiểm tra"
test_begin "valid label in the browser, English"
check_page valid-en "$BASE/L/$VALID?lang=en" en "Genuine OCOP product" \
	"This code has been checked"
test_begin "revoked label in the browser"
check_page revoked-vi "$BASE/L/$REVOKED?lang=vi" vi "Đã bị thu hồi công nhận OCOP"
check_page revoked-en "$BASE/L/$REVOKED?lang=en" en "OCOP recognition revoked"
test_begin "unknown label in the browser"
check_page unknown-vi "$BASE/L/ZZZZZZZZZZZZZZZZ?lang=vi" vi "Không tìm thấy nhãn"

test_begin "browser scans are recorded with the browser family"
expect_eq "$(sqlite3 "$OCOP_DB" "SELECT count(*) FROM scans WHERE code = '$VALID' AND ua = 'chrome'")" 2 "scans"
stop_server
