#!/usr/bin/env bash
# ocop scan, the inspector's client, against the real server: verdicts and
# their exit codes (0 valid, 1 other verdicts), bad input and refusals (65),
# unreachable servers (69), tokens from the option or $OCOP_TOKEN, --at,
# --place and --json.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
HTTPD="$(cd "$(dirname "$0")" && pwd)/testhttpd.py"
GTIN13=8935049500018
export OCOP_NOW=2026-03-01T10:00:00+07:00
unset OCOP_TOKEN

jq_py() {
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# a loopback port with nothing listening on it
closed_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# start_httpd NAME [testhttpd options]: sets HTTPD_PORT, HTTPD_PID
start_httpd() {
	local pf="$E2E_DIR/$1.port"
	shift
	"$PY" "$HTTPD" "$pf" "$E2E_DIR" "$@" 2>>"$E2E_DIR/httpd.log" &
	HTTPD_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	HTTPD_PORT=$(cat "$pf" 2>/dev/null)
	[ -n "$HTTPD_PORT" ] || fail "test server did not start: $(tail -3 "$E2E_DIR/httpd.log")"
}
stop_httpd() {
	[ -n "$HTTPD_PID" ] || return 0
	kill "$HTTPD_PID" 2>/dev/null
	wait "$HTTPD_PID" 2>/dev/null
	HTTPD_PID=
	return 0
}
HTTPD_PID=
# a test server left by a failing check goes too
trap 'test_end; stop_httpd; cleanup' EXIT

test_begin "scan setup"
cat >"$E2E_DIR/reg.csv" <<EOF
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
SC-1,Mật ong hoa nhãn,I,$GTIN13,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
SC-2,Nem Lai Vung,I,,DN Nem Lai Vung,DN,Đồng Tháp,Lai Vung,4,200/QĐ-UBND,2024-01-10,UBND tỉnh Đồng Tháp,
EOF
cat >"$E2E_DIR/rev.csv" <<'EOF'
code,decision_no,revoked_on,ground,note
SC-2,55/QĐ-UBND,2025-06-01,c,
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv" "$E2E_DIR/rev.csv"
OCOP_NOW=2025-07-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue SC-1 \
	--count 1 --lot L2406A --format csv --out "$E2E_DIR/out_v"
OCOP_NOW=2025-01-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue SC-2 \
	--count 1 --format csv --out "$E2E_DIR/out_r"
VALID=$(sed -n 2p "$E2E_DIR/out_v/labels.csv" | cut -d, -f1)
VALID_URL=$(sed -n 2p "$E2E_DIR/out_v/labels.csv" | cut -d, -f2)
REVOKED=$(sed -n 2p "$E2E_DIR/out_r/labels.csv" | cut -d, -f1)
expect_rc 0 "$OCOP" token create --role inspector
INSPECTOR=$(cat "$E2E_DIR/last.out")
expect_rc 0 "$OCOP" token create --role producer --producer SC-1
PRODUCER=$(cat "$E2E_DIR/last.out")
start_server --rate-limit 0 || exit 1
GROUPED="${VALID:0:4}-${VALID:4:4}-${VALID:8:4}-${VALID:12:4}"

test_begin "a valid label: exit 0, verdict in Vietnamese and English"
expect_rc 0 "$OCOP" scan "$VALID" --server "$BASE" --token "$INSPECTOR"
expect_eq "$(wc -l <"$E2E_DIR/last.out")" 1 "output lines"
expect_contains "$E2E_DIR/last.out" "$GROUPED"
expect_contains "$E2E_DIR/last.out" "Hợp lệ"
expect_contains "$E2E_DIR/last.out" "Valid"
expect_contains "$E2E_DIR/last.out" "chứng nhận OCOP còn hiệu lực"

test_begin "--json: the server's result"
expect_rc 0 "$OCOP" scan "$VALID" --server "$BASE/" --token "$INSPECTOR" --json
cp "$E2E_DIR/last.out" "$E2E_DIR/r.json"
expect_eq "$(jq_py "$E2E_DIR/r.json" 'd["verdict"], d["reason"], d["serial"], d["duplicate"]')" \
	"('valid', 'in_force', '$VALID', False)" "result"
ID=$(jq_py "$E2E_DIR/r.json" 'd["id"]')
[[ "$ID" =~ ^[0-9a-f]{32}$ ]] || fail "client id shape: '$ID'"
# stored: the server answers the same id sent again as a duplicate
curl -s -H "Authorization: Bearer $INSPECTOR" -H 'Content-Type: application/json' \
	-d '{"scans":[{"id":"'"$ID"'","code":"'"$VALID"'","scanned_at":"2026-03-01T09:00:00+07:00"}]}' \
	"$BASE/api/v1/scans" >"$E2E_DIR/resent.json"
expect_eq "$(jq_py "$E2E_DIR/resent.json" 'd["results"][0]["duplicate"], d["results"][0]["verdict"]')" \
	"(True, 'valid')" "stored scan"

test_begin "every scan has a fresh id"
expect_rc 0 "$OCOP" scan "$VALID" --server "$BASE" --token "$INSPECTOR" --json
ID2=$(jq_py "$E2E_DIR/last.out" 'd["id"]')
[ "$ID" != "$ID2" ] || fail "the same id twice: $ID"
expect_eq "$(jq_py "$E2E_DIR/last.out" 'd["duplicate"]')" False "duplicate"

test_begin "the QR URL, the /L/ URL and a typed serial are accepted"
expect_rc 0 "$OCOP" scan "$VALID_URL" --server "$BASE" --token "$INSPECTOR"
expect_rc 0 "$OCOP" scan "http://localhost:8080/L/$VALID" --server "$BASE" --token "$INSPECTOR"
typed=$(echo "$GROUPED" | tr 'A-Z' 'a-z')
expect_rc 0 "$OCOP" scan "$typed" --server "$BASE" --token "$INSPECTOR"

test_begin "a revoked product: exit 1"
expect_rc 1 "$OCOP" scan "$REVOKED" --server "$BASE" --token "$INSPECTOR"
expect_contains "$E2E_DIR/last.out" "thu hồi"
expect_contains "$E2E_DIR/last.out" "revoked"

test_begin "unknown and mistyped codes: exit 1, verdict unknown"
expect_rc 1 "$OCOP" scan ZZZZZZZZZZZZZZZZ --server "$BASE" --token "$INSPECTOR" --json
expect_eq "$(jq_py "$E2E_DIR/last.out" 'd["verdict"], d["reason"]')" "('unknown', 'not_found')" "unknown"
typo="${VALID:0:3}$([ "${VALID:3:1}" = 7 ] && echo 8 || echo 7)${VALID:4}"
expect_rc 1 "$OCOP" scan "$typo" --server "$BASE" --token "$INSPECTOR" --json
expect_eq "$(jq_py "$E2E_DIR/last.out" 'd["verdict"], d["reason"]')" "('unknown', 'mistyped')" "mistyped"
expect_rc 1 "$OCOP" scan "$typo" --server "$BASE" --token "$INSPECTOR"
expect_contains "$E2E_DIR/last.out" "Không có trong hệ thống"
expect_contains "$E2E_DIR/last.out" "mistyped"
# a genuine serial under another GTIN is a forgery
expect_rc 1 "$OCOP" scan "https://x.vn/01/04006381333931/21/$VALID" --server "$BASE" --token "$INSPECTOR" --json
expect_eq "$(jq_py "$E2E_DIR/last.out" 'd["reason"]')" wrong_product "forged GTIN"

test_begin "--at and --place are sent"
expect_rc 0 "$OCOP" scan "$VALID" --server "$BASE" --token "$INSPECTOR" \
	--at 2026-02-01T09:30:00+07:00 --place "Chợ Cao Lãnh, quầy 12" --json
ID=$(jq_py "$E2E_DIR/last.out" 'd["id"]')
expect_eq "$(db_scans "scanned_at place source" --id-prefix "$ID")" \
	"2026-02-01T09:30:00+07:00|Chợ Cao Lãnh, quầy 12|inspector" "stored scan"
# the verdict is the one at the scan time: before the label was issued is bad input
expect_rc 65 "$OCOP" scan "$VALID" --server "$BASE" --token "$INSPECTOR" --at 2024-01-01T00:00:00Z
expect_contains "$E2E_DIR/last.err" "HTTP 422"
expect_rc 65 "$OCOP" scan "$VALID" --server "$BASE" --token "$INSPECTOR" --at 2026-02-01T09:30:00
expect_contains "$E2E_DIR/last.err" "--at"

test_begin "the token from \$OCOP_TOKEN"
OCOP_TOKEN="$INSPECTOR" expect_rc 0 "$OCOP" scan "$VALID" --server "$BASE"

test_begin "no, wrong or producer token: refused, exit 65"
expect_rc 65 "$OCOP" scan "$VALID" --server "$BASE"
expect_contains "$E2E_DIR/last.err" "HTTP 401"
expect_contains "$E2E_DIR/last.err" "--token"
[ "${INSPECTOR: -1}" = A ] && WRONG=${INSPECTOR%?}B || WRONG=${INSPECTOR%?}A
expect_rc 65 "$OCOP" scan "$VALID" --server "$BASE" --token "$WRONG"
expect_contains "$E2E_DIR/last.err" "HTTP 401"
expect_rc 65 "$OCOP" scan "$VALID" --server "$BASE" --token "$PRODUCER"
expect_contains "$E2E_DIR/last.err" "HTTP 403"
expect_rc 65 "$OCOP" scan "$VALID" --server "$BASE" --token "two words"

test_begin "bad input and usage"
before=$(db_rows scans)
expect_rc 65 "$OCOP" scan ABC --server "$BASE" --token "$INSPECTOR"
expect_contains "$E2E_DIR/last.err" "ABC"
expect_rc 65 "$OCOP" scan "$BASE/01/08935049500017/21/$VALID" --server "$BASE" --token "$INSPECTOR"
expect_rc 65 "$OCOP" scan "$VALID" --server ftp://127.0.0.1/ --token "$INSPECTOR"
expect_eq "$(db_rows scans)" "$before" "nothing stored"
expect_rc 64 "$OCOP" scan "$VALID" --token "$INSPECTOR"
expect_rc 64 "$OCOP" scan --server "$BASE"
expect_rc 64 "$OCOP" scan "$VALID" extra --server "$BASE"
expect_rc 64 "$OCOP" scan "$VALID" --server "$BASE" --bogus
expect_rc 0 "$OCOP" scan --help
expect_contains "$E2E_DIR/last.out" "usage: ocop scan"

test_begin "an unreachable server: exit 69 with curl's reason"
port=$(closed_port)
expect_rc 69 "$OCOP" scan "$VALID" --server "http://127.0.0.1:$port" --token "$INSPECTOR"
expect_contains "$E2E_DIR/last.err" "cannot reach 'http://127.0.0.1:$port/api/v1/scans'"
expect_contains "$E2E_DIR/last.err" "Couldn't connect to server"
expect_rc 69 "$OCOP" scan "$VALID" --server "http://host.invalid" --token "$INSPECTOR"
expect_contains "$E2E_DIR/last.err" "host.invalid"

test_begin "a server that fails: exit 69"
start_httpd fail500 --post-status 500
expect_rc 69 "$OCOP" scan "$VALID" --server "http://127.0.0.1:$HTTPD_PORT" --token "$INSPECTOR"
expect_contains "$E2E_DIR/last.err" "HTTP 500"
stop_httpd

test_begin "https with an untrusted certificate: exit 69, nothing sent"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$E2E_DIR/key.pem" -out "$E2E_DIR/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
	fail "openssl cannot make a test certificate"
start_httpd tls --tls "$E2E_DIR/cert.pem" "$E2E_DIR/key.pem" --post-status 200
expect_rc 69 "$OCOP" scan "$VALID" --server "https://127.0.0.1:$HTTPD_PORT" --token "$INSPECTOR"
expect_contains "$E2E_DIR/last.err" "certificate"
stop_httpd
true
