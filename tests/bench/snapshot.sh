#!/usr/bin/env bash
# Benchmark of the field snapshot (SPEC 9): 1,000,000 labels over 20
# products (tests/bench/gen_reports.c), then the snapshot of all of them:
# its size, the time to build it (ocop snapshot) and one offline
# verification from the file (ocop verify --offline, and the browser's
# reader under node), for a genuine label and for a made-up code (which
# reads every batch's set). Targets: <= 8 MB (aim 4 MB), built in <= 10 s,
# one verification <= 1 s.
#
# Batches of 1,000 labels by default (SNAPSHOT_BATCH=100 for the worst
# case of many small batches); the database is kept in
# $BENCH_BIN/snapshot-B.db and reused.
set -u
OCOP=${OCOP_BIN:?run via tests/bench/run or make bench}
BIN=${BENCH_BIN:?run via tests/bench/run or make bench}
GEN="$BIN/gen_reports"
LABELS=${SNAPSHOT_LABELS:-1000000}
PRODUCTS=${SNAPSHOT_PRODUCTS:-20}
BATCH=${SNAPSHOT_BATCH:-1000}
DB="$BIN/snapshot-$BATCH.db"
SNAP="$BIN/snapshot-$BATCH.snap"
READER="$(cd "$(dirname "$0")/../../assets/field" && pwd)/snapshot.js"
PY=/usr/bin/python3
export OCOP_NOW=2026-03-01T10:00:00+07:00

[ -x "$GEN" ] || { echo "FAIL: $GEN is not built (make bench)"; exit 1; }
[ -x "$OCOP" ] || { echo "FAIL: $OCOP is not built"; exit 1; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 is missing"; exit 1; }
command -v node >/dev/null || { echo "FAIL: node is missing"; exit 1; }

# timed CMD...: wall seconds and peak RSS (KB) of CMD, stdout discarded
timed() {
	$PY -c '
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
t = time.monotonic() - t
print("%.3f %d" % (t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$@"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

want="products=$PRODUCTS labels=$LABELS scans=1 "
have=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'bench_gen'" 2>/dev/null || true)
if [ "${have#"$want"}" = "$have" ] || [ "${have%"batch=$BATCH"}" = "$have" ]; then
	echo "generating $LABELS labels over $PRODUCTS products, batches of $BATCH"
	"$GEN" "$DB" --products "$PRODUCTS" --labels "$LABELS" --scans 1 \
		--batch-size "$BATCH" --as-of 2026-03-01 >/dev/null || {
		echo "FAIL: generator"
		exit 1
	}
fi
rc=0
best=
for _ in 1 2 3; do
	read -r t m < <(timed "$OCOP" --db "$DB" snapshot --province all --out "$SNAP")
	[ -s "$SNAP" ] || { echo "FAIL: no snapshot"; exit 1; }
	{ [ -z "$best" ] || lt "$t" "$best"; } && best=$t && rss=$m
done
size=$(stat -c %s "$SNAP")
batches=$(sqlite3 "$DB" 'SELECT count(*) FROM batches')
printf 'snapshot of %d labels, %d products, %d batches: %d bytes (%.2f MB, %.1f bits a label)\n' \
	"$LABELS" "$PRODUCTS" "$batches" "$size" "$($PY -c "print($size / 1e6)")" \
	"$($PY -c "print($size * 8 / $LABELS)")"
printf 'build (ocop snapshot, best of 3): %s s, peak RSS %d MB\n' "$best" $((rss / 1024))
lt 8000000 "$size" && { echo "   over the 8 MB limit"; rc=1; }
lt 10 "$best" && { echo "   over the 10 s target"; rc=1; }

GENUINE=$(sqlite3 "$DB" "SELECT serial FROM labels WHERE voided_at IS NULL ORDER BY id DESC LIMIT 1")
"$OCOP" --db "$DB" key list --json >"$BIN/snapshot-keys.json"
for code in "$GENUINE" 0000000000000000; do
	read -r t m < <(timed "$OCOP" --db "$DB" verify --offline "$SNAP" "$code")
	verdict=$("$OCOP" --db "$DB" verify --offline "$SNAP" "$code" --json |
		$PY -c 'import json,sys; d=json.load(sys.stdin); print(d["verdict"], d["reason"])')
	printf 'ocop verify --offline %s: %s s (%s), peak RSS %d MB\n' "$code" "$t" "$verdict" $((m / 1024))
	lt 1 "$t" && { echo "   over the 1 s target"; rc=1; }
	t=$(node --input-type=module -e '
import { readFileSync } from "node:fs";
const [reader, file, keys, code, now] = process.argv.slice(1);
const t0 = performance.now();
const { openSnapshot } = await import(reader);
const snap = await openSnapshot(readFileSync(file), JSON.parse(readFileSync(keys)), { now });
const r = await snap.judge(code, now);
console.log(((performance.now() - t0) / 1000).toFixed(3), r.verdict, r.reason);
' "$READER" "$SNAP" "$BIN/snapshot-keys.json" "$code" "$OCOP_NOW")
	set -- $t
	printf 'node reader (read, verify, judge) %s: %s s (%s %s)\n' "$code" "$1" "$2" "$3"
done
exit $rc
