# Shared helpers of the end-to-end scripts: source it first.
# Each script runs in a fresh temporary directory with its own database.
set -u
OCOP=${OCOP_BIN:?OCOP_BIN is set by tests/run}
E2E_DIR=$(mktemp -d)
SERVER_PID=
# OCOP_TEST_PG (the socket directory of tests/pg.sh's server): the script
# runs on a PostgreSQL database of its own, dropped at the end; else on a
# SQLite file. E2E_ENGINE tells which (sqlite, pg).
E2E_PG_DB=
if [ -n "${OCOP_TEST_PG:-}" ]; then
	E2E_ENGINE=pg
	E2E_PG_DB="e2e_$(basename "$E2E_DIR" | tr -c 'a-zA-Z0-9\n' _ | tr 'A-Z' 'a-z')"
	psql -qAtX -h "$OCOP_TEST_PG" -U postgres -d postgres \
		-c "CREATE DATABASE $E2E_PG_DB" >/dev/null || {
		echo "FAIL setup: cannot create database $E2E_PG_DB"
		exit 1
	}
	export OCOP_DB="postgresql:///$E2E_PG_DB?host=$OCOP_TEST_PG&user=postgres"
else
	E2E_ENGINE=sqlite
	export OCOP_DB="$E2E_DIR/ocop.db"
fi
# db_query SQL: a question the product has no command for, asked of the
# script's database in its engine's own client (sqlite3, psql), rows as
# sqlite3 prints them (columns joined by '|')
db_query() {
	if [ "$E2E_ENGINE" = pg ]; then
		psql -qAtX -v ON_ERROR_STOP=1 -h "$OCOP_TEST_PG" -U postgres \
			-d "$E2E_PG_DB" -c "$1"
	else
		sqlite3 "$OCOP_DB" "$1"
	fi
}
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	[ -n "$E2E_PG_DB" ] && psql -qAtX -h "$OCOP_TEST_PG" -U postgres \
		-d postgres -c "DROP DATABASE IF EXISTS $E2E_PG_DB WITH (FORCE)" \
		>/dev/null 2>&1
	rm -rf "$E2E_DIR"
}
trap cleanup EXIT
ASSETS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../assets" && pwd)"
BROWSER_CHECK="$(cd "$(dirname "${BASH_SOURCE[0]}")/../browser" && pwd)/check.mjs"

# browser_check OPTIONS...: a page in headless Chromium (tests/browser/
# check.mjs: --url, --width/--height, --screenshot, --dom, --axe for
# WCAG 2.1 AA, --status); its report goes to $E2E_DIR/browser.out
browser_check() {
	timeout 120 node "$BROWSER_CHECK" "$@" >"$E2E_DIR/browser.out" 2>&1
}

_cur=""
_cur_failed=0
# test NAME: start a named group of checks
test_begin() {
	test_end
	_cur=$1
	_cur_failed=0
}
test_end() {
	if [ -n "$_cur" ]; then
		if [ "$_cur_failed" -eq 0 ]; then echo "PASS $_cur"; else echo "FAIL $_cur"; fi
	fi
	_cur=""
}
trap 'test_end; cleanup' EXIT
fail() {
	echo "  FAIL ${BASH_SOURCE[1]}:${BASH_LINENO[0]}: $*"
	_cur_failed=1
}
# expect_eq GOT WANT [what]
expect_eq() {
	[ "$1" == "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}
# expect_rc WANT cmd...: run cmd, compare exit code
expect_rc() {
	local want=$1
	shift
	"$@" >"$E2E_DIR/last.out" 2>"$E2E_DIR/last.err"
	local rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want: $(head -c 400 "$E2E_DIR/last.err")"
}
# expect_contains FILE TEXT
expect_contains() {
	grep -qF -- "$2" "$1" || fail "'$1' does not contain '$2'"
}
# start_server [ocop serve options...]: serve on $E2E_LISTEN (default
# 127.0.0.1:0, any port), sets PORT/BASE
start_server() {
	rm -f "$E2E_DIR/port"
	"$OCOP" serve --listen "${E2E_LISTEN:-127.0.0.1:0}" \
		--port-file "$E2E_DIR/port" "$@" \
		>>"$E2E_DIR/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$E2E_DIR/port" ] && break
		sleep 0.05
	done
	if [ ! -s "$E2E_DIR/port" ]; then
		fail "server did not start: $(tail -5 "$E2E_DIR/server.log")"
		return 1
	fi
	HOSTPORT=$(head -1 "$E2E_DIR/port")
	BASE="http://$HOSTPORT"
}
stop_server() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" && wait "$SERVER_PID"
	local rc=$?
	SERVER_PID=
	return $rc
}

# What the database holds, asked of ocop (never of the engine's own
# tools, so that every engine answers the same questions):
# db_rows TABLE: its rows as 'ocop db stats' counts them
db_rows() {
	"$OCOP" db stats --json | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)["tables"][sys.argv[1]])' "$1"
}
# db_check: "ok", or the problems 'ocop db stats' finds, one a line
db_check() {
	"$OCOP" db stats --json | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)["check"]
print(c if c == "ok" else "\n".join(c))'
}
# db_dump: everything ocop tells of the data: the rows of every table
# and the whole registry as 'ocop registry export' writes it
db_dump() {
	"$OCOP" db stats --json &&
		"$OCOP" registry export --format json 2>/dev/null
}
# unknown_scans CODE REASON: the stored scans of CODE that matched no
# label for REASON, as the report of unknown codes counts them
unknown_scans() {
	"$OCOP" report unknown --format json | /usr/bin/python3 -c '
import json, sys
print(sum(e["scans"] for e in json.load(sys.stdin)["entries"]
          if e["code"] == sys.argv[1] and e["reason"] == sys.argv[2]))' "$1" "$2"
}
# label_scans SERIAL: the label's stored scans, as 'ocop verify' counts them
label_scans() {
	"$OCOP" verify "$1" --json | /usr/bin/python3 -c '
import json, sys
print(json.load(sys.stdin)["scans"]["count"])'
}
# label_field SERIAL KEY...: fields of the label's verification record
# ('ocop verify --json', dotted keys), joined by '|'
label_field() {
	local serial=$1
	shift
	"$OCOP" verify "$serial" --json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
out = []
for path in sys.argv[1:]:
    v = d
    for k in path.split("."):
        v = v[k]
    out.append("" if v is None else str(v))
print("|".join(out))' "$@"
}
# db_scans KEYS [ocop db scans options]: the stored scans, oldest first,
# one line each with the fields KEYS (space-separated) joined by '|'
db_scans() {
	local keys=$1
	shift
	"$OCOP" db scans "$@" | /usr/bin/python3 -c '
import json, sys
keys = sys.argv[1].split()
for line in sys.stdin:
    d = json.loads(line)
    print("|".join("" if d[k] is None else str(d[k]) for k in keys))' "$keys"
}
# console_sign_in LOGIN ROLE JAR [ocop user add options]: a user of the
# console, its password set through its setup link, signed in with the
# session's cookie into JAR (the server at $BASE)
console_sign_in() {
	local login=$1 role=$2 jar=$3 link pw='mật-khẩu-đủ-dài-1'
	shift 3
	link=$("$OCOP" user add "$login" --role "$role" "$@" 2>/dev/null)
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
		"$BASE/console/${link#*/console/}" \
		--data-urlencode "password=$pw" \
		--data-urlencode "password2=$pw")" 303 "setup of $login"
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" \
		-X POST "$BASE/console/login" --data-urlencode "login=$login" \
		--data-urlencode "password=$pw")" 303 "sign-in of $login"
}
