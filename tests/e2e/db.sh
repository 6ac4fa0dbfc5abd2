#!/usr/bin/env bash
# ocop db stats: the rows of every table and a check of the whole
# database, the same question for every engine; and the engine chosen by
# the form of --db.
. "$(dirname "$0")/lib.sh"
export OCOP_NOW=2026-03-01T10:00:00+07:00
PY=/usr/bin/python3

test_begin "db stats: a new database"
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" db stats
expect_contains "$E2E_DIR/last.out" "$E2E_ENGINE, schema "
expect_contains "$E2E_DIR/last.out" "products         0 rows"
grep -q '^check  *ok$' "$E2E_DIR/last.out" || fail "no 'check ok' line: $(cat "$E2E_DIR/last.out")"
expect_rc 0 "$OCOP" db stats --json
expect_eq "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["engine"], d["check"], sorted(d["tables"]))' "$E2E_DIR/last.out")" \
	"$E2E_ENGINE ok ['audit', 'batches', 'extensions', 'labels', 'meta', 'producers', 'products', 'recognitions', 'revocations', 'scans', 'sessions', 'signin_attempts', 'tokens', 'users']" "json"

test_begin "db stats: counts follow what is stored"
expect_rc 0 "$OCOP" registry import "$ASSETS/demo/registry.csv" "$ASSETS/demo/revocations.csv"
expect_rc 0 "$OCOP" label issue 87-30571-001-2019 --count 7 --format csv --out "$E2E_DIR/l"
expect_rc 0 "$OCOP" token create --role inspector
expect_eq "$(db_rows products) $(db_rows recognitions) $(db_rows revocations)" "30 52 8" registry
expect_eq "$(db_rows batches) $(db_rows labels) $(db_rows tokens) $(db_rows scans)" "1 7 1 0" "labels and tokens"
expect_eq "$(db_check)" ok check

test_begin "db stats: a damaged database is named, exit 1"
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed"
# behind the product's back on purpose: a count that no scan explains
serial=$(sed -n 2p "$E2E_DIR/l/labels.csv" | cut -d, -f1)
db_query "INSERT INTO label_scan_stats (label_id, count, first_at) SELECT id, 2, 0 FROM labels WHERE serial = '$serial'"
expect_rc 1 "$OCOP" db stats
expect_contains "$E2E_DIR/last.out" "PROBLEMS"
expect_contains "$E2E_DIR/last.out" "the scan counts of 1 labels differ from the scans stored"
expect_rc 1 "$OCOP" db stats --json
expect_contains "$E2E_DIR/last.out" '"check": ['

test_begin "db scans: none stored yet, nothing listed"
expect_rc 0 "$OCOP" db scans
expect_eq "$(wc -c <"$E2E_DIR/last.out")" 0 "output"
expect_rc 0 "$OCOP" db scans --code "$serial" --id-prefix x

test_begin "db: usage"
expect_rc 64 "$OCOP" db
expect_rc 64 "$OCOP" db vacuum
expect_contains "$E2E_DIR/last.err" "unknown subcommand 'vacuum'"
expect_rc 64 "$OCOP" db stats extra
expect_rc 64 "$OCOP" db scans --place x
expect_rc 0 "$OCOP" db stats --help
expect_contains "$E2E_DIR/last.out" "usage: ocop db stats"

test_begin "--db picks the engine by its form"
# nothing listens on port 1
expect_rc 69 "$OCOP" --db "postgres://ocop:s3cret@127.0.0.1:1/ocop" db stats
expect_contains "$E2E_DIR/last.err" "cannot connect to the PostgreSQL database"
grep -q s3cret "$E2E_DIR/last.err" && fail "the password was printed"
expect_rc 69 "$OCOP" --db "postgresql:///ocop?host=$E2E_DIR/nosocket" init
expect_rc 64 "$OCOP" --db "mysql://h/db" db stats
expect_contains "$E2E_DIR/last.err" "no storage engine for the scheme 'mysql'"
# a path is SQLite's, and is not created by a command that reads
expect_rc 66 "$OCOP" --db "$E2E_DIR/none.db" db stats
[ -e "$E2E_DIR/none.db" ] && fail "a database was created"
test_end
