#!/usr/bin/env bash
# Issuing 10,000 PDF labels from the web console against `ocop label issue`:
#  - the command: `ocop label issue CODE --count 10000 --out DIR` (serials,
#    QR codes, the PDF, the manifest, sync, commit);
#  - the form: POST /console/products/CODE/issue (the batch stored, no
#    file) then GET /console/batches/ID/labels.pdf (the PDF made from the
#    stored serials and sent), by curl over loopback, signed in;
# each the median of 3 runs, taken in turns so both see the same machine;
# the form's two requests are also shown apart. Then the dashboard of the
# office (GET /console/, a page of 50 products of 2,000 with their
# scans of the last 30 days): median and p99 of 200 requests, over a
# registry without scans and over 10,000,000 scans (gen_reports).
set -u
OCOP=${OCOP_BIN:?OCOP_BIN is set by tests/bench/run}
PY=/usr/bin/python3
RUNS=${CONSOLE_BENCH_RUNS:-3}
COUNT=10000
W=$(mktemp -d "$(dirname "$OCOP")/console-bench.XXXXXX")
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
export OCOP_DB="$W/bench.db"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
median() { tr ' ' '\n' | sort -n | sed -n "$(((RUNS + 1) / 2))p"; }

# 2,000 products of 1,000 producers, all in force; the producer's is P-0001
$PY - "$W/reg.csv" <<'EOF'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("code,name,group,gtin,producer,producer_kind,province,address,"
            "stars,decision_no,decided_on,issuer,valid_until\n")
    for i in range(1, 2001):
        f.write(f"P-{i:04d},Sản phẩm số {i},I,,HTX số {(i + 1) // 2},HTX,"
                f"Đồng Tháp,Ấp {i},4,{i}/QĐ-UBND,2025-0{1 + i % 9}-10,"
                f"UBND tỉnh Đồng Tháp,\n")
EOF
"$OCOP" init --base-url "$BASE" >/dev/null 2>&1 || exit 1
"$OCOP" registry import "$W/reg.csv" >/dev/null 2>&1 || exit 1
LINK=$("$OCOP" user add 0901000001 --role producer --producer P-0001 2>/dev/null)
ADMIN=$("$OCOP" user add office@example.vn --role admin 2>/dev/null)
"$OCOP" serve --listen "127.0.0.1:$PORT" --port-file "$W/port" --rate-limit 0 \
	>"$W/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$W/port" ] && break; sleep 0.05; done
for l in "$LINK" "$ADMIN"; do
	curl -s -o /dev/null --data-urlencode password=matkhaubench1 \
		--data-urlencode password2=matkhaubench1 "$BASE${l#"$BASE"}"
done
curl -s -o /dev/null -c "$W/jar" -d login=0901000001 -d password=matkhaubench1 \
	"$BASE/console/login"
curl -s -o /dev/null -c "$W/admin" -d login=office@example.vn \
	-d password=matkhaubench1 "$BASE/console/login"
CSRF=$(curl -s -b "$W/jar" "$BASE/console/" | grep -o 'name="csrf" value="[^"]*"' |
	head -1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] || { echo "console bench: cannot sign in"; exit 1; }

cmd_ms=() form_ms=() post_ms=() get_ms=()
for r in $(seq 1 $RUNS); do
	t0=$(now)
	"$OCOP" label issue P-0001 --count $COUNT --out "$W/cli$r" >/dev/null 2>&1 ||
		{ echo "console bench: ocop label issue failed"; exit 1; }
	t1=$(now)
	cmd_ms+=("$(ms "$t0" "$t1")")
	t0=$(now)
	loc=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$W/jar" -d "csrf=$CSRF" \
		-d count=$COUNT -d format=pdf -d size_mm=30 \
		"$BASE/console/products/P-0001/issue")
	t1=$(now)
	id=$(echo "$loc" | sed -n 's|.*/console/batches/\([0-9]*\).*|\1|p')
	[ -n "$id" ] || { echo "console bench: the form did not issue"; exit 1; }
	code=$(curl -s -o "$W/form$r.pdf" -w '%{http_code}' -b "$W/jar" \
		"$BASE/console/batches/$id/labels.pdf")
	t2=$(now)
	[ "$code" = 200 ] || { echo "console bench: labels.pdf answered $code"; exit 1; }
	post_ms+=("$(ms "$t0" "$t1")")
	get_ms+=("$(ms "$t1" "$t2")")
	form_ms+=("$(ms "$t0" "$t2")")
done
cmd=$(echo "${cmd_ms[*]}" | median)
form=$(echo "${form_ms[*]}" | median)
post=$(echo "${post_ms[*]}" | median)
get=$(echo "${get_ms[*]}" | median)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "10,000 PDF labels, ocop label issue:     ${cmd} ms (median of $RUNS: ${cmd_ms[*]})"
echo "10,000 PDF labels, console form + PDF:   ${form} ms (median of $RUNS: ${form_ms[*]})"
echo "  of which POST issue (batch stored):    ${post} ms"
echo "  of which GET labels.pdf (made, sent):  ${get} ms"
echo "  PDF size: command $(stat -c %s "$W/cli1/labels.pdf") B, console $(stat -c %s "$W/form1.pdf") B"

# dash URL JAR: the dashboard's median and p99 over 200 requests
dash() {
	$PY - "$1" "$2" <<'EOF'
import sys, time, urllib.request
# curl's jar keeps HttpOnly cookies on lines starting "#HttpOnly_"
cookie = [l.split("\t") for l in open(sys.argv[2]) if "ocop_session" in l][0]
req = urllib.request.Request(sys.argv[1], headers={
    "Cookie": "ocop_session=" + cookie[6].strip()})
t = []
for i in range(220):
    t0 = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = r.read()
        assert r.status == 200 and b'class="card"' in body
    if i >= 20:
        t.append((time.perf_counter() - t0) * 1000)
t.sort()
print("median %.1f ms, p99 %.1f ms (200 requests)"
      % (t[len(t) // 2], t[int(len(t) * 0.99) - 1]))
EOF
}
echo "dashboard, 2,000 products, no scans: $(dash "$BASE/console/" "$W/admin")"
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null
SERVER_PID=

# the office of SPEC 8's target: 2,000 products, 1,000,000 labels and
# 10,000,000 scans up to today (tests/bench/gen_reports.c)
GEN=${BENCH_BIN:-}/gen_reports
if [ ! -x "$GEN" ]; then
	echo "FAIL: $GEN is not built (make bench)"
	exit 1
fi
export OCOP_DB="$W/office.db"
"$GEN" "$OCOP_DB" --as-of "$(TZ=Asia/Ho_Chi_Minh date +%F)" >"$W/gen.log" 2>&1 ||
	{ echo "console bench: gen_reports failed"; cat "$W/gen.log"; exit 1; }
"$OCOP" init --base-url "$BASE" >/dev/null 2>&1 || exit 1
ADMIN=$("$OCOP" user add office@example.vn --role admin 2>/dev/null)
rm -f "$W/port"
"$OCOP" serve --listen "127.0.0.1:$PORT" --port-file "$W/port" --rate-limit 0 \
	>"$W/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$W/port" ] && break; sleep 0.05; done
curl -s -o /dev/null --data-urlencode password=matkhaubench1 \
	--data-urlencode password2=matkhaubench1 "$BASE${ADMIN#"$BASE"}"
curl -s -o /dev/null -c "$W/admin" -d login=office@example.vn \
	-d password=matkhaubench1 "$BASE/console/login"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dashboard, 2,000 products and 10,000,000 scans: $(dash "$BASE/console/" "$W/admin")"
