#!/usr/bin/env bash
# Benchmark of the HTTP service against nginx serving one static JSON
# response of the same size, on this machine, alternating the three in
# one run so that they share its noise:
#   recording: GET /L/{serial} with Accept: application/json (each request
#              looks the label up and stores a scan before answering)
#   lookup:    GET /api/v1/labels/{serial} (reads only)
#   nginx:     the static file
# wrk -t2 -c64 -d5s --latency over random serials of a bench database.
# Prints req/s, the ratio to nginx, p99 latency and the server's peak RSS.
# Targets: recording >= 0.5x nginx, lookup >= 0.8x, p99 <= 20 ms,
# RSS <= 64 MB.
set -u
cd "$(dirname "$0")/../.."
OCOP=${OCOP_BIN:-$PWD/build/ocop}
ROUNDS=${BENCH_ROUNDS:-4}
DURATION=${BENCH_DURATION:-5s}
LABELS=${BENCH_LABELS:-20000}
DIR=$(mktemp -d)
SERVER_PID=
NGINX_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID"
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID"
	rm -rf "$DIR"
}
trap cleanup EXIT
die() {
	echo "bench server: $*" >&2
	exit 1
}
for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -x "$OCOP" ] || die "$OCOP is not built"

export OCOP_DB="$DIR/bench.db"
"$OCOP" init >/dev/null 2>&1 || die "init failed"
"$OCOP" registry import assets/demo/registry.csv >/dev/null 2>&1 ||
	die "registry import failed"
"$OCOP" label issue 87-30571-001-2019 --count "$LABELS" --format csv \
	--out "$DIR/labels" >/dev/null 2>&1 || die "label issue failed"
tail -n +2 "$DIR/labels/labels.csv" | cut -d, -f1 >"$DIR/serials"

cat >"$DIR/random.lua" <<'EOF'
-- random serials from the bench database; BENCH_PREFIX picks the route
local serials = {}
for line in io.lines(os.getenv("BENCH_SERIALS")) do
	serials[#serials + 1] = line
end
local prefix = os.getenv("BENCH_PREFIX")
local headers = {["Accept"] = "application/json"}
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
	return wrk.format("GET", prefix .. serials[math.random(#serials)],
			  headers)
end
EOF
export BENCH_SERIALS="$DIR/serials"

"$OCOP" serve --listen 127.0.0.1:0 --port-file "$DIR/port" --rate-limit 0 \
	2>"$DIR/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
	[ -s "$DIR/port" ] && break
	sleep 0.05
done
[ -s "$DIR/port" ] || die "server did not start: $(cat "$DIR/server.log")"
BASE="http://$(cat "$DIR/port")"

# nginx: the same JSON body as a static file, a non-daemon child
mkdir -p "$DIR/nginx/html" "$DIR/nginx/logs" "$DIR/nginx/tmp"
curl -s "$BASE/api/v1/labels/$(head -1 "$DIR/serials")" \
	>"$DIR/nginx/html/record.json"
size=$(wc -c <"$DIR/nginx/html/record.json")
[ "$size" -gt 100 ] || die "no record JSON from the server"
NGINX_PORT=$((20000 + RANDOM % 20000))
cat >"$DIR/nginx/nginx.conf" <<EOF
user root;
worker_processes 2;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/logs/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $DIR/nginx/tmp;
	proxy_temp_path $DIR/nginx/tmp;
	fastcgi_temp_path $DIR/nginx/tmp;
	uwsgi_temp_path $DIR/nginx/tmp;
	scgi_temp_path $DIR/nginx/tmp;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $DIR/nginx/html;
		location / {
			default_type application/json;
			rewrite ^ /record.json break;
		}
	}
}
EOF
nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -g 'daemon off;' \
	2>>"$DIR/nginx/logs/error.log" &
NGINX_PID=$!
for _ in $(seq 1 100); do
	curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/x" && break
	sleep 0.05
done
curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/x" ||
	die "nginx did not start: $(cat "$DIR/nginx/logs/error.log")"

# cpu_ticks PID: user + system clock ticks of a process (its threads
# included) and its child processes (nginx's workers)
cpu_ticks() {
	local t=0 p
	for p in "$1" $(pgrep -P "$1"); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo "$t"
}

# run NAME URL PREFIX PID: one wrk run; appends
# "NAME RPS P99MS ERRORS CPU_US_PER_REQUEST" (CPU of process PID: a figure
# that the noise of a shared machine disturbs less than req/s)
run() {
	local out t0 t1 hz
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks "$4")
	out=$(BENCH_PREFIX=$3 wrk -t2 -c64 -d"$DURATION" --latency \
		-s "$DIR/random.lua" "$2")
	t1=$(cpu_ticks "$4")
	echo "$out" >>"$DIR/wrk.log"
	echo "$out" | awk -v name="$1" -v ticks=$((t1 - t0)) -v hz="$hz" '
		/requests in/ { reqs = $1 }
		/Requests\/sec:/ { rps = $2 }
		/^ +99%/ { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
			   if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
			   p99 = v }
		/Non-2xx/ { err += $NF }
		/Socket errors/ { err += 1 }
		END { printf "%s %s %s %d %.1f\n", name, rps, p99, err,
			     reqs ? ticks / hz * 1e6 / reqs : 0 }' >>"$DIR/results"
}

