#!/usr/bin/env bash
# The console's people and the audit log from the command line: ocop user
# add|list|disable|reset and their setup links, the token life cycle (the
# API refusing a revoked and an expired token at once), ocop purge of
# consumer scans, and ocop audit naming cli:USER for every change.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
ME=$(id -un)
export OCOP_NOW=2026-03-01T10:00:00+07:00
jq_py() {
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# scans_py EXPR: EXPR over the list of 'ocop db scans' rows (s)
scans_py() {
	"$OCOP" db scans >"$E2E_DIR/scans.jsonl" || fail "ocop db scans failed"
	"$PY" -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])]; print(eval(sys.argv[2]))' \
		"$E2E_DIR/scans.jsonl" "$1"
}

test_begin "accounts setup"
cat >"$E2E_DIR/reg.csv" <<'CSV'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
AC-1,Mật ong hoa nhãn,I,,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
CSV
expect_rc 0 "$OCOP" init --base-url https://ocop.example.vn
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" cert grant AC-1 --stars 5 --decision 9/QĐ-UBND --date 2026-01-10
expect_rc 0 "$OCOP" label issue AC-1 --count 3 --format csv --out "$E2E_DIR/out"
BATCH=$(cat "$E2E_DIR/last.out")
S1=$(sed -n 2p "$E2E_DIR/out/labels.csv" | cut -d, -f1)
S2=$(sed -n 3p "$E2E_DIR/out/labels.csv" | cut -d, -f1)
S3=$(sed -n 4p "$E2E_DIR/out/labels.csv" | cut -d, -f1)

