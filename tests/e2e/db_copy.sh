#!/usr/bin/env bash
# ocop db copy FROM TO: a SQLite file copied into the script's database
# (PostgreSQL in the pg run, another SQLite file otherwise) and back into
# a new SQLite file keeps every row: the same 'ocop db stats', the same
# verification answers and reports; a target that holds data is refused.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-03-01T10:00:00+07:00
PY=/usr/bin/python3
SRC=$E2E_DIR/src.db
BACK=$E2E_DIR/back.db
TARGET=$OCOP_DB

# what ocop tells of a database: its tables' rows and check, every
# label's verification, the scans stored and the reports
answers() {
	local db=$1 s
	OCOP_DB=$db "$OCOP" db stats --json | $PY -c '
import json, sys
d = json.load(sys.stdin)
print(json.dumps([d["tables"], d["check"], d["schema"] > 0], sort_keys=True))'
	while read -r s; do
		OCOP_DB=$db "$OCOP" verify "$s" --json
	done <"$E2E_DIR/serials"
	OCOP_DB=$db "$OCOP" db scans
	for r in circulation clones unknown lapsed; do
		OCOP_DB=$db "$OCOP" report "$r" --format json
	done
	OCOP_DB=$db "$OCOP" registry export --format json 2>/dev/null
}

test_begin "db copy: a SQLite database with scans, into the other engine and back"
export OCOP_DB=$SRC
expect_rc 0 "$OCOP" init --base-url https://ocop.example.vn
expect_rc 0 "$OCOP" registry import "$ASSETS/demo/registry.csv" "$ASSETS/demo/revocations.csv"
OCOP_NOW=2025-06-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue \
	87-30571-001-2019 --count 5 --format csv --out "$E2E_DIR/l"
tail -n +2 "$E2E_DIR/l/labels.csv" | cut -d, -f1 >"$E2E_DIR/serials"
S1=$(sed -n 1p "$E2E_DIR/serials")
S2=$(sed -n 2p "$E2E_DIR/serials")
INSPECTOR=$("$OCOP" token create --role inspector)
start_server --rate-limit 0
# consumer scans from three networks (a copied label's warning), an
# unknown code, inspector scans with a place
for net in 203.0.113.9 198.51.100.7 192.0.2.44 203.0.113.10; do
	curl -s -o /dev/null -H 'Accept: application/json' \
		-H "X-Forwarded-For: $net" "$BASE/L/$S1"
done
curl -s -o /dev/null -H 'Accept: application/json' "$BASE/L/$S2"
curl -s -o /dev/null -H 'Accept: application/json' "$BASE/L/ZZZZZZZZZZZZZZZZ"
curl -s -o "$E2E_DIR/p.json" -X POST "$BASE/api/v1/scans" \
	-H "Authorization: Bearer $INSPECTOR" \
	-H 'Content-Type: application/json' \
	--data-binary "{\"scans\":[{\"id\":\"insp-1\",\"code\":\"$S2\",\"scanned_at\":\"2026-02-20T09:00:00+07:00\",\"place\":\"Chợ \\\"Bến\\\" Thành\\\\1\",\"province\":\"79\",\"lat\":10.772,\"lon\":106.698}]}"
stop_server || fail "server did not stop cleanly"
expect_eq "$(OCOP_DB=$SRC db_rows scans)" 7 "scans stored in the source"
expect_eq "$(label_field "$S1" scans.count suspect_copy)" "4|True" \
	"a copied label's warning in the source"
answers "$SRC" >"$E2E_DIR/src.txt"

expect_rc 0 "$OCOP" db copy "$SRC" "$TARGET"
expect_contains "$E2E_DIR/last.out" "copied into $E2E_ENGINE"
expect_contains "$E2E_DIR/last.out" "scans            7 rows"
answers "$TARGET" >"$E2E_DIR/target.txt"
diff -u "$E2E_DIR/src.txt" "$E2E_DIR/target.txt" >"$E2E_DIR/diff1" ||
	fail "the copy answers otherwise: $(head -30 "$E2E_DIR/diff1")"
expect_rc 0 "$OCOP" db copy "$TARGET" "$BACK"
answers "$BACK" >"$E2E_DIR/back.txt"
diff -u "$E2E_DIR/src.txt" "$E2E_DIR/back.txt" >"$E2E_DIR/diff2" ||
	fail "the copy back answers otherwise: $(head -30 "$E2E_DIR/diff2")"
expect_eq "$(OCOP_DB=$BACK label_field "$S1" scans.count suspect_copy)" \
	"4|True" "a copied label's warning kept"

test_begin "db copy: the copy goes on working (new ids after the copied ones)"
export OCOP_DB=$TARGET
expect_rc 0 "$OCOP" label issue 87-30571-001-2019 --count 2 --format csv \
	--out "$E2E_DIR/l2"
expect_eq "$(db_rows labels)" 7 "labels"
start_server --rate-limit 0
curl -s -o "$E2E_DIR/p.json" -X POST "$BASE/api/v1/scans" \
	-H "Authorization: Bearer $INSPECTOR" \
	-H 'Content-Type: application/json' \
	--data-binary "{\"scans\":[{\"id\":\"insp-1\",\"code\":\"$S2\",\"scanned_at\":\"2026-02-20T09:00:00+07:00\"},{\"id\":\"insp-2\",\"code\":\"$S2\",\"scanned_at\":\"2026-02-21T09:00:00+07:00\"}]}"
expect_eq "$($PY -c 'import json,sys; print(" ".join(str(r["duplicate"]) for r in json.load(open(sys.argv[1]))["results"]))' "$E2E_DIR/p.json")" \
	"True False" "the copied client id is a duplicate, a new one is not"
curl -s -o /dev/null -H 'Accept: application/json' "$BASE/L/$S1"
stop_server || fail "server did not stop cleanly"
expect_eq "$(db_rows scans)" 9 "scans"
expect_eq "$(label_scans "$S1")" 5 "the label's count goes on"
expect_eq "$(db_check)" ok check

test_begin "db copy: a target with data is refused, nothing written"
expect_rc 65 "$OCOP" db copy "$SRC" "$TARGET"
expect_contains "$E2E_DIR/last.err" "is not empty"
expect_eq "$(db_rows scans)" 9 "scans"
expect_rc 64 "$OCOP" db copy "$SRC"
expect_rc 66 "$OCOP" db copy "$E2E_DIR/none.db" "$E2E_DIR/new.db"
test_end
