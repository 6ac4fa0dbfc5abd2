#!/usr/bin/env bash
# A producer uses the console in a real browser on a phone's screen
# (tests/browser/console_producer.mjs, 360x740): setup link, sign-in, its
# products only, a batch issued from the form, its labels.pdf downloaded;
# axe-core finds no WCAG 2.1 AA violation on any page; then every code in
# the downloaded PDF decodes (pdftoppm + zbarimg) to the URL of its row in
# the batch's manifest. Set OCOP_SCREENSHOT_DIR to keep the screenshots of
# the dashboard, the issue form and the batch page.
. "$(dirname "$0")/lib.sh"

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PY=/usr/bin/python3
SHOTS=${OCOP_SCREENSHOT_DIR:-$E2E_DIR/shots}
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

test_begin "console browser setup"
command -v chromium >/dev/null || fail "chromium is not installed (make deps)"
[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] ||
	fail "the browser tests' npm packages are not installed (make deps)"
cat >"$E2E_DIR/reg.csv" <<'CSV'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
CB-1,Mật ong hoa nhãn Cao Lãnh,I,08935339000648,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
CB-2,Phấn hoa Cao Lãnh,I,,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,3,1447/QĐ-UBND-HC,2025-01-20,UBND tỉnh Đồng Tháp,2026-01-19
CB-3,Trà sen Tháp Mười,II,,Công ty TNHH Sen Việt,DN,Đồng Tháp,Xã Mỹ Hòa,3,498/QĐ-UBND-HC,2025-04-19,UBND tỉnh Đồng Tháp,
CSV
expect_rc 0 "$OCOP" init --base-url "http://127.0.0.1:$PORT" --operator "Văn phòng Điều phối nông thôn mới tỉnh Đồng Tháp"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" label issue CB-1 --count 6 --format csv --out "$E2E_DIR/old"
expect_rc 0 "$OCOP" user add 0912345678 --role producer --producer CB-1 --name "Nguyễn Thị Hoa"
LINK=$(cat "$E2E_DIR/last.out")
start_server --listen "127.0.0.1:$PORT" || exit 1

test_begin "console in a browser: a producer on a phone"
timeout 180 node "$ROOT/tests/browser/console_producer.mjs" --setup "$LINK" \
	--login 0912345678 --password 'mật khẩu của Hoa' \
	--own "Mật ong hoa nhãn Cao Lãnh" --other "Trà sen Tháp Mười" \
	--out "$E2E_DIR/dl" --shots "$SHOTS" >"$E2E_DIR/browser.out" 2>&1
rc=$?
grep '^FAIL' "$E2E_DIR/browser.out" | while read -r line; do echo "  $line"; done
[ "$rc" -eq 0 ] || fail "the browser run failed ($rc): $(grep -v '^PASS' "$E2E_DIR/browser.out" | head -c 2000)"
grep -q '^PASS no\|PASS dashboard: no WCAG' "$E2E_DIR/browser.out" || fail "axe did not run"
for s in console-dashboard-360 console-issue-360 console-batch-360; do
	[ -s "$SHOTS/$s.png" ] || fail "no screenshot $s"
done

test_begin "console in a browser: every code of the downloaded PDF is in the manifest"
[ -s "$E2E_DIR/dl/labels.pdf" ] || fail "no labels.pdf downloaded"
expect_eq "$(tail -n +2 "$E2E_DIR/dl/labels.csv" | wc -l)" 24 "manifest rows"
mkdir -p "$E2E_DIR/pages"
pdftoppm -r 300 -png "$E2E_DIR/dl/labels.pdf" "$E2E_DIR/pages/p" || fail "pdftoppm"
zbarimg -q --raw "$E2E_DIR"/pages/p-*.png 2>/dev/null | sort >"$E2E_DIR/decoded"
tail -n +2 "$E2E_DIR/dl/labels.csv" | cut -d, -f2 | sort >"$E2E_DIR/urls"
expect_eq "$(wc -l <"$E2E_DIR/decoded")" 24 "codes decoded"
cmp -s "$E2E_DIR/decoded" "$E2E_DIR/urls" || fail "decoded codes differ from the manifest"
grep -q "/10/L2406A/21/" "$E2E_DIR/urls" || fail "the lot is not in the codes"
stop_server
test_end