test_begin "user add prints a one-time setup link"
expect_rc 0 "$OCOP" user add 0912345678 --role admin --name "Nguyễn Văn An"
LINK1=$(cat "$E2E_DIR/last.out")
[[ "$LINK1" =~ ^https://ocop\.example\.vn/console/setup/[A-Za-z0-9_-]{43}$ ]] ||
	fail "setup link: '$LINK1'"
expect_rc 0 "$OCOP" user add Kiem.Tra@Example.VN --role inspector --province "Đồng Tháp"
expect_rc 0 "$OCOP" user add 0987654321 --role producer --producer AC-1
[ "$(cat "$E2E_DIR/last.out")" != "$LINK1" ] || fail "the same link twice"
expect_rc 65 "$OCOP" user add 0912345678 --role admin
expect_contains "$E2E_DIR/last.err" "already exists"
expect_rc 65 "$OCOP" user add root --role admin
expect_contains "$E2E_DIR/last.err" "neither a phone number nor an e-mail"
expect_rc 64 "$OCOP" user add 0911111111 --role producer
expect_rc 65 "$OCOP" user add 0911111111 --role producer --producer NOPE
expect_contains "$E2E_DIR/last.err" "unknown product code 'NOPE'"

test_begin "user list, disable, reset"
expect_rc 0 "$OCOP" user list --json
cp "$E2E_DIR/last.out" "$E2E_DIR/users.json"
expect_eq "$(jq_py "$E2E_DIR/users.json" '[(u["login"], u["role"], u["state"]) for u in d]')" \
	"[('0912345678', 'admin', 'setup_pending'), ('0987654321', 'producer', 'setup_pending'), ('kiem.tra@example.vn', 'inspector', 'setup_pending')]" \
	"users"
expect_rc 0 "$OCOP" user disable kiem.tra@example.vn
expect_rc 0 "$OCOP" user list
expect_contains "$E2E_DIR/last.out" "disabled"
expect_rc 0 "$OCOP" user reset kiem.tra@example.vn
LINK2=$(cat "$E2E_DIR/last.out")
[[ "$LINK2" =~ ^https://ocop\.example\.vn/console/setup/ ]] || fail "reset link: '$LINK2'"
expect_rc 0 "$OCOP" user list --json
expect_eq "$(jq_py "$E2E_DIR/last.out" '[u["state"] for u in d if u["login"] == "kiem.tra@example.vn"]')" \
	"['setup_pending']" "state after reset"
expect_rc 65 "$OCOP" user disable nobody@example.vn

test_begin "tokens: list, last use, revoke and expiry refused at once"
expect_rc 0 "$OCOP" token create --role inspector
INSP=$(cat "$E2E_DIR/last.out")
OCOP_NOW=2026-02-01T10:00:00+07:00 expect_rc 0 "$OCOP" token create \
	--role inspector --expires 2026-03-01
EXPIRED=$(cat "$E2E_DIR/last.out")
expect_rc 64 "$OCOP" token create --role admin --expires 2026-03-01
expect_rc 0 "$OCOP" token create --role producer --producer AC-1 --expires 2027-01-01
start_server --rate-limit 0 || exit 1
post_scan() {
	curl -s -o "$E2E_DIR/post.out" -w '%{http_code}' \
		-H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
		-d '{"scans":[{"id":"'"$2"'","code":"'"$S1"'","scanned_at":"2026-03-01T09:00:00+07:00","place":"Chợ Cao Lãnh"}]}' \
		"$BASE/api/v1/scans"
}
expect_rc 0 "$OCOP" scan "$S1" --server "$BASE" --token "$INSP" --place "Chợ Cao Lãnh"
expect_eq "$(post_scan "$EXPIRED" 0123456789abcdef0123456789abcde0)" 401 "expired token"
expect_contains "$E2E_DIR/post.out" "expired"
expect_rc 0 "$OCOP" token list --json
cp "$E2E_DIR/last.out" "$E2E_DIR/tokens.json"
expect_eq "$(jq_py "$E2E_DIR/tokens.json" '[(t["id"], t["role"], t["producer"], t["last_used"], t["expires"], t["revoked"]) for t in d]')" \
	"[(1, 'inspector', None, '2026-03-01T10:00:00+07:00', None, None), (2, 'inspector', None, None, '2026-03-01T00:00:00+07:00', None), (3, 'producer', 'AC-1', None, '2027-01-01T00:00:00+07:00', None)]" \
	"token list"
expect_rc 0 "$OCOP" token revoke 1
expect_eq "$(post_scan "$INSP" 0123456789abcdef0123456789abcde1)" 401 "revoked token"
expect_contains "$E2E_DIR/post.out" "revoked"
expect_rc 65 "$OCOP" token revoke 99
expect_rc 0 "$OCOP" token list
expect_contains "$E2E_DIR/last.out" "2026-03-01 10:00"

test_begin "purge: consumer scans' client data, then the scans"
for s in "$S1" "$S2" "$S2"; do
	curl -s -o /dev/null -A "Test Browser/1.0" "$BASE/L/$s"
done
stop_server
OCOP_NOW=2026-04-01T10:00:00+07:00 start_server --rate-limit 0 || exit 1
curl -s -o /dev/null -A "Test Browser/1.0" "$BASE/L/$S3"
stop_server
expect_eq "$(scans_py '[(x["source"], x["ua"] is not None) for x in s]')" \
	"[('inspector', True), ('consumer', True), ('consumer', True), ('consumer', True), ('consumer', True)]" \
	"scans before"
export OCOP_NOW=2026-04-10T10:00:00+07:00
expect_rc 65 "$OCOP" purge --client-data-before 2026-04-11
expect_contains "$E2E_DIR/last.err" "in the future"
expect_rc 64 "$OCOP" purge --client-data-before 2026-03-01 --consumer-scans-before 2026-03-01
expect_rc 0 "$OCOP" purge --client-data-before 2026-03-15
expect_eq "$(scans_py '[(x["source"], x["net"], x["ua"]) for x in s if x["source"] == "consumer"][:3]')" \
	"[('consumer', None, None), ('consumer', None, None), ('consumer', None, None)]" \
	"client data cleared"
expect_eq "$(scans_py '[x["ua"] is not None for x in s][-1]')" True "later scan kept whole"
expect_eq "$(scans_py '[(x["place"], x["ua"] is not None) for x in s if x["source"] == "inspector"]')" \
	"[('Chợ Cao Lãnh', True)]" "inspector scan untouched"
expect_rc 0 "$OCOP" purge --consumer-scans-before 2026-03-15
expect_contains "$E2E_DIR/last.err" "3 consumer scans"
expect_eq "$(scans_py '[(x["source"], x["code"]) for x in s]')" \
	"[('inspector', '$S1'), ('consumer', '$S3')]" "scans kept"
expect_eq "$(db_rows scans)" 2 "scans rows"
# each label's count follows: S1 keeps its inspector scan, S3 its later one
expect_eq "$(label_scans "$S1") $(label_scans "$S2") $(label_scans "$S3")" \
	"1 0 1" "labels' scan counts"
expect_rc 0 "$OCOP" db stats
expect_contains "$E2E_DIR/last.out" "ok"
expect_rc 0 "$OCOP" label void "$S2" --reason "hỏng"
expect_rc 0 "$OCOP" label void --batch "$BATCH" --reason "in lại"

test_begin "ocop audit names cli:USER for every change"
expect_rc 0 "$OCOP" audit --json
cp "$E2E_DIR/last.out" "$E2E_DIR/audit.json"
expect_eq "$(jq_py "$E2E_DIR/audit.json" 'sorted(set(a["actor"] for a in d))')" \
	"['cli:$ME']" "actors"
expect_eq "$(jq_py "$E2E_DIR/audit.json" '[a["action"] for a in d]')" \
	"['token.create', 'registry.import', 'cert.grant', 'label.issue', 'user.add', 'user.add', 'user.add', 'user.disable', 'user.reset', 'token.create', 'token.create', 'token.revoke', 'purge.client_data', 'purge.consumer_scans', 'label.void', 'batch.void']" \
	"actions"
expect_eq "$(jq_py "$E2E_DIR/audit.json" '[a["subject"] for a in d if a["action"] in ("label.issue", "batch.void", "token.revoke", "cert.grant")]')" \
	"['AC-1', 'batch:$BATCH', 'token:1', 'batch:$BATCH']" "subjects"
# a change refused, or one that changes nothing, leaves no entry
N=$(jq_py "$E2E_DIR/audit.json" 'len(d)')
printf 'code,name\nAC-9,\n' >"$E2E_DIR/bad.csv"
expect_rc 65 "$OCOP" registry import "$E2E_DIR/bad.csv"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" cert grant AC-1 --stars 5 --decision 9/QĐ-UBND --date 2026-01-10
expect_rc 65 "$OCOP" token revoke 99
expect_rc 0 "$OCOP" audit --json
expect_eq "$(jq_py "$E2E_DIR/last.out" 'len(d)')" "$N" "entries after no change"
expect_rc 0 "$OCOP" audit --since 2026-04-10
expect_eq "$(grep -c "cli:$ME" "$E2E_DIR/last.out")" 4 "entries since"
expect_contains "$E2E_DIR/last.out" "purge.consumer_scans"
expect_rc 65 "$OCOP" audit --since 2026-13-01
