#!/usr/bin/env bash
# ocop registry import URL: fetching the registry over HTTP(S) with
# certificate verification on, plain http only from this machine, a 64 MiB
# cap, and the same all-or-nothing rules as a file.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
HTTPD="$(cd "$(dirname "$0")" && pwd)/testhttpd.py"
export OCOP_NOW=2026-03-01T10:00:00+07:00

closed_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# start_httpd NAME [testhttpd options]: serves $E2E_DIR/www; sets HTTPD_PORT
start_httpd() {
	local pf="$E2E_DIR/$1.port"
	shift
	"$PY" "$HTTPD" "$pf" "$E2E_DIR/www" "$@" 2>>"$E2E_DIR/httpd.log" &
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
products() {
	"$OCOP" product list --json 2>/dev/null |
		"$PY" -c 'import json,sys; d=json.load(sys.stdin); d=d.get("entries", d) if isinstance(d, dict) else d; print(len(d))'
}

test_begin "registry over http from loopback"
mkdir -p "$E2E_DIR/www"
cat >"$E2E_DIR/www/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
URL-1,Mật ong hoa nhãn,I,8935049500018,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
URL-2,Nem Lai Vung,I,,DN Nem Lai Vung,DN,Đồng Tháp,Lai Vung,3,200/QĐ-UBND,2025-06-01,UBND tỉnh Đồng Tháp,
EOF
cat >"$E2E_DIR/www/bad.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
URL-3,Bánh phồng tôm,I,8935049500017,HTX Sa Giang,HTX,Đồng Tháp,Sa Đéc,6,1/QĐ,2025-06-01,UBND tỉnh Đồng Tháp,
EOF
expect_rc 0 "$OCOP" init
start_httpd plain
expect_rc 0 "$OCOP" registry import "http://127.0.0.1:$HTTPD_PORT/reg.csv"
expect_eq "$(products)" 2 "products imported"
expect_rc 0 "$OCOP" product show URL-1 --json
expect_contains "$E2E_DIR/last.out" "08935049500018"
# the same rows again change nothing
expect_rc 0 "$OCOP" registry import "http://localhost:$HTTPD_PORT/reg.csv"
expect_eq "$(products)" 2 "products after a second import"

test_begin "a bad remote file imports nothing and names its rows"
expect_rc 65 "$OCOP" registry import "http://127.0.0.1:$HTTPD_PORT/bad.csv"
expect_contains "$E2E_DIR/last.err" "line 2"
expect_eq "$(products)" 2 "products"

test_begin "a missing remote file: exit 66"
expect_rc 66 "$OCOP" registry import "http://127.0.0.1:$HTTPD_PORT/nope.csv"
expect_contains "$E2E_DIR/last.err" "HTTP 404"

test_begin "over the size cap: refused"
expect_rc 65 "$OCOP" registry import "http://127.0.0.1:$HTTPD_PORT/big/65"
expect_contains "$E2E_DIR/last.err" "64 MiB"
expect_eq "$(products)" 2 "products"
stop_httpd

test_begin "plain http to another host is refused without a request"
expect_rc 65 "$OCOP" registry import "http://registry.example.vn/reg.csv"
expect_contains "$E2E_DIR/last.err" "https://"

test_begin "an unreachable registry: exit 69 with curl's reason"
port=$(closed_port)
expect_rc 69 "$OCOP" registry import "http://127.0.0.1:$port/reg.csv"
expect_contains "$E2E_DIR/last.err" "Couldn't connect to server"
expect_rc 69 "$OCOP" registry import "https://127.0.0.1:$port/reg.csv"

test_begin "https with an untrusted certificate: exit 69, nothing imported"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$E2E_DIR/key.pem" -out "$E2E_DIR/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
	fail "openssl cannot make a test certificate"
cp "$E2E_DIR/www/reg.csv" "$E2E_DIR/www/reg2.csv"
sed -i 's/^URL-2,/URL-9,/' "$E2E_DIR/www/reg2.csv"
start_httpd tls --tls "$E2E_DIR/cert.pem" "$E2E_DIR/key.pem"
expect_rc 69 "$OCOP" registry import "https://127.0.0.1:$HTTPD_PORT/reg2.csv"
expect_contains "$E2E_DIR/last.err" "certificate"
expect_eq "$(products)" 2 "products"
# the same server does serve the file: only the certificate stood in the way
expect_eq "$(curl -sk "https://127.0.0.1:$HTTPD_PORT/reg2.csv" | grep -c '^URL-9,')" 1 "served over TLS"
stop_httpd
