#!/usr/bin/env bash
# Benchmark of the web console's admin dashboard, GET /console/, on the
# office's whole registry: 2,000 products, 1,000,000 labels and 10,000,000
# scans (tests/bench/gen_reports.c), signed in as an admin. Requests one
# after another over a kept-alive connection; prints p50, p90, p99 and the
# worst, first on a quiet server, then under a scan load: wrk -t1 -c16
# recording consumer scans of random labels (GET /L/{serial}, JSON) on the
# same server the whole time. Target: p99 <= 100 ms, both ways.
#
# The database is kept in $BENCH_BIN/dashboard.db and reused while the
# generator's parameters are unchanged (DASHBOARD_REGEN=1 forces a new one).
# DASHBOARD_SCANS / DASHBOARD_LABELS / DASHBOARD_PRODUCTS scale it down,
# DASHBOARD_REQUESTS sets the number of requests (default 200).
# BENCH_ENGINES: "sqlite pg" (default) or one of them. PostgreSQL gets a
# copy of the SQLite file (ocop db copy, some minutes for 10,000,000
# scans) in a throwaway server (tests/pg.sh), or DASHBOARD_PG names a
# database that already holds that copy (reused as it is). The load's
# scans stay in the database, in the dashboard's last 30 days: a reused
# database counts more of them at each run (DASHBOARD_REGEN=1 starts
# again from the generator's).
set -u
OCOP=${OCOP_BIN:?run via tests/bench/run or make bench}
BIN=${BENCH_BIN:?run via tests/bench/run or make bench}
GEN="$BIN/gen_reports"
DB="$BIN/dashboard.db"
PRODUCTS=${DASHBOARD_PRODUCTS:-2000}
LABELS=${DASHBOARD_LABELS:-1000000}
SCANS=${DASHBOARD_SCANS:-10000000}
REQUESTS=${DASHBOARD_REQUESTS:-200}
ENGINES=${BENCH_ENGINES:-sqlite pg}
AS_OF=2026-03-01
PY=/usr/bin/python3
PW='bench-password-1234'
cd "$(dirname "$0")/../.."

[ -x "$GEN" ] || { echo "FAIL: $GEN is not built (make bench)"; exit 1; }
[ -x "$OCOP" ] || { echo "FAIL: $OCOP is not built"; exit 1; }
for tool in sqlite3 wrk curl; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing"; exit 1; }
done

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
# the dashboard of the generator's day, 30 days of scans before it
export OCOP_NOW="${AS_OF}T10:00:00+07:00"
OCOP_DB="$DB" "$OCOP" init >/dev/null 2>&1 || { echo "FAIL: ocop init"; exit 1; }

dir=$(mktemp -d)
pid=
wrk_pid=
PGDIR=
cleanup() {
	[ -n "$wrk_pid" ] && kill "$wrk_pid" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$PGDIR" ] && tests/pg.sh stop "$PGDIR"
	rm -rf "$dir"
}
trap cleanup EXIT
sqlite3 "$DB" "SELECT serial FROM labels ORDER BY random() LIMIT 20000" \
	>"$dir/serials"