# what earlier benches wrote (the reports database: gigabytes) is written
# back now, not during the rounds, where the server's log syncs would wait
# behind it
sync
for r in $(seq 1 "$ROUNDS"); do
	run nginx "http://127.0.0.1:$NGINX_PORT" /r/ "$NGINX_PID"
	run recording "$BASE" /L/ "$SERVER_PID"
	run lookup "$BASE" /api/v1/labels/ "$SERVER_PID"
done
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
stored=$("$OCOP" db stats --json 2>/dev/null |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["tables"]["scans"])' 2>/dev/null ||
	echo "?")

awk -v rss="$rss" -v size="$size" -v stored="$stored" -v labels="$LABELS" '
	{ n[$1]++; rps[$1] += $2; if ($3 > p99[$1]) p99[$1] = $3; err[$1] += $4; cpu[$1] += $5 }
	END {
		ng = rps["nginx"] / n["nginx"]
		printf "server bench: wrk -t2 -c64, %d-byte JSON, %d labels, %d rounds\n", size, labels, n["nginx"]
		printf "%-10s %10s %8s %10s %7s %12s\n", "target", "req/s", "ratio", "p99 ms", "errors", "cpu us/req"
		split("nginx recording lookup", names, " ")
		for (i = 1; i <= 3; i++) {
			k = names[i]; v = rps[k] / n[k]
			printf "%-10s %10.0f %8.2f %10.2f %7d %12.1f\n", k, v, v / ng, p99[k], err[k], cpu[k] / n[k]
		}
		printf "server peak RSS (VmHWM): %.1f MB; scans stored: %s\n", rss / 1024, stored
		rec = rps["recording"] / n["recording"] / ng
		look = rps["lookup"] / n["lookup"] / ng
		worst = (p99["recording"] > p99["lookup"]) ? p99["recording"] : p99["lookup"]
		printf "targets: recording >= 0.50x %s, lookup >= 0.80x %s, p99 <= 20 ms %s, RSS <= 64 MB %s\n",
			(rec >= 0.5) ? "met" : "MISSED", (look >= 0.8) ? "met" : "MISSED",
			(worst <= 20) ? "met" : "MISSED", (rss <= 65536) ? "met" : "MISSED"
	}' "$DIR/results"
kill "$SERVER_PID" && wait "$SERVER_PID"
rc=$?
SERVER_PID=
[ "$rc" -eq 0 ] || die "server did not stop cleanly (exit $rc)"
