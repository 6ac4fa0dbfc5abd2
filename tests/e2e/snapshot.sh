#!/usr/bin/env bash
# The field snapshot (SPEC 9): ocop snapshot, ocop verify --offline against
# ocop verify on every kind of code at several instants, the browser's
# reader (assets/field/snapshot.js, run by node) against the C on every
# code, a tampered and an expired snapshot refused, --keys without a
# database, and a key rotation: the old snapshot verifies until it
# expires, the new one is signed by the new key.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
D=$E2E_DIR
READER="$ASSETS/field/snapshot.js"

test_begin "snapshot: setup"
command -v node >/dev/null || fail "node is missing"
cat >"$D/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
S-VALID,Mắm cá linh Hồng Ngự,I,8930000000019,HTX Thủy sản Hồng Ngự,HTX,Đồng Tháp,Hồng Ngự,4,1446/QĐ-UBND-HC,2024-01-05,UBND tỉnh Đồng Tháp,
S-LOWER,Bánh phồng tôm Sa Giang,I,,Công ty Sa Giang,DN,Đồng Tháp,Sa Đéc,5,377/QĐ-BNN-VPĐP,2023-10-01,Bộ NN&PTNT,
S-REV,Nem Lai Vung,I,,Hộ kinh doanh Nem Út,hộ,Đồng Tháp,Lai Vung,4,90/QĐ-UBND,2023-09-01,UBND tỉnh Đồng Tháp,
S-EXP,Khô cá lóc Tân Hồng,I,8930000000026,HTX Khô cá,HTX,Đồng Tháp,Tân Hồng,3,101/QĐ-UBND,2023-03-01,UBND tỉnh Đồng Tháp,2025-12-31
S-AG,Khô cá tra An Giang,I,,HTX Châu Đốc,HTX,An Giang,Châu Đốc,3,55/QĐ-UBND,2023-08-01,UBND tỉnh An Giang,
EOF
export OCOP_NOW=2024-01-10T09:00:00+07:00
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" key list --json
expect_contains "$D/last.out" '"alg":"Ed25519"'
expect_rc 0 "$OCOP" registry import "$D/reg.csv"
issue() { # issue DIR CODE COUNT [options]
	local dir=$1 code=$2 n=$3
	shift 3
	"$OCOP" label issue "$code" --count "$n" --format csv --out "$D/$dir" "$@" \
		>"$D/$dir.batch" 2>/dev/null || fail "cannot issue $code"
}
issue v1 S-VALID 3 --lot L1
issue v2 S-VALID 2
issue lo S-LOWER 2
issue rv S-REV 2
issue ex S-EXP 2 --lot E1 --made 2024-01-02
issue ag S-AG 2
export OCOP_NOW=2025-03-01T10:00:00+07:00
expect_rc 0 "$OCOP" cert grant S-LOWER --stars 3 --decision 12/QĐ-UBND --date 2025-02-01
expect_rc 0 "$OCOP" cert revoke S-REV --decision 7/QĐ-UBND --date 2025-05-01 --ground c
VOIDED=$(sed -n 2p "$D/v1/labels.csv" | cut -d, -f1)
expect_rc 0 "$OCOP" label void "$VOIDED" --reason "mất"
expect_rc 0 "$OCOP" label void --batch "$(cat "$D/v2.batch")" --reason "in sai"
serials() { tail -n +2 "$D/$1/labels.csv" | cut -d, -f1; }
V=$(sed -n 3p "$D/v1/labels.csv" | cut -d, -f1)
E=$(sed -n 2p "$D/ex/labels.csv" | cut -d, -f1)
AG=$(serials ag | head -1)
MISTYPED="${V:0:15}$( [ "${V:15:1}" = 0 ] && echo 1 || echo 0)"
CODES="$(for d in v1 v2 lo rv ex; do serials $d; done)
$(echo "$V" | tr 'A-Z' 'a-z')
${V:0:4}-${V:4:4}-${V:8:4}-${V:12:4}
http://localhost:8080/L/$V
HTTP://LOCALHOST:8080/01/08930000000019/10/L1/21/$V
http://localhost:8080/01/08930000000019/21/$V
http://localhost:8080/01/08930000000026/21/$V
http://localhost:8080/01/08930000000019/10/L9/21/$V
http://localhost:8080/01/08930000000026/10/E1/21/$E
http://localhost:8080/01/08930000000019/21/ABC123
ZZZZZZZZZZZZZZZZ
0000000000000000
$MISTYPED"
INSTANTS="2024-01-10T09:30:00+07:00 2025-02-15T12:00:00+07:00 2025-04-30T23:59:59+07:00 2025-05-01T00:00:00+07:00 2026-06-01T09:00:00+07:00 2026-06-05T18:00:00+07:00"