cat >"$dir/scan.lua" <<'EOF'
-- consumer scans of random labels, each stored before the answer
local serials = {}
for line in io.lines(os.getenv("DASHBOARD_SERIALS")) do
	serials[#serials + 1] = line
end
local headers = {["Accept"] = "application/json"}
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
	return wrk.format("GET", "/L/" .. serials[math.random(#serials)],
			  headers)
end
EOF

# times WHAT: REQUESTS dashboards by one curl on one kept-alive
# connection, the time of each from its start to its last byte; prints
# the percentiles
times() {
	local urls=()
	for _ in $(seq 1 "$REQUESTS"); do urls+=("$BASE/console/" -o /dev/null); done
	curl -s -b "$dir/jar" -w '%{http_code} %{time_total}\n' "${urls[@]}" \
		>"$dir/times"
	$PY - "$dir/times" "$1" <<'PYEOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
bad = [r for r in rows if r[0] != "200"]
t = sorted(float(r[1]) * 1000 for r in rows)
def pct(p):
    return t[min(len(t) - 1, int(round(p / 100 * len(t) + 0.5)) - 1)]
print("%s GET /console/ x%d: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, "
      "max %.1f ms%s; target p99 <= 100 ms: %s"
      % (sys.argv[2], len(t), pct(50), pct(90), pct(99), t[-1],
         "; %d not 200" % len(bad) if bad else "",
         "met" if pct(99) <= 100 else "MISSED"))
PYEOF
}

# bench ENGINE DB: the server on DB, an admin signed in, the dashboard
# quiet and then under the scan load
bench() {
	local e=$1 login link code
	export OCOP_DB=$2
	rm -f "$dir/port"
	"$OCOP" serve --listen 127.0.0.1:0 --port-file "$dir/port" --rate-limit 0 \
		>"$dir/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do [ -s "$dir/port" ] && break; sleep 0.05; done
	[ -s "$dir/port" ] || { echo "FAIL: $e: server: $(tail -3 "$dir/log")"; return 1; }
	BASE="http://$(head -1 "$dir/port")"
	login="bench-$(date +%s%N)@office.vn"
	link=$("$OCOP" user add "$login" --role admin 2>/dev/null) ||
		{ echo "FAIL: $e: ocop user add"; return 1; }
	curl -s -o /dev/null -X POST "$BASE/console/${link#*/console/}" \
		--data-urlencode "password=$PW" --data-urlencode "password2=$PW"
	code=$(curl -s -o /dev/null -w '%{http_code}' -c "$dir/jar" -X POST \
		"$BASE/console/login" --data-urlencode "login=$login" \
		--data-urlencode "password=$PW")
	[ "$code" = 303 ] || { echo "FAIL: $e: sign-in answered $code"; return 1; }
	code=$(curl -s -b "$dir/jar" -o "$dir/page" -w '%{http_code}' "$BASE/console/")
	[ "$code" = 200 ] || { echo "FAIL: $e: GET /console/ answered $code"; return 1; }
	printf '%s dashboard: %s products, page of %s bytes\n' "$e" \
		"$(grep -o '[0-9][0-9]* sản phẩm' "$dir/page" | head -1 | cut -d' ' -f1)" \
		"$(stat -c %s "$dir/page")"
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
	times "$e quiet:    "
	DASHBOARD_SERIALS="$dir/serials" wrk -t1 -c16 -d600s -s "$dir/scan.lua" \
		"$BASE" >"$dir/wrk.log" 2>&1 &
	wrk_pid=$!
	sleep 2
	times "$e scan load:"
	kill -INT "$wrk_pid" 2>/dev/null
	wait "$wrk_pid" 2>/dev/null
	wrk_pid=
	echo "  the load: $(grep -E 'Requests/sec' "$dir/wrk.log" | tr -s ' ' | cut -d' ' -f2) scans/s recorded meanwhile$(grep -o ', Non-2xx[^0-9]*[0-9]*' "$dir/wrk.log")"
	kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
}

rc=0
for e in $ENGINES; do
	case $e in
	sqlite) bench sqlite "$DB" || rc=1 ;;
	pg)
		uri=${DASHBOARD_PG:-}
		if [ -z "$uri" ]; then
			PGDIR=$(tests/pg.sh start) ||
				{ echo "FAIL: cannot start PostgreSQL"; rc=1; continue; }
			uri="postgresql:///postgres?host=$PGDIR&user=postgres"
			echo "copying $DB to PostgreSQL (takes some minutes)"
			"$OCOP" db copy "$DB" "$uri" >"$dir/copy.log" 2>&1 ||
				{ echo "FAIL: db copy: $(tail -3 "$dir/copy.log")"; rc=1; continue; }
		fi
		OCOP_DB=$uri "$OCOP" init >/dev/null 2>&1 ||
			{ echo "FAIL: pg: ocop init"; rc=1; continue; }
		bench pg "$uri" || rc=1
		;;
	*) echo "FAIL: unknown engine '$e' (sqlite, pg)"; rc=1 ;;
	esac
done
exit $rc
