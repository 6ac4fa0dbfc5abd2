#!/usr/bin/env bash
# Benchmark of the GS1 resolver: wrk -t2 -c64 over random label Digital
# Link URIs of a bench database, alternating in one run so that they share
# the machine's noise:
#   redirect: GET /01/{gtin}/10/{lot}/21/{serial} -> 307 to /L/{serial}
#   linkset:  the same with ?linkType=linkset -> 200 linkset JSON
#   lookup:   GET /api/v1/labels/{serial}, the verification record (the
#             reference: a read of the same label through another route)
# Prints req/s, the ratio to lookup, p99 latency and errors (non-2xx/3xx).
# Target: redirect >= 0.8x lookup (a redirect costs one label lookup).
set -u
cd "$(dirname "$0")/../.."
OCOP=${OCOP_BIN:-$PWD/build/ocop}
ROUNDS=${BENCH_ROUNDS:-2}
DURATION=${BENCH_DURATION:-5s}
LABELS=${BENCH_LABELS:-20000}
DIR=$(mktemp -d)
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
	rm -rf "$DIR"
}
trap cleanup EXIT
die() {
	echo "bench resolver: $*" >&2
	exit 1
}
for tool in wrk curl; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -x "$OCOP" ] || die "$OCOP is not built"

export OCOP_DB="$DIR/bench.db"
"$OCOP" init >/dev/null 2>&1 || die "init failed"
"$OCOP" registry import assets/demo/registry.csv >/dev/null 2>&1 ||
	die "registry import failed"
# a product with a GTIN, so that its labels carry Digital Link URIs
"$OCOP" label issue 87-30571-001-2019 --count "$LABELS" --lot B2406 \
	--format csv --out "$DIR/labels" >/dev/null 2>&1 || die "label issue failed"
tail -n +2 "$DIR/labels/labels.csv" | cut -d, -f2 |
	sed 's|^[A-Z]*://[^/]*||' >"$DIR/paths"
grep -q '^/01/' "$DIR/paths" || die "labels carry no Digital Link URI"
tail -n +2 "$DIR/labels/labels.csv" | cut -d, -f1 | sed 's|^|/api/v1/labels/|' \
	>"$DIR/lookups"

cat >"$DIR/random.lua" <<'EOF'
-- random paths from BENCH_PATHS, with BENCH_QUERY appended
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
	paths[#paths + 1] = line
end
local query = os.getenv("BENCH_QUERY") or ""
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
	return wrk.format("GET", paths[math.random(#paths)] .. query)
end
EOF

"$OCOP" serve --listen 127.0.0.1:0 --port-file "$DIR/port" --rate-limit 0 \
	2>"$DIR/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
	[ -s "$DIR/port" ] && break
	sleep 0.05
done
[ -s "$DIR/port" ] || die "server did not start: $(cat "$DIR/server.log")"
BASE="http://$(cat "$DIR/port")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$(head -1 "$DIR/paths")")
[ "$code" = 307 ] || die "a label URI answered $code, not 307"

# run NAME PATHS QUERY: one wrk run; appends "NAME RPS P99MS ERRORS"
run() {
	local out
	out=$(BENCH_PATHS=$2 BENCH_QUERY=$3 wrk -t2 -c64 -d"$DURATION" \
		--latency -s "$DIR/random.lua" "$BASE")
	echo "$out" >>"$DIR/wrk.log"
	echo "$out" | awk -v name="$1" '
		/Requests\/sec:/ { rps = $2 }
		/^ +99%/ { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
			   if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
			   p99 = v }
		/Non-2xx/ { err += $NF }
		/Socket errors/ { err += 1 }
		END { printf "%s %s %s %d\n", name, rps, p99, err }' >>"$DIR/results"
}

sync # earlier benches' writes go to disk now, not during the rounds
for r in $(seq 1 "$ROUNDS"); do
	run lookup "$DIR/lookups" ""
	run redirect "$DIR/paths" ""
	run linkset "$DIR/paths" "?linkType=linkset"
done

awk -v labels="$LABELS" '
	{ n[$1]++; rps[$1] += $2; if ($3 > p99[$1]) p99[$1] = $3; err[$1] += $4 }
	END {
		ref = rps["lookup"] / n["lookup"]
		printf "resolver bench: wrk -t2 -c64, %d labels, %d rounds\n", labels, n["lookup"]
		printf "%-10s %10s %8s %10s %7s\n", "target", "req/s", "ratio", "p99 ms", "errors"
		split("lookup redirect linkset", names, " ")
		for (i = 1; i <= 3; i++) {
			k = names[i]; v = rps[k] / n[k]
			printf "%-10s %10.0f %8.2f %10.2f %7d\n", k, v, v / ref, p99[k], err[k]
		}
		red = rps["redirect"] / n["redirect"] / ref
		printf "target: redirect >= 0.80x lookup %s\n", (red >= 0.8) ? "met" : "MISSED"
	}' "$DIR/results"
