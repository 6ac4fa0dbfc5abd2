#!/usr/bin/env bash
# The registry as the provinces write it (SPEC 6): a province list in the
# decisions' own words (NFC, NFD, upper case, no diacritics) stored in
# canonical form; producer_id and source; history in any order (an
# extension entered after its successor, the same start day refused); and
# ocop registry export, imported back into an empty database with the same
# product list and the same verdict for every label on every day checked.
. "$(dirname "$0")/lib.sh"
export OCOP_NOW=2026-11-28T09:00:00+07:00
PY=/usr/bin/python3
D=$E2E_DIR

dump() { db_dump; }

test_begin "tools"
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed"
[ -x "$PY" ] || fail "$PY is not installed"

# The sample: every group and producer kind SPEC 6 lists, each written one
# of the ways a clerk types it. Column 16 (not imported: the extra column
# is ignored) is what it must be stored as: "group kind".
"$PY" - "$D" <<'EOF'
import csv, sys, unicodedata
d = sys.argv[1]
nfd = lambda s: unicodedata.normalize("NFD", s)
hdr = ["code", "name", "group", "gtin", "producer", "producer_kind",
       "province", "address", "stars", "decision_no", "decided_on",
       "issuer", "valid_until", "producer_id", "source", "expected"]
rows = [
    # group as written, producer, producer_kind as written, expected
    ("Thực phẩm", "HTX Quýt hồng Lai Vung", nfd("Hợp tác xã"), "I HTX"),
    ("ĐỒ UỐNG", "Tổ hợp tác trà sen", "Tổ hợp tác", "II THT"),
    ("Dược liệu và sản phẩm từ dược liệu", "Công ty TNHH Dược liệu A",
     "Công ty TNHH", "III DN"),
    (nfd("Thảo dược"), "Công ty Cổ phần B", "CÔNG TY CỔ PHẦN", "III DN"),
    ("thu cong my nghe", "CTCP Chiếu Định Yên", "CTCP", "IV DN"),
    ("Sinh vật cảnh", "DNTN Kiểng Ba Lợi", "DNTN", "V DN"),
    ("Du lịch cộng đồng, sinh thái và điểm du lịch", "Doanh nghiệp tư nhân C",
     "Doanh nghiep tu nhan", "VI DN"),
    ("DU LICH", "Hộ kinh doanh Năm Hương", "Hộ kinh doanh", "VI hộ"),
    (nfd("THỰC PHẨM"), "Hộ bà Sáu", "hộ gia đình", "I hộ"),
    ("Nhóm II", "Hộ ông Đức", nfd("HỘ GIA ĐÌNH"), "II hộ"),
    ("iv", "Cơ sở sản xuất nem Út Mười", "Cơ sở sản xuất", "IV other"),
    ("VI", "Trang trại Gáo Giồng", "Trang trại", "VI other"),
    ("III", "Công ty TNHH Trà Ô Long", "", "III DN"),
    ("duoc lieu va san pham tu duoc lieu", nfd("Hợp tác xã Dược liệu Phú Cường"),
     "", "III HTX"),
    ("Đồ uống", "Nguyễn Văn Tám", "", "II other"),
    ("thực phẩm", "HTX Xoài Mỹ Xương", "HTX", "I HTX"),
    ("Thủ công mỹ nghệ", "Công ty TNHH Dệt chiếu", "C.ty TNHH", "IV DN"),
    ("sinh vat canh", nfd("ĐƠN VỊ Kiểng"), "", "V other"),
]
with open(d + "/province.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(hdr)
    for i, (g, prod, kind, exp) in enumerate(rows):
        w.writerow(["LD-%02d" % i, "Sản phẩm %d" % i, g, "", prod, kind,
                    "Lâm Đồng", "xã %d, tỉnh Lâm Đồng" % i, "3",
                    "%d/QĐ-UBND" % (100 + i), "2026-01-%02d" % (i + 1),
                    "UBND tỉnh Lâm Đồng", "", "", "", exp])
with open(d + "/expected", "w") as f:
    for i, r in enumerate(rows):
        f.write("LD-%02d %s\n" % (i, r[3]))
EOF

test_begin "words: a province list as the decisions write it"
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$D/province.csv"
expect_contains "$D/last.err" "imported 18 products, 18 recognitions"
"$OCOP" product list --json | "$PY" -c '
import json, sys
for p in json.load(sys.stdin)["entries"]:
    print(p["code"], p["group"], p["producer"]["kind"])' >"$D/got"
expect_eq "$(cat "$D/got")" "$(cat "$D/expected")" "canonical group and kind"
# stored as the canonical words, NFC
expect_eq "$(db_query "SELECT DISTINCT kind FROM producers WHERE kind NOT IN ('HTX', 'THT', 'DN', 'other')")" "hộ" "hộ stored"
expect_eq "$(db_query "SELECT count(*) FROM products WHERE grp NOT IN ('I','II','III','IV','V','VI')")" 0 "groups stored"

test_begin "words: a bad row is still named by its line"
before=$(dump)
{
	head -1 "$D/province.csv"
	sed -n 2p "$D/province.csv" | sed 's/^LD-00/LD-90/; s/100\/QĐ/190\/QĐ/'
	printf 'LD-91,Bánh,Thực phầm khô,,HTX A,HXT,Lâm Đồng,xã A,3,191/QĐ,2026-02-01,UBND,,,,\r\n'
} >"$D/bad.csv"
expect_rc 65 "$OCOP" registry import "$D/bad.csv"
expect_contains "$D/last.err" "bad.csv line 3: invalid group 'Thực phầm khô'"
expect_contains "$D/last.err" "invalid producer_kind 'HXT'"
expect_contains "$D/last.err" "nothing was imported"
expect_eq "$(dump)" "$before" "database after a rejected import"

test_begin "words: producer_id makes one producer across products and addresses"
H=code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until,producer_id,source
cat >"$D/ids.csv" <<EOF
$H
ID-1,Trà A,Đồ uống,,Công ty TNHH Trà Cầu Đất,Công ty TNHH,Lâm Đồng,"Cầu Đất, Đà Lạt",4,10/QĐ-UBND,2025-03-01,UBND tỉnh Lâm Đồng,,5800123456,https://lamdong.gov.vn/qd-10
ID-2,Trà B,Đồ uống,,Công ty TNHH Trà Cầu Đất,,Lâm Đồng,"Xuân Trường, Đà Lạt",3,11/QĐ-UBND,2025-04-01,UBND tỉnh Lâm Đồng,,5800123456,
ID-3,Trà C,Đồ uống,,Công ty TNHH Trà Cầu Đất,,Lâm Đồng,"Xuân Trường, Đà Lạt",3,12/QĐ-UBND,2025-04-02,UBND tỉnh Lâm Đồng,,,
EOF
expect_rc 0 "$OCOP" registry import "$D/ids.csv"
expect_eq "$(db_query "SELECT count(DISTINCT producer_id) FROM products WHERE code LIKE 'ID-%'")" 1 "one producer"
# its products at two places keep the producer's own: again, nothing changes
before=$(dump)
expect_rc 0 "$OCOP" registry import "$D/ids.csv"
expect_contains "$D/last.err" "(3 unchanged)"
expect_eq "$(dump)" "$before" "database after importing again"
expect_rc 0 "$OCOP" product show ID-1 --json
expect_eq "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["producer"]["producer_id"], d["producer"]["address"], d["recognitions"][0]["source"])' "$D/last.out")" \
	"5800123456 Cầu Đất, Đà Lạt https://lamdong.gov.vn/qd-10" "ID-1 keeps its own address"
expect_rc 0 "$OCOP" product show ID-3
expect_contains "$D/last.out" "Mã số thuế / Tax ID:  5800123456"
expect_rc 0 "$OCOP" product show ID-1
expect_contains "$D/last.out" "nguồn / source: https://lamdong.gov.vn/qd-10"
# another producer claiming the number at the same place is refused
sed -n '1p;4p' "$D/ids.csv" | sed 's/ID-3/ID-4/; s/12\/QĐ/13\/QĐ/; s/,,,$/,,5800999999,/' >"$D/ids2.csv"
expect_rc 65 "$OCOP" registry import "$D/ids2.csv"
expect_contains "$D/last.err" "ids2.csv line 2: producer 'Công ty TNHH Trà Cầu Đất'"
expect_contains "$D/last.err" "recorded with producer_id '5800123456', not '5800999999'"

# A product for the history tests: X 4★ from 2020-11-05 (valid until
# 2023-11-04), then 3★ from 2024-01-10. A label printed 4★ in 2023.
HDR13=code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
test_begin "history: an extension entered after its successor"
cat >"$D/x.csv" <<EOF
$HDR13
X-1,Hạt sen sấy,Thực phẩm,,HTX Mỹ Hòa,Hợp tác xã,Đồng Tháp,xã Mỹ Hòa,3,1502/QĐ-UBND-HC,2024-01-10,UBND tỉnh Đồng Tháp,
X-1,Hạt sen sấy,Thực phẩm,,HTX Mỹ Hòa,Hợp tác xã,Đồng Tháp,xã Mỹ Hòa,4,2455/QĐ-UBND,2020-11-05,UBND huyện Tháp Mười,
EOF
expect_rc 0 "$OCOP" registry import "$D/x.csv"
OCOP_NOW=2023-06-01T09:00:00+07:00 expect_rc 0 "$OCOP" label issue X-1 --count 1 --format csv --out "$D/x-labels"
XS=$(tail -n +2 "$D/x-labels/labels.csv" | cut -d, -f1)
verdict() { "$OCOP" verify "$XS" --at "$1T12:00:00+07:00" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["verdict"])'; }
expect_eq "$(verdict 2023-11-04)" valid "last day of the first term"
expect_eq "$(verdict 2023-12-01)" expired "between the terms, before the extension"
expect_eq "$(verdict 2024-01-10)" star_mismatch "successor (3★) from its first day"
printf 'code,decision_no,extended_until,extension_decision_no\r\nX-1,2455/QĐ-UBND,2024-05-01,88/QĐ-UBND\r\n' >"$D/ext.csv"
expect_rc 0 "$OCOP" registry import "$D/ext.csv"
expect_contains "$D/last.err" "imported 1 extension of 1 product (0 unchanged)"
expect_eq "$(verdict 2023-11-05)" valid "first day of the extension"
expect_eq "$(verdict 2023-12-01)" valid "extended, before the successor starts"
expect_eq "$(verdict 2024-01-09)" valid "the day before the successor starts"
expect_eq "$(verdict 2024-01-10)" star_mismatch "the successor starts: the extension no longer counts"
expect_eq "$(verdict 2024-03-01)" star_mismatch "within the extension, after the successor"
expect_rc 0 "$OCOP" registry import "$D/ext.csv"
expect_contains "$D/last.err" "(1 unchanged)"
# an extension past 180 days after its own term is refused, by line
printf 'code,decision_no,extended_until\nX-1,2455/QĐ-UBND,2024-06-01\nX-1,nope,2024-01-01\n' >"$D/ext-bad.csv"
expect_rc 65 "$OCOP" registry import "$D/ext-bad.csv"
expect_contains "$D/last.err" "ext-bad.csv line 2: extension until 2024-06-01 is more than 180 days"
expect_contains "$D/last.err" "ext-bad.csv line 3: product 'X-1' has no recognition with decision 'nope'"

test_begin "history: a second recognition the same day is refused, both named"
before=$(dump)
printf '%s\nX-1,Hạt sen sấy,I,,HTX Mỹ Hòa,HTX,Đồng Tháp,xã Mỹ Hòa,5,77/QĐ-BNN,2024-01-10,Bộ NN,\n' "$HDR13" >"$D/same.csv"
expect_rc 65 "$OCOP" registry import "$D/same.csv"
expect_contains "$D/last.err" "same.csv line 2: decision '77/QĐ-BNN' starts on 2024-01-10, the same day as decision '1502/QĐ-UBND-HC'"
# within one file too
printf '%s\nY-1,Bánh,I,,HTX Y,HTX,Đồng Tháp,xã Y,3,1/QĐ,2024-01-10,UBND,\nY-1,Bánh,I,,HTX Y,HTX,Đồng Tháp,xã Y,4,2/QĐ,2024-01-10,UBND,\n' "$HDR13" >"$D/same2.csv"
expect_rc 65 "$OCOP" registry import "$D/same2.csv"
expect_contains "$D/last.err" "same2.csv line 3: decision '2/QĐ' starts on 2024-01-10, the same day as decision '1/QĐ'"
expect_rc 65 "$OCOP" cert grant X-1 --stars 5 --decision 77/QĐ-BNN --date 2024-01-10
expect_contains "$D/last.err" "decision '77/QĐ-BNN' starts on 2024-01-10, the same day as decision '1502/QĐ-UBND-HC'"
expect_eq "$(dump)" "$before" "database after the refusals"

test_begin "export: round trip of a registry with extensions, revocations, history out of order"
# more history on top of the demo registry: revocations, an extension of
# a superseded recognition, recognitions entered newest first
expect_rc 0 "$OCOP" registry import "$ASSETS/demo/registry.csv" "$ASSETS/demo/revocations.csv"
expect_rc 0 "$OCOP" cert extend 87-30010-001-2020 --until 2027-01-31 --extension-decision "12/QĐ-UBND, gia hạn \"đặc biệt\""
expect_rc 0 "$OCOP" cert revoke X-1 --decision 'TH/01' --date 2025-02-01 --ground lapsed --note 'dòng 1
dòng 2, "trích"'
expect_rc 0 "$OCOP" cert grant X-1 --stars 4 --decision 9/QĐ --date 2026-03-01 --source "=HYPERLINK(\"x\")"
for code in 87-30010-001-2020 87-30571-001-2019 87-29932-001-2021 87-30166-001-2021; do
	OCOP_NOW=2022-01-10T09:00:00+07:00 expect_rc 0 "$OCOP" label issue $code --count 2 --format csv --out "$D/l-$code"
done
OCOP_NOW=2026-11-28T09:00:00+07:00 expect_rc 0 "$OCOP" label issue 87-30571-001-2019 --count 2 --format csv --out "$D/l-now"
for fmt in csv json; do
	expect_rc 0 "$OCOP" registry export --format $fmt --out "$D/exp-$fmt/sub"
	expect_eq "$(ls "$D/exp-$fmt/sub" | tr '\n' ' ')" "extensions.$fmt registry.$fmt revocations.$fmt " "$fmt files"
done
expect_rc 0 "$OCOP" registry export
cp "$D/last.out" "$D/bundle.json"
expect_contains "$D/exp-csv/sub/extensions.csv" '"12/QĐ-UBND, gia hạn ""đặc biệt"""'
expect_contains "$D/exp-csv/sub/registry.csv" '"=HYPERLINK(""x"")"'
# the labels, copied into each new database by product code (labels are
# not part of the registry); their verdicts must come out the same
copy_labels() {
	if [ "$E2E_ENGINE" = pg ]; then
		copy_labels_from_pg "$1"
		return
	fi
	sqlite3 "$1" "ATTACH '$OCOP_DB' AS a;
	INSERT INTO batches SELECT b.id, p2.id, b.stars, b.lot, b.count, b.made_on, b.best_before, b.issued_at, b.voided_at, b.void_reason
		FROM a.batches b JOIN a.products p1 ON p1.id = b.product_id JOIN products p2 ON p2.code = p1.code;
	INSERT INTO labels SELECT l.id, l.serial, l.batch_id, p2.id, l.stars, l.voided_at, l.void_reason
		FROM a.labels l JOIN a.products p1 ON p1.id = l.product_id JOIN products p2 ON p2.code = p1.code;"
}
# the same from the PostgreSQL database into the SQLite file $1, through
# CSV (an empty unquoted field is NULL)
copy_labels_from_pg() {
	db_query "\\copy (SELECT b.id, p.code, b.stars, b.lot, b.count, b.made_on, b.best_before, b.issued_at, b.voided_at, b.void_reason FROM batches b JOIN products p ON p.id = b.product_id) TO '$D/xb.csv' WITH (FORMAT csv)"
	db_query "\\copy (SELECT l.id, l.serial, l.batch_id, p.code, l.stars, l.voided_at, l.void_reason FROM labels l JOIN products p ON p.id = l.product_id) TO '$D/xl.csv' WITH (FORMAT csv)"
	sqlite3 "$1" <<SQL
CREATE TEMP TABLE xb(id, code, stars, lot, count, made_on, best_before, issued_at, voided_at, void_reason);
CREATE TEMP TABLE xl(id, serial, batch_id, code, stars, voided_at, void_reason);
.import --csv $D/xb.csv xb
.import --csv $D/xl.csv xl
INSERT INTO batches SELECT xb.id, p.id, xb.stars, nullif(xb.lot, ''), xb.count, nullif(xb.made_on, ''), nullif(xb.best_before, ''), xb.issued_at, nullif(xb.voided_at, ''), nullif(xb.void_reason, '')
	FROM xb JOIN products p ON p.code = xb.code;
INSERT INTO labels SELECT xl.id, xl.serial, xl.batch_id, p.id, xl.stars, nullif(xl.voided_at, ''), nullif(xl.void_reason, '')
	FROM xl JOIN products p ON p.code = xl.code;
SQL
}
# the days of each label: every day its product's verdict may change
# (starts, ends and the day after, extensions, revocations and the day
# before), the first of every year and the last day checked
label_days() {
	if [ "$E2E_ENGINE" = pg ]; then
		label_days_pg
		return
	fi
	db_query "WITH p(id) AS (SELECT DISTINCT product_id FROM labels),
	d(pid, day) AS (
		SELECT product_id, valid_from FROM recognitions
		UNION SELECT product_id, date(valid_from, '-1 day') FROM recognitions
		UNION SELECT product_id, valid_until FROM recognitions
		UNION SELECT product_id, date(valid_until, '+1 day') FROM recognitions
		UNION SELECT r.product_id, e.extended_until FROM extensions e JOIN recognitions r ON r.id = e.recognition_id
		UNION SELECT r.product_id, date(e.extended_until, '+1 day') FROM extensions e JOIN recognitions r ON r.id = e.recognition_id
		UNION SELECT product_id, revoked_on FROM revocations
		UNION SELECT product_id, date(revoked_on, '-1 day') FROM revocations)
	SELECT l.serial, d.day FROM labels l JOIN d ON d.pid = l.product_id
	WHERE d.day > date((SELECT issued_at FROM batches WHERE id = l.batch_id), 'unixepoch', '+1 day')
	UNION SELECT l.serial, y || '-01-01' FROM labels l,
		(SELECT 2023 AS y UNION SELECT 2024 UNION SELECT 2025 UNION SELECT 2026 UNION SELECT 2027 UNION SELECT 2028 UNION SELECT 2029)
	WHERE y || '-01-01' > date((SELECT issued_at FROM batches WHERE id = l.batch_id), 'unixepoch', '+1 day')
	ORDER BY 1, 2"
}
label_days_pg() {
	db_query "WITH d(pid, day) AS (
		SELECT product_id, valid_from FROM recognitions
		UNION SELECT product_id, valid_from - 1 FROM recognitions
		UNION SELECT product_id, valid_until FROM recognitions
		UNION SELECT product_id, valid_until + 1 FROM recognitions
		UNION SELECT r.product_id, e.extended_until FROM extensions e JOIN recognitions r ON r.id = e.recognition_id
		UNION SELECT r.product_id, e.extended_until + 1 FROM extensions e JOIN recognitions r ON r.id = e.recognition_id
		UNION SELECT product_id, revoked_on FROM revocations
		UNION SELECT product_id, revoked_on - 1 FROM revocations),
	b(id, after) AS (SELECT id, (to_timestamp(issued_at) AT TIME ZONE 'UTC')::date + 1 FROM batches)
	SELECT l.serial, to_char(d.day, 'YYYY-MM-DD') FROM labels l JOIN d ON d.pid = l.product_id
	JOIN b ON b.id = l.batch_id WHERE d.day > b.after
	UNION SELECT l.serial, y || '-01-01' FROM labels l JOIN b ON b.id = l.batch_id,
		(VALUES (2023), (2024), (2025), (2026), (2027), (2028), (2029)) v(y)
	WHERE (y || '-01-01')::date > b.after
	ORDER BY 1, 2"
}
label_days >"$D/label-days"
expect_eq "$(cut -d'|' -f1 "$D/label-days" | sort -u | wc -l)" 11 "labels to compare"
# verdicts DB: "serial day verdict reason", one line per label and day
verdicts() {
	"$PY" - "$OCOP" "$1" "$D/label-days" <<'PYEOF'
import json, subprocess, sys
ocop, db, days = sys.argv[1:4]
for line in open(days):
    serial, day = line.strip().split("|")
    r = subprocess.run([ocop, "--db", db, "verify", serial, "--at",
                        day + "T12:00:00+07:00", "--json"],
                       capture_output=True, text=True)
    try:
        d = json.loads(r.stdout)
        print(serial, day, d["verdict"], d["reason"])
    except ValueError:
        print(serial, day, "error", r.stderr.strip())
PYEOF
}
lists() {
	local y
	for y in 2020 2021 2022 2023 2024 2025 2026 2027 2028 2029; do
		"$OCOP" --db "$1" product list --json --as-of $y-06-15
	done
}
verdicts "$OCOP_DB" >"$D/verdicts-a"
lists "$OCOP_DB" >"$D/lists-a"
for src in csv json bundle; do
	db="$D/rt-$src.db"
	OCOP_DB=$db expect_rc 0 "$OCOP" init
	case $src in
	bundle) OCOP_DB=$db expect_rc 0 "$OCOP" registry import - <"$D/bundle.json" ;;
	# given in name order: extensions before the registry they extend
	*) OCOP_DB=$db expect_rc 0 "$OCOP" registry import "$D/exp-$src/sub/extensions.$src" \
		"$D/exp-$src/sub/registry.$src" "$D/exp-$src/sub/revocations.$src" ;;
	esac
	copy_labels "$db"
	expect_eq "$(OCOP_DB=$db "$OCOP" product list --json)" "$("$OCOP" product list --json)" "$src: product list"
	lists "$db" >"$D/lists-b"
	cmp -s "$D/lists-a" "$D/lists-b" || fail "$src: product lists differ: $(diff "$D/lists-a" "$D/lists-b" | head -5)"
	verdicts "$db" >"$D/verdicts-b"
	cmp -s "$D/verdicts-a" "$D/verdicts-b" || fail "$src: verdicts differ: $(diff "$D/verdicts-a" "$D/verdicts-b" | head -5)"
	# exporting the copy gives the same files
	OCOP_DB=$db expect_rc 0 "$OCOP" registry export --out "$D/again-$src"
	for f in registry extensions revocations; do
		cmp -s "$D/exp-csv/sub/$f.csv" "$D/again-$src/$f.csv" || fail "$src: $f.csv exported again differs"
	done
done

test_begin "export: usage"
expect_rc 64 "$OCOP" registry export --format csv
expect_rc 64 "$OCOP" registry export --format xml --out "$D/x"
expect_rc 64 "$OCOP" registry export extra
touch "$D/afile"
expect_rc 73 "$OCOP" registry export --out "$D/afile/sub"
expect_rc 0 "$OCOP" registry export --help
expect_contains "$D/last.out" "ocop registry export"

test_end