export OCOP_NOW=2026-06-01T09:00:00+07:00
test_begin "snapshot: ocop snapshot writes a signed file"
expect_rc 0 "$OCOP" snapshot --province "dong thap" --out "$D/s1.snap"
expect_contains "$D/last.err" "snapshot 1 of Đồng Tháp"
head -c 8 "$D/s1.snap" | grep -q OCOPSNAP || fail "no magic"
expect_rc 0 "$OCOP" key list --json
cp "$D/last.out" "$D/keys1.json"
expect_rc 65 "$OCOP" snapshot --province "Hà Giang" --out "$D/none.snap"
expect_contains "$D/last.err" "no product of province 'Hà Giang'"
[ -e "$D/none.snap" ] && fail "a file was written for no product"
expect_rc 64 "$OCOP" snapshot --out "$D/x.snap"

# offline JSON for CODE at T from FILE, or "ERR <exit>" when it prints none
offline() {
	local out rc
	out=$("$OCOP" verify --offline "$1" "$2" --at "$3" --json "${@:4}" 2>"$D/off.err")
	rc=$?
	if [ -n "$out" ]; then echo "$out"; else echo "ERR $rc"; fi
}
test_begin "snapshot: verify --offline gives the verdicts of verify"
n=0
: >"$D/in.tsv"
: >"$D/c.out"
while read -r code; do
	for t in $INSTANTS; do
		on=$("$OCOP" verify "$code" --at "$t" --json 2>/dev/null || true)
		off=$(offline "$D/s1.snap" "$code" "$t")
		# for the browser's reader below
		printf '%s\t%s\n' "$code" "$t" >>"$D/in.tsv"
		case "$off" in "ERR 65") echo "ERR bad_input" ;; *) echo "$off" ;; esac >>"$D/c.out"
		$PY - "$on" "$off" "$code" "$t" <<'EOF' || fail "offline differs for $code at $t: $(cat "$D/off.err")"
import json, sys
on, off, code, t = sys.argv[1:5]
if not on:  # bad input online (before issue): bad input offline too
    sys.exit(0 if off.startswith("ERR 65") else 1)
on, off = json.loads(on), json.loads(off)
assert off.pop("offline")["seq"] == 1
for k in ("scans", "suspect_copy"):
    on.pop(k, None)
    assert off.pop(k, None) is None
if on != off:
    print(on, off, sep="\n")
    sys.exit(1)
EOF
		n=$((n + 1))
	done
done <<<"$CODES"
[ "$n" -gt 120 ] || fail "only $n comparisons"
expect_rc 1 "$OCOP" verify --offline "$D/s1.snap" "$VOIDED"
expect_contains "$D/last.out" "Kiểm tra ngoại tuyến — dữ liệu lúc 2026-06-01T09:00:00+07:00"
expect_contains "$D/last.out" "TEM ĐÃ BỊ HỦY"
expect_rc 0 "$OCOP" verify --offline "$D/s1.snap" "$V"
expect_contains "$D/last.out" "HỢP LỆ"
expect_rc 65 "$OCOP" verify --offline "$D/s1.snap" "$MISTYPED"
expect_contains "$D/last.err" "mistyped"

test_begin "snapshot: every verdict is met offline"
for want in valid:in_force voided:label_voided voided:batch_voided \
	star_mismatch:fewer_stars revoked:revoked expired:expired \
	unknown:not_found unknown:wrong_product; do
	found=0
	grep -q "\"verdict\":\"${want%%:*}\",.*\"reason\":\"${want##*:}\"" "$D/c.out" && found=1
	[ "$found" = 1 ] || fail "no code gives $want offline"
done

test_begin "snapshot: another province's labels are unknown offline"
off=$(offline "$D/s1.snap" "$AG" 2026-06-01T09:00:00+07:00)
case "$off" in *'"verdict":"unknown"'*'"reason":"not_found"'*) ;; *) fail "An Giang label: $off" ;; esac
expect_rc 0 "$OCOP" snapshot --province "AN GIANG" --out "$D/ag.snap"
expect_rc 0 "$OCOP" verify --offline "$D/ag.snap" "$AG"

