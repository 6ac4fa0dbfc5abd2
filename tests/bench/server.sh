#!/usr/bin/env bash
# Benchmark of the HTTP service on each storage engine against nginx
# serving one static JSON response of the same size, on this machine,
# alternating them all in one run so that they share its noise:
#   recording: GET /L/{serial} with Accept: application/json (each request
#              looks the label up and stores a scan before answering)
#   lookup:    GET /api/v1/labels/{serial} (reads only)
#   resolver:  GET /01/{gtin}/21/{serial} as a phone's browser opens a
#              Digital Link label (Accept: text/html): the label read
#              and a 307 to /L/ (the first of a scan's two requests)
#   nginx:     the static file
# wrk -t2 -c64 -d5s --latency over random serials of a bench database.
# Prints one table (engine, route, req/s, ratio to nginx, p99 latency,
# CPU per request of the server, of the database server (PostgreSQL's
# processes; SQLite runs inside ocop) and of wrk, and their sum) and each
# server's peak RSS. Everything shares the 2 cores: once they are all
# busy the sum sets the rate (2 s of CPU a second over it), and nginx's
# sum over an engine's is the ratio the engine would have (the last
# column) if both runs were bound by the processors alone.
# BENCH_ENGINES: "sqlite pg" (default) or one of them; PostgreSQL is a
# throwaway server (tests/pg.sh) unless BENCH_DB names an empty database.
# BENCH_BASELINE=PATH adds engine "base": SQLite served by the ocop binary
# at PATH (an earlier build), in the same rounds, to compare with "before".
# Targets, one node on these 2 cores: SQLite recording >= 0.5x nginx,
# lookup >= 0.8x; PostgreSQL recording >= 0.3x, lookup >= 0.6x;
# p99 <= 20 ms on every route, RSS <= 64 MB.
set -u
cd "$(dirname "$0")/../.."
OCOP=${OCOP_BIN:-$PWD/build/ocop}
PY=/usr/bin/python3
ROUNDS=${BENCH_ROUNDS:-4}
DURATION=${BENCH_DURATION:-5s}
LABELS=${BENCH_LABELS:-20000}
DIR=$(mktemp -d)
ENGINES=${BENCH_ENGINES:-sqlite pg}
BASELINE=${BENCH_BASELINE:-}
NGINX_PID=
PGDIR=
declare -A SERVER_PID BASE DL
cleanup() {
	local e
	for e in "${!SERVER_PID[@]}"; do
		kill "${SERVER_PID[$e]}" 2>/dev/null && wait "${SERVER_PID[$e]}"
	done
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID"
	[ -n "$PGDIR" ] && tests/pg.sh stop "$PGDIR"
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
if [ -n "$BASELINE" ]; then
	[ -x "$BASELINE" ] || die "BENCH_BASELINE: $BASELINE is not an executable"
	ENGINES="$ENGINES base"
fi

# bin_of ENGINE: the ocop binary that serves the engine
bin_of() {
	if [ "$1" = base ]; then echo "$BASELINE"; else echo "$OCOP"; fi
}

# db_of ENGINE: the bench database of the engine, empty at first
db_of() {
	case $1 in
	sqlite) echo "$DIR/bench.db" ;;
	base) echo "$DIR/base.db" ;;
	pg)
		if [ -n "${BENCH_DB:-}" ]; then
			echo "$BENCH_DB"
		else
			echo "postgresql:///postgres?host=$PGDIR&user=postgres"
		fi
		;;
	*) die "unknown engine '$1' (sqlite, pg)" ;;
	esac
}

# setup ENGINE: a database with the demo registry and LABELS labels, and
# its server started
setup() {
	local e=$1 db ocop
	db=$(db_of "$e")
	ocop=$(bin_of "$e")
	OCOP_DB=$db "$ocop" init >/dev/null 2>&1 || die "$e: init failed"
	OCOP_DB=$db "$ocop" registry import assets/demo/registry.csv \
		>/dev/null 2>&1 || die "$e: registry import failed"
	OCOP_DB=$db "$ocop" label issue 87-30571-001-2019 --count "$LABELS" \
		--format csv --out "$DIR/labels-$e" >/dev/null 2>&1 ||
		die "$e: label issue failed"
	tail -n +2 "$DIR/labels-$e/labels.csv" | cut -d, -f1 >"$DIR/serials-$e"
	# the label URI's path up to the serial: /01/{gtin}/21/
	DL[$e]=$(sed -n '2s|^[^,]*,[^,]*\(/01/[0-9]*/21/\).*|\1|p' \
		"$DIR/labels-$e/labels.csv")
	[ -n "${DL[$e]}" ] || die "$e: the bench labels have no Digital Link"
	OCOP_DB=$db "$ocop" serve --listen 127.0.0.1:0 --port-file "$DIR/port-$e" \
		--rate-limit 0 2>"$DIR/server-$e.log" &
	SERVER_PID[$e]=$!
	for _ in $(seq 1 100); do
		[ -s "$DIR/port-$e" ] && break
		sleep 0.05
	done
	[ -s "$DIR/port-$e" ] ||
		die "$e: server did not start: $(cat "$DIR/server-$e.log")"
	BASE[$e]="http://$(cat "$DIR/port-$e")"
}

