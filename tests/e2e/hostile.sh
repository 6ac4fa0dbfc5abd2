#!/usr/bin/env bash
# Hostile HTTP on loopback: malformed and oversized requests get 4xx,
# never 5xx, and never a crash; slow and idle clients are let go; one
# address cannot take every connection; SIGTERM with idle and half-sent
# requests open still ends within the drain time (10 s).
. "$(dirname "$0")/lib.sh"
D=$E2E_DIR
PY=/usr/bin/python3

cat >"$D/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
T-PLAIN,Bánh phồng tôm Sa Giang,I,,Công ty Sa Giang,DN,Đồng Tháp,Sa Đéc,3,100/QĐ-UBND,2025-01-10,UBND tỉnh Đồng Tháp,
EOF
test_begin "setup"
expect_rc 0 "$OCOP" init --base-url https://tem.example.vn
expect_rc 0 "$OCOP" registry import "$D/reg.csv"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 1 --format csv --out "$D/l"
SERIAL=$(tail -n +2 "$D/l/labels.csv" | cut -d, -f1)
start_server --rate-limit 0 || exit 1
HOST=${HOSTPORT%:*}
PORT=${HOSTPORT##*:}

# raw REQUEST-BYTES (Python bytes literal): the status of the answer to
# a raw request ("closed" when the server closed without one)
raw() {
	$PY - "$HOST" "$PORT" "$1" <<'EOF'
import socket, sys
host, port, req = sys.argv[1], int(sys.argv[2]), eval(sys.argv[3])
s = socket.create_connection((host, port), timeout=10)
try:
    s.sendall(req)
except OSError:
    pass
data = b""
try:
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
line = data.split(b"\r\n", 1)[0].split()
print(line[1].decode() if len(line) > 1 and data.startswith(b"HTTP/") else "closed")
EOF
}
# expect_4xx NAME REQUEST-BYTES
expect_4xx() {
	local got
	got=$(raw "$2")
	case "$got" in
	4??) ;;
	*) fail "$1: expected a 4xx answer, got '$got'" ;;
	esac
}
alive() {
	kill -0 "$SERVER_PID" 2>/dev/null || fail "the server died"
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" \
		200 "healthz"
}

test_begin "malformed requests: 4xx"
H='Host: x\r\nConnection: close\r\n\r\n'
expect_4xx "bad percent-encoding" "b'GET /L/%ZZ%G HTTP/1.1\\r\\n$H'"
expect_4xx "truncated percent-encoding" "b'GET /L/ABCD% HTTP/1.1\\r\\n$H'"
expect_4xx "NUL byte" "b'GET /L/$SERIAL%00x HTTP/1.1\\r\\n$H'"
expect_4xx "NUL byte alone" "b'GET /L/%00 HTTP/1.1\\r\\n$H'"
expect_4xx "traversal" "b'GET /L/../../etc/passwd HTTP/1.1\\r\\n$H'"
expect_4xx "encoded traversal" "b'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\\r\\n$H'"
expect_4xx "encoded slashes" "b'GET /L/..%2f..%2fetc%2fpasswd HTTP/1.1\\r\\n$H'"
expect_4xx "traversal from the root" "b'GET /../../../etc/passwd HTTP/1.1\\r\\n$H'"
expect_4xx "non-UTF-8 code" "b'GET /L/%FF%FE%C0%AF HTTP/1.1\\r\\n$H'"
expect_4xx "raw non-UTF-8 bytes" "b'GET /L/\\xff\\xfe\\x80 HTTP/1.1\\r\\n$H'"
expect_4xx "overlong UTF-8 dot" "b'GET /L/%C0%AE%C0%AE/etc HTTP/1.1\\r\\n$H'"
expect_4xx "non-UTF-8 API code" "b'GET /api/v1/labels/%FF%00 HTTP/1.1\\r\\n$H'"
expect_4xx "GS1 path with NUL" "b'GET /01/%0089300000000%00 HTTP/1.1\\r\\n$H'"
expect_4xx "control bytes" "b'GET /L/\\x01\\x02\\x7f HTTP/1.1\\r\\n$H'"
expect_4xx "bad query" "b'GET /L/$SERIAL?lang=%ZZ&%%%=%00 HTTP/1.1\\r\\n$H'"
expect_4xx "long path" "b'GET /L/' + b'A' * 40000 + b' HTTP/1.1\\r\\n$H'"
expect_4xx "huge header" "b'GET /healthz HTTP/1.1\\r\\nX-Big: ' + b'a' * 100000 + b'\\r\\n$H'"
expect_4xx "many headers" "b'GET /healthz HTTP/1.1\\r\\n' + b'X-A: b\\r\\n' * 5000 + b'$H'"
expect_4xx "huge cookie" "b'GET /L/$SERIAL HTTP/1.1\\r\\nCookie: ' + b'c=1; ' * 8000 + b'\\r\\n$H'"
expect_4xx "bad method" "b'G\\x00T /L/$SERIAL HTTP/1.1\\r\\n$H'"
# libmicrohttpd answers an unknown protocol version itself: 505, the
# one 5xx a request's form gets; a TLS handshake on the plain port is
# closed without an answer
expect_eq "$(raw "b'GET /L/$SERIAL HTTP/9.9\\r\\n$H'")" 505 "bad version"
expect_eq "$(raw "b'\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03\\r\\n\\r\\n'")" closed \
	"a TLS handshake"