cat >"$D/judge.mjs" <<'EOF'
// judge.mjs READER SNAPSHOT KEYS NOW [MIN_SEQ]: one line of stdin a code
// and an instant (tab); one line out a record, or "ERR <code>"
import { readFileSync } from 'node:fs';
import * as readline from 'node:readline';
const [reader, file, keysFile, now, minSeq] = process.argv.slice(2);
const { openSnapshot } = await import(reader);
let snap;
try {
	snap = await openSnapshot(readFileSync(file), JSON.parse(readFileSync(keysFile)),
		{ now, minSeq: minSeq ? Number(minSeq) : undefined });
} catch (e) {
	console.log(`REFUSED ${e.code} ${e.message}`);
	process.exit(3);
}
for await (const line of readline.createInterface({ input: process.stdin })) {
	const [code, at] = line.split('\t');
	try {
		console.log(JSON.stringify(await snap.judge(code, at)));
	} catch (e) {
		console.log(`ERR ${e.code}`);
	}
}
EOF
test_begin "snapshot: the browser's reader agrees with the C on every code"
node "$D/judge.mjs" "$READER" "$D/s1.snap" "$D/keys1.json" 2026-06-01T09:00:00+07:00 \
	<"$D/in.tsv" >"$D/js.out" 2>"$D/js.err" || fail "reader: $(cat "$D/js.out" "$D/js.err")"
$PY - "$D/c.out" "$D/js.out" <<'EOF' || fail "the reader and the C differ"
import json, sys
c = open(sys.argv[1]).read().splitlines()
js = open(sys.argv[2]).read().splitlines()
assert len(c) == len(js) and len(c) > 120, (len(c), len(js))
bad = 0
for a, b in zip(c, js):
    x = json.loads(a) if a.startswith("{") else a
    y = json.loads(b) if b.startswith("{") else b
    if x != y:
        bad += 1
        if bad < 4:
            print("C: ", a, "\nJS:", b)
sys.exit(1 if bad else 0)
EOF

test_begin "snapshot: a tampered snapshot is refused, never valid"
for pos in 20 200 $(($(stat -c %s "$D/s1.snap") - 100)) $(($(stat -c %s "$D/s1.snap") - 5)); do
	cp "$D/s1.snap" "$D/bad.snap"
	# flip every bit of the byte: writing a fixed value leaves the file whole
	# whenever the byte already held it
	$PY - "$D/bad.snap" "$pos" <<'EOF'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1)[0]
    f.seek(int(sys.argv[2])); f.write(bytes([b ^ 0xFF]))
EOF
	expect_rc 65 "$OCOP" verify --offline "$D/bad.snap" "$V"
	grep -q "VALID\|HỢP LỆ" "$D/last.out" && fail "tampered snapshot says valid"
	expect_contains "$D/last.err" "Không kiểm tra ngoại tuyến được"
	out=$(printf '%s\t%s\n' "$V" 2026-06-01T10:00:00+07:00 |
		node "$D/judge.mjs" "$READER" "$D/bad.snap" "$D/keys1.json" 2026-06-01T10:00:00+07:00)
	case "$out" in "REFUSED signature"* | "REFUSED format"*) ;; *) fail "reader took a tampered file: $out" ;; esac
done
head -c 1000 "$D/s1.snap" >"$D/cut.snap"
expect_rc 65 "$OCOP" verify --offline "$D/cut.snap" "$V"
expect_rc 66 "$OCOP" verify --offline "$D/missing.snap" "$V"

test_begin "snapshot: an expired snapshot is refused"
OCOP_NOW=2026-06-08T09:00:00+07:00 expect_rc 65 "$OCOP" verify --offline "$D/s1.snap" "$V"
expect_contains "$D/last.err" "expired"
grep -q "VALID" "$D/last.out" && fail "expired snapshot says valid"
OCOP_NOW=2026-06-08T08:59:59+07:00 expect_rc 0 "$OCOP" verify --offline "$D/s1.snap" "$V"
expect_rc 65 "$OCOP" verify --offline "$D/s1.snap" "$V" --at 2026-06-08T09:00:00+07:00
out=$(printf '%s\t%s\n' "$V" 2026-06-08T09:00:00+07:00 |
	node "$D/judge.mjs" "$READER" "$D/s1.snap" "$D/keys1.json" 2026-06-08T09:00:00+07:00)
