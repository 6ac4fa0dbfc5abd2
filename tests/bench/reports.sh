#!/usr/bin/env bash
# Benchmark of the inspector reports: a database of 2,000 products,
# 1,000,000 labels and 10,000,000 scans (tests/bench/gen_reports.c), then
# each report timed through the real command with its peak memory.
# Target: circulation over 10 M scans in <= 3 s on 2 cores, memory bounded.
# Then the same on PostgreSQL (a throwaway server, tests/pg.sh), the
# database loaded from the SQLite one by 'ocop db copy'; target <= 5 s.
# REPORTS_ENGINES: "sqlite pg" (default) or one of them.
#
# The database is kept in $BENCH_BIN/reports.db and reused while the
# generator's parameters are unchanged (REPORTS_REGEN=1 forces a new one).
# REPORTS_SCANS / REPORTS_LABELS / REPORTS_PRODUCTS scale it down.
set -u
OCOP=${OCOP_BIN:?run via tests/bench/run or make bench}
BIN=${BENCH_BIN:?run via tests/bench/run or make bench}
GEN="$BIN/gen_reports"
DB="$BIN/reports.db"
PRODUCTS=${REPORTS_PRODUCTS:-2000}
LABELS=${REPORTS_LABELS:-1000000}
SCANS=${REPORTS_SCANS:-10000000}
AS_OF=2026-03-01
RUNS=3
PY=/usr/bin/python3

[ -x "$GEN" ] || { echo "FAIL: $GEN is not built (make bench)"; exit 1; }
[ -x "$OCOP" ] || { echo "FAIL: $OCOP is not built"; exit 1; }
[ -x "$PY" ] || { echo "FAIL: $PY is missing"; exit 1; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 is missing"; exit 1; }

# timed OUT CMD...: run CMD with its stdout to OUT; prints "SECONDS PEAK_KB",
# the wall time and the peak resident set size of the command
timed() {
	$PY -c '
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "wb") as out:
    rc = subprocess.call(sys.argv[2:], stdout=out)
t = time.monotonic() - t
print("%.2f %d" % (t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$@"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

want="products=$PRODUCTS labels=$LABELS scans=$SCANS"
have=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'bench_gen'" 2>/dev/null || true)
if [ "${REPORTS_REGEN:-0}" = 1 ] || [ "${have#"$want"}" = "$have" ]; then
	echo "generating $want (takes a minute or two)"
	timed /dev/null "$GEN" "$DB" --products "$PRODUCTS" --labels "$LABELS" \
		--scans "$SCANS" --as-of "$AS_OF" >"$BIN/time.txt" || {
		echo "FAIL: generator"
		exit 1
	}
	read -r t m <"$BIN/time.txt"
	echo "generated in $t s"
else
	echo "reusing $DB ($have)"
fi
printf 'database: %s MB, %s scans\n' \
	"$(($(stat -c %s "$DB") / 1048576))" \
	"$(sqlite3 "$DB" 'SELECT max(id) FROM scans')"

# run NAME ARGS...: RUNS timed runs on $ON; prints the best and worst
# wall time, the peak RSS and the number of entries.
rc=0
ON=$DB
LIMIT=3
run() {
	local name=$1
	shift
	local best= worst= rss=0 n out="$BIN/report-$name.json" t m
	for _ in $(seq 1 $RUNS); do
		if ! timed "$out" "$OCOP" --db "$ON" report "$name" \
			--as-of "$AS_OF" --format json "$@" >"$BIN/time.txt"; then
			echo "FAIL $name: exit status not 0"
			rc=1
			return
		fi
		read -r t m <"$BIN/time.txt"
		{ [ -z "$best" ] || lt "$t" "$best"; } && best=$t
		{ [ -z "$worst" ] || lt "$worst" "$t"; } && worst=$t
		[ "$m" -gt "$rss" ] && rss=$m
	done
	n=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$out")
	printf '%-12s best %5.2f s  worst %5.2f s  peak RSS %4d MB  %6d entries\n' \
		"$name" "$best" "$worst" $((rss / 1024)) "$n"
	if [ "$name" = circulation ] && lt "$LIMIT" "$best"; then
		echo "   over the $LIMIT s target"
		rc=1
	fi
}

engines=${REPORTS_ENGINES:-sqlite pg}
PGDIR=
trap '[ -n "$PGDIR" ] && tests/pg.sh stop "$PGDIR"' EXIT
for engine in $engines; do
	case $engine in
	sqlite) ON=$DB LIMIT=3 ;;
	pg)
		PGDIR=$(tests/pg.sh start) || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
		ON="postgresql:///postgres?host=$PGDIR&user=postgres"
		LIMIT=5
		timed /dev/null "$OCOP" db copy "$DB" "$ON" >"$BIN/time.txt" || {
			echo "FAIL: ocop db copy into PostgreSQL"
			exit 1
		}
		read -r t m <"$BIN/time.txt"
		echo "PostgreSQL loaded by 'ocop db copy' in $t s"
		;;
	*) echo "FAIL: unknown engine '$engine'"; exit 1 ;;
	esac
	echo "$engine, as of $AS_OF, $RUNS runs each, $(nproc) cores:"
	run circulation
	run lapsed
	run expiring
	run clones
	run unknown
	# the other formats cost little beside the computing
	for f in csv html table; do
		timed /dev/null "$OCOP" --db "$ON" report circulation --as-of "$AS_OF" \
			--format "$f" >"$BIN/time.txt"
		read -r t m <"$BIN/time.txt"
		printf 'circulation as %-5s %5.2f s  peak RSS %4d MB\n' "$f" "$t" $((m / 1024))
	done
	if [ -n "$PGDIR" ]; then
		tests/pg.sh stop "$PGDIR"
		PGDIR=
	fi
done
rm -f "$BIN/time.txt"
exit $rc