expect_4xx "bad content length" "b'POST /api/v1/scans HTTP/1.1\\r\\nContent-Length: -5\\r\\n$H'"
for p in /L/../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /static/../../etc/passwd \
	/L/..%2f..%2fetc%2fpasswd /assets/%2e%2e/%2e%2e/etc/passwd; do
	curl -s --path-as-is -o "$D/trav.out" "$BASE$p"
	grep -q 'root:' "$D/trav.out" && fail "$p: served /etc/passwd"
done
alive

test_begin "slow and idle clients are let go; others are served"
# 50 clients that sent half a request and went quiet, one that sends a
# byte a second: /healthz answers meanwhile, and the quiet ones are closed
# after the idle timeout (10 s)
$PY - "$HOST" "$PORT" "$BASE" >"$D/slow.out" <<'EOF'
import socket, sys, time, urllib.request
host, port, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
quiet = []
for _ in range(50):
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    quiet.append(s)
drip = socket.create_connection((host, port), timeout=30)
ok = 0
for i in range(5):
    drip.sendall(b"GET /healthz"[i:i + 1])
    with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
        ok += r.status == 200
    time.sleep(1)
print("served", ok)
start = time.monotonic()
closed = 0
for s in quiet:
    s.settimeout(max(0.1, 20 - (time.monotonic() - start)))
    try:
        if s.recv(1) == b"":
            closed += 1
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
print("closed", closed)
EOF
expect_contains "$D/slow.out" "served 5"
expect_contains "$D/slow.out" "closed 50"
alive

test_begin "many connections: one address gets at most 512"
$PY - "$HOST" "$PORT" >"$D/many.out" <<'EOF'
import select, socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
socks = []
for _ in range(600):
    try:
        socks.append(socket.create_connection((host, port), timeout=5))
    except OSError:
        break
time.sleep(1)
closed = 0
for s in socks:
    r, _, _ = select.select([s], [], [], 0)
    if r:
        try:
            if s.recv(1) == b"":
                closed += 1
        except OSError:
            closed += 1
print("opened", len(socks))
print("closed", closed)
for s in socks:
    s.close()
EOF
opened=$(sed -n 's/^opened //p' "$D/many.out")
closed=$(sed -n 's/^closed //p' "$D/many.out")
expect_eq "$opened" 600 "connections opened"
[ "${closed:-0}" -ge 80 ] || fail "only ${closed:-0} of 600 connections refused: the per-address limit is not in force"
# the address's connections count until the server's threads have seen
# them closed: a fixed half second was not always enough under a
# sanitizer on a busy machine (the next one was reset), so wait for it
for _ in $(seq 1 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ] && break
	sleep 0.1
done
alive
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/L/$SERIAL")" 200 \
	"a consumer GET after the flood"

test_begin "SIGTERM with idle and half-sent requests ends in its drain time"
$PY - "$HOST" "$PORT" "$SERVER_PID" >"$D/term.out" <<'EOF' &
import os, signal, socket, sys, time
host, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for i in range(40):
    s = socket.create_connection((host, port), timeout=5)
    if i % 2:
        s.sendall(b"POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"scans\":")
    socks.append(s)
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
print("sent")
time.sleep(20)
EOF
HOLD=$!
start=$(date +%s)
for _ in $(seq 1 30); do [ -s "$D/term.out" ] && break; sleep 0.1; done
wait "$SERVER_PID"
rc=$?
took=$(($(date +%s) - start))
SERVER_PID=
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null
expect_eq "$rc" 0 "the server's exit status"
echo "stopped ${took}s after SIGTERM"
[ "$took" -le 12 ] || fail "the server took ${took}s to stop (drain time 10 s)"
test_end
