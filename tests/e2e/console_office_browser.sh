#!/usr/bin/env bash
# The office's console pages in a real browser (tests/browser/
# console_office.mjs: headless Chromium at 1280x800, axe-core for WCAG 2.1
# AA on every page): uploads with bad rows and good ones, a grant from the
# form, a token revoked, the audit log; an inspector's reach. Here, what
# the database holds after each step, asked of ocop. Screenshots of the
# dashboard and a report go to OCOP_SCREENSHOT_DIR when set.
. "$(dirname "$0")/lib.sh"

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHOTS=${OCOP_SCREENSHOT_DIR:-$E2E_DIR/shots}
PW='mật-khẩu-đủ-dài-1'
export OCOP_NOW=2026-03-01T10:00:00+07:00
mkdir -p "$SHOTS"

test_begin "office in a browser: set up"
[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] ||
	fail "the browser tests' npm packages are not installed (make deps)"
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$ASSETS/demo/registry.csv"
# some scans, so that the report has a chart: labels of a product that
# has expired since, issued while it was in force
read -r code from < <("$OCOP" product list --status expired --json |
	/usr/bin/python3 -c '
import json, sys
e = json.load(sys.stdin)["entries"][0]
print(e["code"], e["recognition"]["valid_from"])')
OCOP_NOW="${from}T10:00:00+07:00" expect_rc 0 "$OCOP" label issue "$code" \
	--count 3 --format csv --out "$E2E_DIR/labels"
# a browser sends Origin with a POST: the base URL is the server's own
start_server || exit 1
stop_server
expect_rc 0 "$OCOP" init --base-url "$BASE"
start_server --listen "$HOSTPORT" 2>/dev/null || start_server || exit 1
for s in $(tail -n +2 "$E2E_DIR/labels/labels.csv" 2>/dev/null | cut -d, -f1); do
	curl -s -o /dev/null "$BASE/L/$s"
done
setup() { # setup LOGIN ROLE [options]: a user with the password set
	local link
	link=$("$OCOP" user add "$1" --role "$2" "${@:3}" 2>/dev/null)
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		"$BASE/console/${link#*/console/}" --data-urlencode "password=$PW" \
		--data-urlencode "password2=$PW")" 303 "setup of $1"
}
setup office@sonla.gov.vn admin --name 'Lò Thị Hoa'
setup 0912000111 inspector --province 'Sơn La'
TOKEN=$("$OCOP" token create --role inspector 2>/dev/null)
TOKEN_ID=$("$OCOP" token list --json | /usr/bin/python3 -c '
import json, sys
print(max(t["id"] for t in json.load(sys.stdin)))')
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports/expiring")" 200 \
	"the token before"

HEAD=code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
cat >"$E2E_DIR/bad.csv" <<CSV
$HEAD
14-001-0001-2026,Chè Shan tuyết,Thực phẩm,,HTX Chè Tà Xùa,HTX,Sơn La,Xã Tà Xùa,4,QĐ-11/2026,2026-01-10,UBND tỉnh Sơn La,
14-001-0002-2026,Mật ong bạc hà,Thực phẩm,,HTX Ong Mèo Vạc,HTX,Sơn La,Xã B,9,QĐ-12/2026,2026-01-10,UBND tỉnh Sơn La,
14-001-0003-2026,Gạo nếp,Thực phẩm,4006381333932,HTX Gạo,HTX,Sơn La,Xã C,3,QĐ-13/2026,2026-01-10,UBND tỉnh Sơn La,
14-001-0004-2026,Măng khô,Rau củ,,HTX Măng,HTX,Sơn La,Xã D,3,QĐ-14/2026,2026-01-40,UBND tỉnh Sơn La,
CSV
sed -n '1,2p' "$E2E_DIR/bad.csv" >"$E2E_DIR/good.csv"
test_end

node "$ROOT/tests/browser/console_office.mjs" --base "$BASE" \
	--admin office@sonla.gov.vn --inspector 0912000111 --password "$PW" \
	--bad "$E2E_DIR/bad.csv" --bad-rows 3 --good "$E2E_DIR/good.csv" \
	--code 14-001-0001-2026 --token-id "$TOKEN_ID" --shots "$SHOTS" \
	>"$E2E_DIR/browser.out" 2>&1
cat "$E2E_DIR/browser.out"
grep -q '^PASS inspector in a browser' "$E2E_DIR/browser.out" ||
	echo "FAIL office in a browser: did not run to its end"

test_begin "office in a browser: what the database holds after"
# the bad file stored nothing, the good one its row, the form its grant
"$OCOP" product show 14-001-0001-2026 >"$E2E_DIR/show" 2>&1 ||
	fail "the good file's product is not stored"
expect_contains "$E2E_DIR/show" "QĐ-77/2026"
"$OCOP" product list >"$E2E_DIR/products" 2>/dev/null
for c in 14-001-0002-2026 14-001-0003-2026 14-001-0004-2026; do
	grep -q "^$c" "$E2E_DIR/products" && fail "$c of the bad file stored"
done
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports/expiring")" 401 \
	"the revoked token"
[ -s "$SHOTS/office-dashboard.png" ] || fail "no screenshot of the dashboard"
[ -s "$SHOTS/office-report.png" ] || fail "no screenshot of the report"
test_end