case " $ENGINES " in
*" pg "*)
	if [ -z "${BENCH_DB:-}" ]; then
		PGDIR=$(tests/pg.sh start) || die "cannot start PostgreSQL"
	fi
	;;
esac
for e in $ENGINES; do
	setup "$e"
done
first=${ENGINES%% *}

cat >"$DIR/random.lua" <<'EOF'
-- random serials from the bench database; BENCH_PREFIX picks the route
local serials = {}
for line in io.lines(os.getenv("BENCH_SERIALS")) do
	serials[#serials + 1] = line
end
local prefix = os.getenv("BENCH_PREFIX")
local headers = {["Accept"] = os.getenv("BENCH_ACCEPT")}
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
	return wrk.format("GET", prefix .. serials[math.random(#serials)],
			  headers)
end
EOF
# nginx: the same JSON body as a static file, a non-daemon child
mkdir -p "$DIR/nginx/html" "$DIR/nginx/logs" "$DIR/nginx/tmp"
curl -s "${BASE[$first]}/api/v1/labels/$(head -1 "$DIR/serials-$first")" \
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

# db_ticks ENGINE: the clock ticks of the engine's database server (the
# postmaster and its children), 0 for SQLite (inside ocop)
db_ticks() {
	local pid
	if [ "$1" = pg ] && [ -n "$PGDIR" ]; then
		pid=$(head -1 "$PGDIR/data/postmaster.pid")
		cpu_ticks "$pid"
	else
		echo 0
	fi
}

# run ENGINE NAME URL PREFIX PID [ACCEPT]: one wrk run (Accept:
# application/json unless ACCEPT); appends
# "ENGINE NAME RPS P99MS ERRORS CPU_US_PER_REQUEST DB_US WRK_US" (CPU of
# process PID, of the database server, of wrk: figures that the noise of a
# shared machine disturbs less than req/s)
run() {
	local out t0 t1 d0 d1 hz serials=$DIR/serials-$1
	[ "$1" = - ] && serials=$DIR/serials-$first
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks "$5")
	d0=$(db_ticks "$1")
	# wrk's own CPU (user + system seconds) on the last line
	out=$(BENCH_SERIALS=$serials BENCH_PREFIX=$4 \
		BENCH_ACCEPT=${6:-application/json} $PY -c '
import resource, subprocess, sys
subprocess.call(sys.argv[1:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("wrk-cpu", r.ru_utime + r.ru_stime)' wrk -t2 -c64 \
		-d"$DURATION" --latency -s "$DIR/random.lua" "$3")
	t1=$(cpu_ticks "$5")
	d1=$(db_ticks "$1")
	echo "$out" >>"$DIR/wrk.log"
	echo "$out" | awk -v engine="$1" -v name="$2" -v ticks=$((t1 - t0)) \
		-v dticks=$((d1 - d0)) -v hz="$hz" '
		/requests in/ { reqs = $1 }
		/Requests\/sec:/ { rps = $2 }
		/^ +99%/ { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
			   if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
			   p99 = v }
		/Non-2xx/ { err += $NF }
		/Socket errors/ { err += 1 }
		/^wrk-cpu/ { wrk = $2 }
		END { printf "%s %s %s %s %d %.1f %.1f %.1f\n", engine, name, rps, p99, err,
			     reqs ? ticks / hz * 1e6 / reqs : 0,
			     reqs ? dticks / hz * 1e6 / reqs : 0,
			     reqs ? wrk * 1e6 / reqs : 0 }' >>"$DIR/results"
}

# what earlier benches wrote (the reports database: gigabytes) is written
# back now, not during the rounds, where the server's log syncs would wait
# behind it
sync
# the engines take turns in one order, then the other: none always follows
# the same one (a recording run leaves the disk busy behind it)
reversed=$(echo "$ENGINES" | tr ' ' '\n' | tac | tr '\n' ' ')
for r in $(seq 1 "$ROUNDS"); do
	run - nginx "http://127.0.0.1:$NGINX_PORT" /r/ "$NGINX_PID"
	order=$ENGINES
	[ $((r % 2)) = 0 ] && order=$reversed
	for e in $order; do
		run "$e" recording "${BASE[$e]}" /L/ "${SERVER_PID[$e]}"
		run "$e" lookup "${BASE[$e]}" /api/v1/labels/ "${SERVER_PID[$e]}"
		run "$e" resolver "${BASE[$e]}" "${DL[$e]}" "${SERVER_PID[$e]}" \
			"text/html,application/xhtml+xml,*/*;q=0.8"
	done
done
for e in $ENGINES; do
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/${SERVER_PID[$e]}/status")
	stored=$(OCOP_DB=$(db_of "$e") "$(bin_of "$e")" db stats --json 2>/dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["tables"]["scans"])' 2>/dev/null ||
		echo "?")
	echo "$e $rss $stored" >>"$DIR/servers"
done

awk -v size="$size" -v labels="$LABELS" -v engines="$ENGINES" '
	FILENAME ~ /servers$/ { rss[$1] = $2; stored[$1] = $3; next }
	{ k = $1 " " $2; n[k]++; rps[k] += $3; if ($4 > p99[k]) p99[k] = $4; err[k] += $5; cpu[k] += $6; db[k] += $7; wrk[k] += $8 }
	END {
		ng = rps["- nginx"] / n["- nginx"]
		printf "server bench: wrk -t2 -c64, %d-byte JSON, %d labels, %d rounds\n", size, labels, n["- nginx"]
		printf "%-7s %-10s %8s %6s %7s %6s | %-29s | %s\n", "", "", "", "", "", "", "CPU us/request", "if CPU-bound"
		printf "%-7s %-10s %8s %6s %7s %6s | %6s %6s %6s %8s | %s\n", "engine", "route", "req/s", "ratio", "p99 ms", "errors", "server", "db", "wrk", "sum", "ratio"
		k = "- nginx"; nsum = (cpu[k] + db[k] + wrk[k]) / n[k]
		printf "%-7s %-10s %8.0f %6.2f %7.2f %6d | %6.1f %6.1f %6.1f %8.1f | %.2f\n", "-", "nginx", ng, 1, p99[k], err[k], cpu[k] / n[k], db[k] / n[k], wrk[k] / n[k], nsum, 1
		want["sqlite recording"] = 0.5; want["sqlite lookup"] = 0.8
		want["pg recording"] = 0.3; want["pg lookup"] = 0.6
		ne = split(engines, es, " ")
		for (i = 1; i <= ne; i++) {
			for (j = 1; j <= 3; j++) {
				route = j == 1 ? "recording" : j == 2 ? "lookup" : "resolver"
				k = es[i] " " route; v = rps[k] / n[k]
				sum = (cpu[k] + db[k] + wrk[k]) / n[k]
				printf "%-7s %-10s %8.0f %6.2f %7.2f %6d | %6.1f %6.1f %6.1f %8.1f | %.2f\n", es[i], route, v, v / ng, p99[k], err[k], cpu[k] / n[k], db[k] / n[k], wrk[k] / n[k], sum, sum ? nsum / sum : 0
				if (es[i] == "base")
					continue # an earlier build, compared below
				if ((k in want) && v / ng < want[k]) missed = missed sprintf(" %s %s < %.1fx;", es[i], route, want[k])
				if (p99[k] > 20) missed = missed sprintf(" %s %s p99 > 20 ms;", es[i], route)
			}
		}
		for (i = 1; i <= ne; i++) {
			printf "%s server peak RSS (VmHWM): %.1f MB; scans stored: %s\n", es[i], rss[es[i]] / 1024, stored[es[i]]
			if (es[i] != "base" && rss[es[i]] > 65536) missed = missed sprintf(" %s RSS > 64 MB;", es[i])
		}
		if (("base recording") in n && ("sqlite recording") in n)
			for (j = 1; j <= 3; j++) {
				route = j == 1 ? "recording" : j == 2 ? "lookup" : "resolver"
				k = "sqlite " route; b = "base " route
				printf "sqlite %s against the baseline build: req/s %.2fx, server CPU a request %.2fx\n", route, (rps[k] / n[k]) / (rps[b] / n[b]), (cpu[k] / n[k]) / (cpu[b] / n[b])
			}
		print "targets: " (missed == "" ? "all met" : "MISSED" missed)
	}' "$DIR/servers" "$DIR/results"
rc=0
for e in $ENGINES; do
	kill "${SERVER_PID[$e]}" && wait "${SERVER_PID[$e]}" ||
		{ echo "bench server: $e server did not stop cleanly" >&2; rc=1; }
	unset "SERVER_PID[$e]"
done
exit $rc
