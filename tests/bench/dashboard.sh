#!/usr/bin/env bash
# Benchmark of the web console's admin dashboard, GET /console/, on the
# office's whole registry: 2,000 products, 1,000,000 labels and 10,000,000
# scans (tests/bench/gen_reports.c), signed in as an admin. Requests one
# after another over a kept-alive connection; prints p50, p90, p99 and the
# worst. Target: p99 <= 100 ms.
#
# The database is kept in $BENCH_BIN/dashboard.db and reused while the
# generator's parameters are unchanged (DASHBOARD_REGEN=1 forces a new one).
# DASHBOARD_SCANS / DASHBOARD_LABELS / DASHBOARD_PRODUCTS scale it down,
# DASHBOARD_REQUESTS sets the number of requests (default 200).
set -u
OCOP=${OCOP_BIN:?run via tests/bench/run or make bench}
BIN=${BENCH_BIN:?run via tests/bench/run or make bench}
GEN="$BIN/gen_reports"
DB="$BIN/dashboard.db"
PRODUCTS=${DASHBOARD_PRODUCTS:-2000}
LABELS=${DASHBOARD_LABELS:-1000000}
SCANS=${DASHBOARD_SCANS:-10000000}
REQUESTS=${DASHBOARD_REQUESTS:-200}
AS_OF=2026-03-01
PY=/usr/bin/python3
PW='bench-password-1234'

[ -x "$GEN" ] || { echo "FAIL: $GEN is not built (make bench)"; exit 1; }
[ -x "$OCOP" ] || { echo "FAIL: $OCOP is not built"; exit 1; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 is missing"; exit 1; }

want="products=$PRODUCTS labels=$LABELS scans=$SCANS"
have=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'bench_gen'" 2>/dev/null || true)
if [ "${DASHBOARD_REGEN:-0}" = 1 ] || [ "${have#"$want"}" = "$have" ]; then
	echo "generating $want (takes a few minutes)"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$GEN" "$DB" --products "$PRODUCTS" --labels "$LABELS" \
		--scans "$SCANS" --as-of "$AS_OF" >/dev/null ||
		{ echo "FAIL: generator"; exit 1; }
else
	echo "reusing $DB ($have)"
fi
export OCOP_DB="$DB"
# the dashboard of the generator's day, 30 days of scans before it
export OCOP_NOW="${AS_OF}T10:00:00+07:00"
"$OCOP" init >/dev/null 2>&1 || { echo "FAIL: ocop init"; exit 1; }

dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
"$OCOP" serve --listen 127.0.0.1:0 --port-file "$dir/port" --rate-limit 0 >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -s "$dir/port" ] && break; sleep 0.05; done
[ -s "$dir/port" ] || { echo "FAIL: server: $(tail -3 "$dir/log")"; exit 1; }
BASE="http://$(head -1 "$dir/port")"

login="bench-$(date +%s%N)@office.vn"
link=$("$OCOP" user add "$login" --role admin 2>/dev/null) ||
	{ echo "FAIL: ocop user add"; exit 1; }
curl -s -o /dev/null -X POST "$BASE/console/${link#*/console/}" \
	--data-urlencode "password=$PW" --data-urlencode "password2=$PW"
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$dir/jar" -X POST \
	"$BASE/console/login" --data-urlencode "login=$login" \
	--data-urlencode "password=$PW")
[ "$code" = 303 ] || { echo "FAIL: sign-in answered $code"; exit 1; }
code=$(curl -s -b "$dir/jar" -o "$dir/page" -w '%{http_code}' "$BASE/console/")
[ "$code" = 200 ] || { echo "FAIL: GET /console/ answered $code"; exit 1; }
printf 'dashboard: %s products, page of %s bytes\n' \
	"$(grep -o '[0-9][0-9]* sản phẩm' "$dir/page" | head -1 | cut -d' ' -f1)" \
	"$(stat -c %s "$dir/page")"

# one curl, REQUESTS transfers on one kept-alive connection: the time of
# each from its start to its last byte
urls=()
for _ in $(seq 1 "$REQUESTS"); do urls+=("$BASE/console/" -o /dev/null); done
curl -s -b "$dir/jar" -w '%{http_code} %{time_total}\n' "${urls[@]}" \
	>"$dir/times"
$PY - "$dir/times" <<'PYEOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
bad = [r for r in rows if r[0] != "200"]
t = sorted(float(r[1]) * 1000 for r in rows)
def pct(p):
    return t[min(len(t) - 1, int(round(p / 100 * len(t) + 0.5)) - 1)]
print("GET /console/ x%d: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%s"
      % (len(t), pct(50), pct(90), pct(99), t[-1],
         "; %d not 200" % len(bad) if bad else ""))
print("target p99 <= 100 ms: %s" % ("met" if pct(99) <= 100 else "MISSED"))
PYEOF
