#!/usr/bin/env bash
# Inspectors in the field (SPEC 9): the public keys document, who may
# download a snapshot, the inspection panel a signed-in inspector sees on
# a label's page (recorded as POST /api/v1/scans records, once per client
# id, and no consumer scan for the visit), and the offline mode in a real
# browser (tests/browser/field.mjs: headless Chromium, 360 x 740). Set
# OCOP_SCREENSHOT_DIR to keep the screenshots for a look.
. "$(dirname "$0")/lib.sh"

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FIELD=$ROOT/tests/browser/field.mjs
SHOTS=${OCOP_SCREENSHOT_DIR:-$E2E_DIR/shots}
PY=/usr/bin/python3
mkdir -p "$SHOTS"

# the console checks a form's Origin against the base URL: serve on a
# port known before 'ocop init'
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export E2E_LISTEN=127.0.0.1:$PORT
ago() { # ago DAYS: that long before now, RFC 3339
	$PY -c 'import datetime, sys; print((datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=int(sys.argv[1]))).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$1"
}
# a serial no label has, with a right check symbol (not mistyped)
UNKNOWN=$($PY -c '
A = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
s = "7KQ3M9XH2PAB4C5"
print(s + A[sum((2 * i + 1) * A.index(c) for i, c in enumerate(s)) % 32])')
TODAY=$($PY -c 'import datetime; print((datetime.datetime.utcnow() + datetime.timedelta(hours=7)).strftime("%Y-%m-%d"))')

test_begin "field: setup"
cat >"$E2E_DIR/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
87-001-0001-2025,Xoài cát Hòa Lộc,I,08938022100441,HTX Xoài Mỹ Xương,HTX,Đồng Tháp,Cao Lãnh,4,210/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
87-002-0002-2025,Mắm cá linh Hồng Ngự,I,,HTX Thủy sản Thường Thới,HTX,Đồng Tháp,Hồng Ngự,3,120/QĐ-UBND-HC,2025-03-01,UBND tỉnh Đồng Tháp,
82-003-0003-2025,Vú sữa Lò Rèn,I,,HTX Vú sữa Vĩnh Kim,HTX,Tiền Giang,Châu Thành,3,50/QĐ-UBND,2025-02-01,UBND tỉnh Tiền Giang,
EOF
# the signing key made ten days ago, and a snapshot of eight days ago:
# expired today
OCOP_NOW=$(ago 10) expect_rc 0 "$OCOP" init --base-url "http://$E2E_LISTEN" --operator "Văn phòng OCOP tỉnh Đồng Tháp"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
OCOP_NOW=$(ago 8) expect_rc 0 "$OCOP" snapshot --province "Đồng Tháp" --out "$E2E_DIR/expired.bin"
OCOP_NOW=$(ago 5) expect_rc 0 "$OCOP" label issue 87-001-0001-2025 --count 3 --format csv --out "$E2E_DIR/ok"
OCOP_NOW=$(ago 5) expect_rc 0 "$OCOP" label issue 87-002-0002-2025 --count 1 --format csv --out "$E2E_DIR/rev"
# a snapshot of three days ago, from before the revocation
OCOP_NOW=$(ago 3) expect_rc 0 "$OCOP" snapshot --province "Đồng Tháp" --out "$E2E_DIR/stale.bin"
cat >"$E2E_DIR/revoke.csv" <<EOF
code,decision_no,revoked_on,ground,note
87-002-0002-2025,99/QĐ-UBND-HC,$TODAY,c,vi phạm an toàn thực phẩm
EOF
expect_rc 0 "$OCOP" registry import "$E2E_DIR/revoke.csv"
VALID=$(sed -n 2p "$E2E_DIR/ok/labels.csv" | cut -d, -f1)
VALID2=$(sed -n 3p "$E2E_DIR/ok/labels.csv" | cut -d, -f1)
VALID3=$(sed -n 4p "$E2E_DIR/ok/labels.csv" | cut -d, -f1)
REVOKED=$(sed -n 2p "$E2E_DIR/rev/labels.csv" | cut -d, -f1)
expect_eq "$(label_field "$REVOKED" verdict)" revoked "revoked label"
INSPECTOR_TOKEN=$("$OCOP" token create --role inspector)
PRODUCER_TOKEN=$("$OCOP" token create --role producer --producer 87-001-0001-2025)
# people: an inspector of Đồng Tháp (written without diacritics), a producer
PASSWORD=mat-khau-kiem-tra-2026
add_user() { # add_user LOGIN ROLE OPTIONS...: a user with $PASSWORD
	local link
	link=$("$OCOP" user add "$@" | grep -o '/console/setup/[A-Za-z0-9_-]*')
	[ -n "$link" ] || fail "no setup link for $1"
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$link" \
		--data-urlencode "password=$PASSWORD" --data-urlencode "password2=$PASSWORD")" 303 "setup $1"
}
sign_in() { # sign_in LOGIN JAR
	expect_eq "$(curl -s -c "$2" -o /dev/null -w '%{http_code}' "$BASE/console/login" \
		--data-urlencode "login=$1" --data-urlencode "password=$PASSWORD")" 303 "sign in $1"
}
start_server --rate-limit 0
add_user 0912345678 --role inspector --province "dong thap" --name "Nguyễn Văn An"
add_user 0987654321 --role producer --producer 87-001-0001-2025
sign_in 0912345678 "$E2E_DIR/inspector.jar"
sign_in 0987654321 "$E2E_DIR/producer.jar"

test_begin "field: the public keys document"
code=$(curl -s -D "$E2E_DIR/h" -o "$E2E_DIR/keys.json" -w '%{http_code}' "$BASE/.well-known/ocop-keys.json")
expect_eq "$code" 200 "GET /.well-known/ocop-keys.json"
expect_eq "$($PY -c 'import json, sys; k = json.load(open(sys.argv[1]))["keys"]; print(len(k), k[0]["alg"], len(k[0]["public_key"]))' "$E2E_DIR/keys.json")" "1 Ed25519 43" "one Ed25519 key"
grep -qi '^Cache-Control: public, max-age=' "$E2E_DIR/h" || fail "keys: no Cache-Control"
grep -qi '^Access-Control-Allow-Origin: \*' "$E2E_DIR/h" || fail "keys: no CORS header"

test_begin "field: who may download a snapshot"
snap() { # snap OUT ARGS...: the status of GET /api/v1/snapshot
	curl -s -D "$E2E_DIR/h" -o "$1" -w '%{http_code}' "${@:2}"
}
expect_eq "$(snap "$E2E_DIR/s0" "$BASE/api/v1/snapshot")" 401 "no token, no session"
expect_eq "$(snap "$E2E_DIR/s0" -H "Authorization: Bearer $PRODUCER_TOKEN" "$BASE/api/v1/snapshot")" 403 "producer token"
expect_eq "$(snap "$E2E_DIR/s0" -b "$E2E_DIR/producer.jar" "$BASE/api/v1/snapshot")" 403 "producer session"
expect_eq "$(snap "$E2E_DIR/s0" -H "Authorization: Bearer nonsense" "$BASE/api/v1/snapshot")" 401 "bad token"
expect_eq "$(snap "$E2E_DIR/s1.bin" -H "Authorization: Bearer $INSPECTOR_TOKEN" "$BASE/api/v1/snapshot?province=%C4%90%E1%BB%92NG%20TH%C3%81P")" 200 "inspector token, province in capitals"
etag=$(grep -i '^ETag: "' "$E2E_DIR/h" | cut -d' ' -f2 | tr -d '\r')
[ -n "$etag" ] || fail "snapshot: no ETag"
# asked again at once: the same bytes, or 304 for the ETag kept
expect_eq "$(snap "$E2E_DIR/s0" -H "Authorization: Bearer $INSPECTOR_TOKEN" -H "If-None-Match: $etag" "$BASE/api/v1/snapshot?province=%C4%90%E1%BB%92NG%20TH%C3%81P")" 304 "the same snapshot again"
expect_eq "$(snap "$E2E_DIR/s1b.bin" -H "Authorization: Bearer $INSPECTOR_TOKEN" "$BASE/api/v1/snapshot?province=%C4%90%E1%BB%92NG%20TH%C3%81P")" 200 "asked again"
cmp -s "$E2E_DIR/s1.bin" "$E2E_DIR/s1b.bin" || fail "a snapshot asked again at once is built again"
grep -qi '^Cache-Control: no-store' "$E2E_DIR/h" || fail "snapshot: kept by HTTP caches"
expect_rc 0 "$OCOP" verify --offline "$E2E_DIR/s1.bin" "$VALID" --json
expect_contains "$E2E_DIR/last.out" '"verdict":"valid"'
# a session: the inspector's own province by default
expect_eq "$(snap "$E2E_DIR/s2.bin" -b "$E2E_DIR/inspector.jar" "$BASE/api/v1/snapshot")" 200 "inspector session"
expect_rc 1 "$OCOP" verify --offline "$E2E_DIR/s2.bin" "$REVOKED" --json
expect_contains "$E2E_DIR/last.out" '"verdict":"revoked"'
expect_eq "$(head -c 300 "$E2E_DIR/s2.bin" | grep -ac 'Tiền Giang')" 0 "another province's products left out"
expect_eq "$(snap "$E2E_DIR/s3.bin" -b "$E2E_DIR/inspector.jar" "$BASE/api/v1/snapshot?province=all")" 200 "province=all"
expect_eq "$(snap "$E2E_DIR/s0" -b "$E2E_DIR/inspector.jar" "$BASE/api/v1/snapshot?province=Atlantis")" 404 "unknown province"
expect_rc 65 "$OCOP" verify --offline "$E2E_DIR/expired.bin" "$VALID"
expect_contains "$E2E_DIR/last.err" "expired"

test_begin "field: the inspection panel"
# a shopper: no panel, and the visit is a scan
before=$(label_scans "$VALID2")
curl -s -o "$E2E_DIR/shopper.html" "$BASE/L/$VALID2"
grep -q 'inspect-form' "$E2E_DIR/shopper.html" && fail "a shopper sees the inspection panel"
expect_eq "$(label_scans "$VALID2")" $((before + 1)) "a shopper's visit is a scan"
# the inspector: the panel under the verdict, and no scan for the visit
code=$(curl -s -b "$E2E_DIR/inspector.jar" -D "$E2E_DIR/h" -o "$E2E_DIR/panel.html" -w '%{http_code}' "$BASE/L/$VALID2")
expect_eq "$code" 200 "the inspector's GET"
expect_eq "$(label_scans "$VALID2")" $((before + 1)) "the inspector's visit stores no consumer scan"
expect_contains "$E2E_DIR/panel.html" 'action="/console/field/inspect"'
expect_contains "$E2E_DIR/panel.html" 'name="province" value="dong thap"'
expect_contains "$E2E_DIR/panel.html" '<script src="/assets/field/inspect.js" defer></script>'
grep -qi "^Content-Security-Policy: default-src 'self'" "$E2E_DIR/h" || fail "panel page without the console's CSP"
grep -q '<script>' "$E2E_DIR/panel.html" && fail "an inline script on the panel page"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$E2E_DIR/panel.html" | head -1 | cut -d'"' -f4)
id=$(grep -o 'name="id" value="[^"]*"' "$E2E_DIR/panel.html" | cut -d'"' -f4)
[ -n "$csrf" ] && [ -n "$id" ] || fail "no csrf or client id in the form"
inspect() { # inspect CSRF ID: POST the form, the page into $E2E_DIR/posted.html
	curl -s -b "$E2E_DIR/inspector.jar" -D "$E2E_DIR/h" -o "$E2E_DIR/posted.html" -w '%{http_code}' \
		"$BASE/console/field/inspect" --data-urlencode "csrf=$1" --data-urlencode "id=$2" \
		--data-urlencode "code=$VALID2" --data-urlencode "place=Chợ Sa Đéc" \
		--data-urlencode "note=hàng bày bán" -d lat=10.29 -d lon=105.76 -d lang=vi
}
expect_eq "$(inspect "$csrf" "$id")" 200 "record the inspection"
expect_contains "$E2E_DIR/posted.html" 'Đã ghi lại lượt kiểm tra.'
grep -qi '^Set-Cookie: ocop_place=Ch%E1%BB%A3%20Sa%20%C4%90%C3%A9c' "$E2E_DIR/h" || fail "the place is not remembered"
# a double tap: the same client id again
expect_eq "$(inspect "$csrf" "$id")" 200 "the same form again"
expect_contains "$E2E_DIR/posted.html" 'đã được ghi trước đó'
expect_eq "$(inspect wrong-token "$id-2")" 403 "a wrong csrf token"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_DIR/producer.jar" "$BASE/console/field/inspect" \
	--data-urlencode "csrf=x" -d "id=p1" -d "code=$VALID2")" 404 "a producer"
expect_rc 0 "$OCOP" db scans --id "$id"
expect_eq "$(grep -c '"client_id"' "$E2E_DIR/last.out")" 1 "stored once"
expect_contains "$E2E_DIR/last.out" '"source":"inspector"'
expect_contains "$E2E_DIR/last.out" '"place":"Chợ Sa Đéc"'
expect_contains "$E2E_DIR/last.out" '"lat":10.2'
expect_eq "$(label_scans "$VALID2")" $((before + 2)) "the label's count: the shopper and the inspection"
# the next visit remembers the place
curl -s -b "$E2E_DIR/inspector.jar" -b "ocop_place=Ch%E1%BB%A3%20Sa%20%C4%90%C3%A9c" -o "$E2E_DIR/panel2.html" "$BASE/L/$VALID2"
expect_contains "$E2E_DIR/panel2.html" 'name="place" value="Chợ Sa Đéc"'
# a cookie that decodes to no place (a control character, bad UTF-8) is none
for bad in 'Ch%01' 'Ch%FF%FE'; do
	curl -s -b "$E2E_DIR/inspector.jar" -b "ocop_place=$bad" -o "$E2E_DIR/panel3.html" "$BASE/L/$VALID2"
	expect_contains "$E2E_DIR/panel3.html" 'name="place" value=""'
done

test_begin "field: the offline mode's files"
for f in /sw.js /assets/field/field.js /assets/field/snapshot.js /assets/field/style.css; do
	code=$(curl -s -D "$E2E_DIR/h" -o /dev/null -w '%{http_code}' "$BASE$f")
	expect_eq "$code" 200 "GET $f"
	grep -qiE '^Content-Type: text/(javascript|css); charset=utf-8' "$E2E_DIR/h" || fail "$f: content type"
done
etag=$(curl -s -D - -o /dev/null "$BASE/sw.js" | grep -i '^ETag' | cut -d' ' -f2 | tr -d '\r')
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$BASE/sw.js")" 304 "sw.js unchanged"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/assets/field/..%2Fmigrations")" 404 "no way out of assets/field"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/console/field")" 303 "the field page signed out"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$E2E_DIR/producer.jar" "$BASE/console/field")" 404 "the field page for a producer"

test_begin "field: offline in a browser"
command -v node >/dev/null || fail "node is not installed (make deps)"
[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] ||
	fail "npm packages of tests/browser are not installed (make deps)"
timeout 300 node "$FIELD" --base "$BASE" --login 0912345678 --password "$PASSWORD" \
	--valid "$VALID" --revoked "$REVOKED" --revoked-on "$TODAY" --unknown "$UNKNOWN" \
	--dl "/01/08938022100441/21/$VALID" --expired "$E2E_DIR/expired.bin" \
	--stale "$E2E_DIR/stale.bin" \
	--shots "$SHOTS" >"$E2E_DIR/field.out" 2>&1 || fail "$(grep -v '^ok \|^sent ' "$E2E_DIR/field.out" | head -c 3000)"
sent=$(sed -n 's/^sent //p' "$E2E_DIR/field.out")
[ -n "$sent" ] || fail "no inspection recorded offline"
expect_rc 0 "$OCOP" db scans --id "$sent"
expect_eq "$(grep -c '"client_id"' "$E2E_DIR/last.out")" 1 "the offline inspection stored once"
expect_contains "$E2E_DIR/last.out" '"place":"Chợ Cao Lãnh"'
expect_contains "$E2E_DIR/last.out" '"source":"inspector"'
for f in field-page label-inspect offline-valid offline-revoked offline-refused offline-stale; do
	[ -s "$SHOTS/$f.png" ] || fail "no screenshot $f"
done
stop_server
test_end
