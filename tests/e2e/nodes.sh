#!/usr/bin/env bash
# Two 'ocop serve' nodes on one database, as behind a load balancer: a
# revocation entered from the command line is seen by both on their next
# request; scans posted to either node are all counted, an inspector's
# scan re-sent to the other node is a duplicate there, and the
# circulation report counts every scan once; a node killed with SIGKILL
# under load loses none of the scans it acknowledged. On PostgreSQL, the
# nodes go on when the database server closes their connections, answer
# 503 while it refuses them (their health checks too, and each writes
# why to its log), and go on once it takes them again; with a database
# that does not write, lookups answer and scans do not; behind a
# balancer (nginx, as the README sets it), a node that alone cannot reach
# the database is passed over; a node follows its primary's replica once
# it is promoted.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-03-01T10:00:00+07:00
PY=/usr/bin/python3
A_PID=
LB_PID=
PGSH=$(dirname "$0")/../pg.sh
PRIMARY=
REPLICA=
trap 'test_end; for p in $A_PID $LB_PID; do kill "$p" 2>/dev/null; done; cleanup
for d in $PRIMARY $REPLICA; do "$PGSH" stop "$d"; done' EXIT

jq_py() { # jq_py FILE EXPR: a Python expression over d
	$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
v=eval(sys.argv[2])
print(json.dumps(v, ensure_ascii=False) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1" "$2"
}
# verdict BASE SERIAL: the verdict a consumer gets from that node
verdict() {
	curl -s -o "$E2E_DIR/v.json" -H 'Accept: application/json' "$1/L/$2"
	jq_py "$E2E_DIR/v.json" "d['verdict']"
}
# post BASE ID DAY: one inspector scan of $S1 to that node; prints
# "duplicate verdict"
post() {
	curl -s -o "$E2E_DIR/p.json" -X POST "$1/api/v1/scans" \
		-H "Authorization: Bearer $INSPECTOR" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"scans\":[{\"id\":\"$2\",\"code\":\"$S1\",\"scanned_at\":\"$3T09:00:00+07:00\",\"place\":\"Chợ $2\",\"province\":\"87\"}]}"
	jq_py "$E2E_DIR/p.json" "' '.join(str(r[k]) for r in d['results'] for k in ('duplicate', 'verdict'))"
}

test_begin "two nodes: both answer from one database"
cat >"$E2E_DIR/reg.csv" <<'EOF2'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
NODE-1,Mật ong Sa Đéc,I,,HTX Ong Mật,HTX,Đồng Tháp,Sa Đéc,4,100/QĐ-UBND,2024-01-10,UBND tỉnh Đồng Tháp,
EOF2
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
OCOP_NOW=2025-01-15T10:00:00+07:00 expect_rc 0 "$OCOP" label issue NODE-1 \
	--count 2 --format csv --out "$E2E_DIR/l"
S1=$(sed -n 2p "$E2E_DIR/l/labels.csv" | cut -d, -f1)
[ ${#S1} -eq 16 ] || fail "serial: '$S1'"
INSPECTOR=$("$OCOP" token create --role inspector)
start_server --rate-limit 0
A_PID=$SERVER_PID
A=$BASE
start_server --rate-limit 0
B=$BASE
[ "$A" != "$B" ] || fail "one node, not two"
expect_eq "$(verdict "$A" "$S1")" valid "node A before"
expect_eq "$(verdict "$B" "$S1")" valid "node B before"

test_begin "two nodes: a revocation from the command line, seen by both"
expect_rc 0 "$OCOP" cert revoke NODE-1 --decision 200/QĐ-UBND \
	--date 2026-02-01 --ground c
expect_eq "$(verdict "$A" "$S1")" revoked "node A after"
expect_eq "$(verdict "$B" "$S1")" revoked "node B after"

test_begin "two nodes: scans posted to both are all counted, once"
for i in 1 2 3; do
	expect_eq "$(post "$A" "a$i" 2026-02-1$i)" "False revoked" "scan a$i on A"
	expect_eq "$(post "$B" "b$i" 2026-02-2$i)" "False revoked" "scan b$i on B"
done
# a scan re-sent to the other node: the same, not a second one
expect_eq "$(post "$B" a1 2026-02-11)" "True revoked" "a1 re-sent to B"
# 4 consumer scans above (the API reads, it records nothing), 6 inspector
# scans; each node sees the other's
curl -s -o "$E2E_DIR/c.json" "$A/api/v1/labels/$S1"
expect_eq "$(jq_py "$E2E_DIR/c.json" "d['scans']['count']")" 10 "count on A"
curl -s -o "$E2E_DIR/c.json" "$B/api/v1/labels/$S1"
expect_eq "$(jq_py "$E2E_DIR/c.json" "d['scans']['count']")" 10 "count on B"
expect_eq "$(db_scans client_id --code "$S1" | grep -c .)" 6 "inspector scans stored"
expect_rc 0 "$OCOP" report circulation --as-of 2026-03-01 --format json
cp "$E2E_DIR/last.out" "$E2E_DIR/circ.json"
expect_eq "$(jq_py "$E2E_DIR/circ.json" "[(e['code'], e['verdict'], e['scans']) for e in d['entries']]")" \
	'[["NODE-1", "revoked", 10]]' "circulation"
expect_eq "$(db_check)" ok "database check"

test_begin "two nodes: one killed with SIGKILL under load loses no acknowledged scan"
cat >"$E2E_DIR/client.py" <<'EOF2'
# client.py HOSTPORT TOKEN SERIAL ACKED PREFIX ROUNDS: inspector batches
# and consumer scans on kept-alive connections until ROUNDS or the node
# dies; each acknowledged scan is written to ACKED ("ID x" or "GET")
import http.client, json, sys, threading
host, port = sys.argv[1].rsplit(":", 1)
token, serial, prefix = sys.argv[2], sys.argv[3], sys.argv[5]
rounds = int(sys.argv[6])
acked = open(sys.argv[4], "a")
lock = threading.Lock()

def worker(w):
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for i in range(rounds):
            if i % 2:
                conn.request("GET", "/L/" + serial,
                             headers={"Accept": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    with lock:
                        acked.write("GET\n")
                        acked.flush()
                continue
            ids = ["%s-%d-%d-%d" % (prefix, w, i, k) for k in range(4)]
            body = json.dumps({"scans": [
                {"id": x, "code": serial,
                 "scanned_at": "2026-02-25T03:00:00Z"} for x in ids]})
            conn.request("POST", "/api/v1/scans", body,
                         {"Authorization": "Bearer " + token,
                          "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status == 200:
                with lock:
                    for x in json.loads(data)["results"]:
                        acked.write("ID " + x["id"] + "\n")
                    acked.flush()
    except Exception:
        pass  # the node died: stop

threads = [threading.Thread(target=worker, args=(w,)) for w in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
EOF2
before=$(db_rows scans)
: >"$E2E_DIR/acked-a"
: >"$E2E_DIR/acked-b"
$PY "$E2E_DIR/client.py" "${A#http://}" "$INSPECTOR" "$S1" \
	"$E2E_DIR/acked-a" ka 200 &
client_a=$!
$PY "$E2E_DIR/client.py" "${B#http://}" "$INSPECTOR" "$S1" \
	"$E2E_DIR/acked-b" kb 100000 &
client_b=$!
# B dies with scans in flight, once it has acknowledged some
for _ in $(seq 1 100); do
	[ "$(wc -l <"$E2E_DIR/acked-b")" -ge 200 ] && break
	sleep 0.05
done
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
wait "$client_b"
wait "$client_a"
acked_b=$(grep -c '^ID kb-' "$E2E_DIR/acked-b")
acked_a=$(grep -c '^ID ka-' "$E2E_DIR/acked-a")
[ "$acked_b" -gt 0 ] || fail "node B acknowledged no scan before it died"
[ "$acked_a" -eq 1200 ] || fail "node A acknowledged $acked_a of 1200 inspector scans"
# every acknowledged inspector scan is stored, once
db_scans client_id --id-prefix kb- | sort >"$E2E_DIR/stored-b"
sed -n 's/^ID //p' "$E2E_DIR/acked-b" | sort >"$E2E_DIR/want-b"
missing=$(comm -23 "$E2E_DIR/want-b" "$E2E_DIR/stored-b" | wc -l)
expect_eq "$missing" 0 "node B's acknowledged scans missing"
expect_eq "$(db_scans client_id --id-prefix ka- | grep -c .)" "$acked_a" \
	"node A's scans stored"
# and the consumer scans: at least those acknowledged (a scan stored as
# B died may have gone unanswered), no more than those sent
acked_get=$(cat "$E2E_DIR/acked-a" "$E2E_DIR/acked-b" | grep -c '^GET')
stored=$(($(db_rows scans) - before))
stored_ids=$(($(grep -c . "$E2E_DIR/stored-b") + acked_a))
[ $((stored - stored_ids)) -ge "$acked_get" ] ||
	fail "$((stored - stored_ids)) consumer scans stored, $acked_get acknowledged"
echo "  node B killed after $acked_b inspector scans acknowledged; $stored scans stored in all"
expect_rc 0 "$OCOP" report circulation --as-of 2026-03-01 --format json
cp "$E2E_DIR/last.out" "$E2E_DIR/circ.json"
expect_eq "$(jq_py "$E2E_DIR/circ.json" "sum(e['scans'] for e in d['entries'])")" \
	"$((10 + stored))" "circulation counts every stored scan"
expect_eq "$(db_check)" ok "database check"

# PostgreSQL: the database server closes the nodes' connections (as a
# restart or a failover to a replica closes them), then refuses new ones
# for a while (a primary away), then takes them again
if [ "$E2E_ENGINE" = pg ]; then
	test_begin "two nodes: the database server closes their connections, refuses new ones, takes them again"
	pg_admin() {
		psql -qAtX -v ON_ERROR_STOP=1 -h "$OCOP_TEST_PG" -U postgres \
			-d postgres -c "$1"
	}
	# close_all: the server ends every connection to the test database
	close_all() {
		pg_admin "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$E2E_PG_DB'" >/dev/null
		for _ in $(seq 1 100); do
			[ "$(pg_admin "SELECT count(*) FROM pg_stat_activity WHERE datname = '$E2E_PG_DB'")" = 0 ] && return
			sleep 0.05
		done
		fail "connections to $E2E_PG_DB still open"
	}
	# status BASE PATH [curl options]: the status and Retry-After
	status() {
		local base=$1 path=$2
		shift 2
		curl -s -o /dev/null -D "$E2E_DIR/h" -H 'Accept: application/json' \
			"$@" "$base$path"
		tr -d '\r' <"$E2E_DIR/h" | awk '/^HTTP\// {s = $2} tolower($1) == "retry-after:" {r = " " $2} END {print s r}'
	}
	count() {
		curl -s -o "$E2E_DIR/c.json" "$1/api/v1/labels/$S1"
		jq_py "$E2E_DIR/c.json" "d['scans']['count']"
	}
	start_server --rate-limit 0
	C=$BASE
	before=$(count "$C")
	close_all
	# each node's reader, writer and request threads go on over new
	# connections: nothing fails
	for n in "$A" "$C"; do
		expect_eq "$(verdict "$n" "$S1")" revoked "$n: consumer scan after the close"
		expect_eq "$(post "$n" "r-$n" 2026-02-26)" "False revoked" "$n: inspector scan after the close"
	done
	expect_eq "$(count "$A")" "$((before + 4))" "every scan after the close counted"
	pg_admin "ALTER DATABASE $E2E_PG_DB ALLOW_CONNECTIONS false" >/dev/null
	close_all
	# away: asked to try again, never told 500; nothing stored
	k=0
	for n in "$A" "$C"; do
		k=$((k + 1))
		expect_eq "$(status "$n" "/L/$S1")" "503 30" "$n: consumer scan while away"
		expect_eq "$(status "$n" "/api/v1/labels/$S1")" "503 30" "$n: lookup while away"
		expect_eq "$(status "$n" /api/v1/scans -X POST \
			-H "Authorization: Bearer $INSPECTOR" \
			-H 'Content-Type: application/json' \
			--data-binary "{\"scans\":[{\"id\":\"away-$k\",\"code\":\"$S1\",\"scanned_at\":\"2026-02-27T09:00:00+07:00\"}]}")" \
			"503 30" "$n: inspector scan while away"
		expect_eq "$(status "$n" "/L/$S1" -H 'Accept: text/html')" "503 30" "$n: a shopper's page while away"
		# a load balancer's check takes the node out; the body says
		# what fails, the log why
		expect_eq "$(status "$n" /healthz)" "503 30" "$n: healthz while away"
	done
	expect_eq "$(curl -s "$A/healthz")" '{"status":"unavailable","database":"failing","scans":"ok"}' "healthz body while away"
	pg_admin "ALTER DATABASE $E2E_PG_DB ALLOW_CONNECTIONS true" >/dev/null
	sleep 1.2 # past each handle's one attempt a second
	k=0
	for n in "$A" "$C"; do
		k=$((k + 1))
		expect_eq "$(verdict "$n" "$S1")" revoked "$n: consumer scan once back"
		expect_eq "$(post "$n" "away-$k" 2026-02-27)" "False revoked" "$n: the inspector's scan sent again"
		expect_eq "$(status "$n" /healthz)" 200 "$n: healthz once back"
	done
	expect_eq "$(count "$C")" "$((before + 8))" "every acknowledged scan counted, once"
	# each node wrote when the database failed it, with the cause, and
	# when it worked again: once each
	expect_eq "$(grep -c 'database failing (reads): cannot connect to the PostgreSQL database: .*not currently accepting connections' "$E2E_DIR/server.log")" 2 "the log: reads failing, once a node"
	expect_eq "$(grep -c 'database working again (reads) after' "$E2E_DIR/server.log")" \
		"$(grep -c 'database failing (reads)' "$E2E_DIR/server.log")" "the log: reads working again after each failure"
	# a database that reads but does not write (as a replica does):
	# lookups answer, scans are refused, healthz says which
	pg_admin "ALTER DATABASE $E2E_PG_DB SET default_transaction_read_only = on" >/dev/null
	close_all
	expect_eq "$(status "$C" "/api/v1/labels/$S1")" 200 "lookup, read-only"
	expect_eq "$(status "$C" "/L/$S1")" "503 30" "consumer scan, read-only"
	expect_eq "$(curl -s "$C/healthz")" '{"status":"unavailable","database":"ok","scans":"failing"}' "healthz body, read-only"
	pg_admin "ALTER DATABASE $E2E_PG_DB RESET default_transaction_read_only" >/dev/null
	close_all
	expect_eq "$(verdict "$C" "$S1")" revoked "consumer scan, writable again"
	expect_eq "$(status "$C" /healthz)" 200 "healthz, writable again"
	expect_contains "$E2E_DIR/server.log" "database failing (scans): cannot store scans: cannot execute"
	expect_contains "$E2E_DIR/server.log" "database working again (scans) after"
	expect_eq "$(count "$C")" "$((before + 9))" "nothing of the refused scan stored"
	expect_eq "$(db_check)" ok "database check"
	stop_server
	expect_eq "$?" 0 "node C exit status"

	# a node that alone cannot reach the database (its role refused:
	# as a network cut between it and the server) behind a balancer
	# configured as the README says: the balancer passes its 503s to
	# the other node, and what it refused is stored nowhere
	test_begin "behind a balancer: a node that cannot reach the database is passed over"
	ROLE=${E2E_PG_DB}_d
	pg_admin "CREATE ROLE $ROLE LOGIN SUPERUSER" >/dev/null
	OCOP_DB="postgresql:///$E2E_PG_DB?host=$OCOP_TEST_PG&user=$ROLE" \
		start_server --rate-limit 0
	D=$BASE
	LB_PORT=$((20000 + RANDOM % 20000))
	mkdir -p "$E2E_DIR/lb"
	cat >"$E2E_DIR/lb/nginx.conf" <<CONF
user root;
pid $E2E_DIR/lb/nginx.pid;
error_log $E2E_DIR/lb/error.log;
events {}
http {
	access_log off;
	client_body_temp_path $E2E_DIR/lb;
	proxy_temp_path $E2E_DIR/lb;
	upstream ocop_nodes {
		server ${D#http://} max_fails=1 fail_timeout=10s;
		server ${A#http://} max_fails=1 fail_timeout=10s;
	}
	server {
		listen 127.0.0.1:$LB_PORT;
		location / {
			proxy_pass http://ocop_nodes;
			proxy_next_upstream error timeout http_503;
			proxy_next_upstream_tries 2;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
		}
	}
}
CONF
	nginx -p "$E2E_DIR/lb" -c "$E2E_DIR/lb/nginx.conf" -g 'daemon off;' 2>>"$E2E_DIR/lb/error.log" &
	LB_PID=$!
	LB=http://127.0.0.1:$LB_PORT
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$LB/healthz" && break
		sleep 0.05
	done
	before=$(count "$A")
	pg_admin "ALTER ROLE $ROLE NOLOGIN" >/dev/null
	pg_admin "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '$ROLE'" >/dev/null
	expect_eq "$(status "$D" /healthz)" "503 30" "the cut node's health check"
	expect_eq "$(status "$D" "/L/$S1")" "503 30" "a scan sent to the cut node"
	for i in 1 2 3 4 5 6; do
		expect_eq "$(verdict "$LB" "$S1")" revoked "scan $i through the balancer"
	done
	expect_eq "$(count "$A")" "$((before + 6))" "each scan through the balancer stored once"
	expect_contains "$E2E_DIR/server.log" "is not permitted to log in"
	pg_admin "ALTER ROLE $ROLE LOGIN" >/dev/null
	sleep 1.2 # past each handle's one attempt a second
	expect_eq "$(status "$D" /healthz)" 200 "the node's health check once it reaches the database"
	kill "$LB_PID" && wait "$LB_PID"
	LB_PID=
	stop_server
	expect_eq "$?" 0 "node D exit status"
	psql -qAtX -h "$OCOP_TEST_PG" -U postgres -d "$E2E_PG_DB" \
		-c "REASSIGN OWNED BY $ROLE TO postgres; DROP OWNED BY $ROLE" >/dev/null
	pg_admin "DROP ROLE $ROLE" >/dev/null

	# a server and its streaming replica of their own; the node names
	# both, the primary first, and wants the one that writes
	test_begin "a node follows the primary's replica once it is promoted"
	PRIMARY=$("$PGSH" start) || fail "cannot start a primary"
	REPLICA=$("$PGSH" replica "$PRIMARY") || fail "cannot start its replica"
	psql -qAtX -h "$PRIMARY" -U postgres -d postgres -c "CREATE DATABASE ocop" >/dev/null
	export OCOP_DB="postgresql:///ocop?host=$PRIMARY,$REPLICA&user=postgres&target_session_attrs=read-write&connect_timeout=5"
	expect_rc 0 "$OCOP" init
	expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
	INSPECTOR=$("$OCOP" token create --role inspector)
	OCOP_NOW=2025-01-15T10:00:00+07:00 expect_rc 0 "$OCOP" label issue NODE-1 \
		--count 1 --format csv --out "$E2E_DIR/f"
	S1=$(sed -n 2p "$E2E_DIR/f/labels.csv" | cut -d, -f1)
	start_server --rate-limit 0
	expect_eq "$(verdict "$BASE" "$S1")" valid "scan on the primary"
	expect_eq "$(post "$BASE" f-1 2026-02-26)" "False valid" "inspector scan on the primary"
	"$PGSH" halt "$PRIMARY"
	# the replica does not write until promoted: nothing acknowledged
	expect_eq "$(status "$BASE" "/L/$S1")" "503 30" "scan with the primary down"
	"$PGSH" promote "$REPLICA"
	sleep 1.2 # past each handle's one attempt a second
	expect_eq "$(verdict "$BASE" "$S1")" valid "scan on the promoted replica"
	expect_eq "$(post "$BASE" f-2 2026-02-27)" "False valid" "inspector scan on the promoted replica"
	expect_eq "$(post "$BASE" f-1 2026-02-26)" "True valid" "a scan sent again before the failover"
	expect_eq "$(count "$BASE")" 4 "every acknowledged scan counted, once"
	expect_eq "$(db_check)" ok "database check on the promoted replica"
	stop_server
	expect_eq "$?" 0 "node exit status"
fi
kill "$A_PID" && wait "$A_PID"
expect_eq "$?" 0 "node A exit status"
A_PID=
test_end