case "$out" in "REFUSED expired"*) ;; *) fail "reader took an expired file: $out" ;; esac

test_begin "snapshot: --keys FILE where there is no database"
OCOP_DB="$D/nowhere.db" expect_rc 0 "$OCOP" verify --offline "$D/s1.snap" "$V" --keys "$D/keys1.json"
OCOP_DB="$D/nowhere.db" expect_rc 66 "$OCOP" verify --offline "$D/s1.snap" "$V"
expect_contains "$D/last.err" "--keys"
echo '{"keys":[]}' >"$D/nokeys.json"
expect_rc 65 "$OCOP" verify --offline "$D/s1.snap" "$V" --keys "$D/nokeys.json"
expect_contains "$D/last.err" "not a trusted key"

test_begin "snapshot: rotation keeps the old snapshot valid until it expires"
OLDKEY=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["keys"][0]["id"])' "$D/keys1.json")
export OCOP_NOW=2026-06-02T09:00:00+07:00
expect_rc 0 "$OCOP" key rotate
NEWKEY=$(cat "$D/last.out")
[ -n "$NEWKEY" ] && [ "$NEWKEY" != "$OLDKEY" ] || fail "no new key: '$NEWKEY'"
expect_rc 0 "$OCOP" key list --json
cp "$D/last.out" "$D/keys2.json"
$PY - "$D/keys2.json" "$OLDKEY" "$NEWKEY" <<'EOF' || fail "keys document after rotation"
import json, sys
d = json.load(open(sys.argv[1]))
k = {x["id"]: x for x in d["keys"]}
old, new = k[sys.argv[2]], k[sys.argv[3]]
assert old["retired_at"] == "2026-06-02T09:00:00+07:00", old
assert old["valid_until"] == "2026-06-09T09:00:00+07:00", old
assert new["retired_at"] is None and new["valid_until"] is None, new
assert d["snapshot_lifetime_seconds"] == 604800
EOF
expect_rc 0 "$OCOP" verify --offline "$D/s1.snap" "$V"
expect_rc 0 "$OCOP" snapshot --province "Đồng Tháp" --out "$D/s2.snap"
expect_contains "$D/last.err" "signed by key $NEWKEY"
off=$(offline "$D/s2.snap" "$V" 2026-06-02T09:00:00+07:00)
case "$off" in *"\"key_id\":\"$NEWKEY\""*) ;; *) fail "new snapshot: $off" ;; esac
SEQ2=$(echo "$off" | $PY -c 'import json,sys; print(json.load(sys.stdin)["offline"]["seq"])')
[ "$SEQ2" -gt 1 ] || fail "seq did not grow: $SEQ2"
out=$(printf '%s\t%s\n' "$V" 2026-06-02T10:00:00+07:00 |
	node "$D/judge.mjs" "$READER" "$D/s1.snap" "$D/keys2.json" 2026-06-02T10:00:00+07:00 "$SEQ2")
case "$out" in "REFUSED old_seq"*) ;; *) fail "reader took an older seq: $out" ;; esac
out=$(printf '%s\t%s\n' "$V" 2026-06-02T10:00:00+07:00 |
	node "$D/judge.mjs" "$READER" "$D/s2.snap" "$D/keys2.json" 2026-06-02T10:00:00+07:00 "$SEQ2")
case "$out" in *'"verdict":"valid"'*) ;; *) fail "reader on the new snapshot: $out" ;; esac
# the old key's snapshot expires; the new one goes on; the old key is
# no longer published once what it signed has expired
export OCOP_NOW=2026-06-08T10:00:00+07:00
expect_rc 65 "$OCOP" verify --offline "$D/s1.snap" "$V"
expect_rc 0 "$OCOP" verify --offline "$D/s2.snap" "$V"
export OCOP_NOW=2026-06-09T09:00:00+07:00
expect_rc 0 "$OCOP" key list --json
grep -q "$OLDKEY" "$D/last.out" && fail "retired key still published after its last snapshot expired"
expect_contains "$D/last.out" "$NEWKEY"
expect_rc 0 "$OCOP" key list
expect_contains "$D/last.out" "$OLDKEY"
test_end
