#!/usr/bin/env bash
# The inspector reports end to end: a registry imported from CSV, labels
# issued at past dates, scans posted by an inspector to the running
# server, then a revocation entered late (dated before some scans). Every
# report is read through the command line in JSON, CSV, table and HTML,
# and through GET /api/v1/reports/{name}; CSV, HTML and the API must carry
# the same numbers as the JSON.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-03-01T10:00:00+07:00
AS_OF=2026-03-01
PY=/usr/bin/python3
BODY=$E2E_DIR/body

serial() { # serial DIR N: the Nth label of an issue
	sed -n "$(($2 + 1))p" "$1/labels.csv" | cut -d, -f1
}
jq_py() { # jq_py FILE EXPR: evaluate a Python expression over d
	$PY -c 'import json,sys
d=json.load(open(sys.argv[1]))
v=eval(sys.argv[2])
print(json.dumps(v, ensure_ascii=False) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1" "$2"
}
# entry FILE CODE VERDICT KEY: a field of a circulation entry
centry() {
	jq_py "$1" "[e for e in d['entries'] if e['code']=='$2' and e['verdict']=='$3'][0]['$4']"
}

test_begin "reports: scenario"
cat >"$E2E_DIR/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
LAP-1,Bánh phồng tôm Sa Giang,I,,Hộ Nguyễn Văn Bé,hộ,Đồng Tháp,Phường 2,3,100/QĐ-UBND,2022-01-10,UBND tỉnh Đồng Tháp,
REV-1,"Mắm <tôm> & ""Ba Làng""",I,,DN Mắm Ba Làng,DN,Đồng Tháp,Lai Vung,4,200/QĐ-UBND,2024-01-01,UBND tỉnh Đồng Tháp,
DOWN-1,Nem Lai Vung,I,,HTX Nem Lai Vung,HTX,Đồng Tháp,Lai Vung,4,300/QĐ-UBND,2023-01-01,UBND tỉnh Đồng Tháp,
DOWN-1,Nem Lai Vung,I,,HTX Nem Lai Vung,HTX,Đồng Tháp,Lai Vung,3,301/QĐ-UBND,2025-03-01,UBND tỉnh Đồng Tháp,
GAP-1,Hủ tiếu Sa Đéc,I,,HTX Hủ tiếu,HTX,Đồng Tháp,Sa Đéc,3,400/QĐ-UBND,2021-06-01,UBND tỉnh Đồng Tháp,
GAP-1,Hủ tiếu Sa Đéc,I,,HTX Hủ tiếu,HTX,Đồng Tháp,Sa Đéc,3,401/QĐ-UBND,2024-09-01,UBND tỉnh Đồng Tháp,
VOID-1,Sen sấy Tháp Mười,I,,HTX Sen Tháp Mười,HTX,Đồng Tháp,Tháp Mười,5,500/QĐ-BNN,2022-03-01,Bộ Nông nghiệp và PTNT,
EXP-1,Xoài cát Hòa Lộc,I,,HTX Xoài Cao Lãnh,HTX,Đồng Tháp,Cao Lãnh,4,600/QĐ-UBND,2023-06-01,UBND tỉnh Đồng Tháp,
EXP-2,Gạo Tám Xoan,I,,HTX Gạo,HTX,Đồng Tháp,Tháp Mười,3,700/QĐ-UBND,2023-08-15,UBND tỉnh Đồng Tháp,
EOF
cat >"$E2E_DIR/rev.csv" <<'EOF'
code,decision_no,revoked_on,ground,note
REV-1,201/QĐ-UBND,2025-06-01,c,vi phạm an toàn thực phẩm
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
issue() { # issue CODE COUNT DAY DIR
	OCOP_NOW="$3T10:00:00+07:00" expect_rc 0 "$OCOP" label issue "$1" \
		--count "$2" --format csv --out "$E2E_DIR/$4"
}
issue LAP-1 3 2023-03-01 lap
issue REV-1 2 2024-02-01 rev
issue DOWN-1 2 2024-01-15 down4
issue DOWN-1 1 2025-04-01 down3
issue GAP-1 2 2023-01-01 gap
issue VOID-1 2 2023-01-01 void
issue EXP-1 2 2024-01-01 exp
LAP_A=$(serial "$E2E_DIR/lap" 1)
LAP_B=$(serial "$E2E_DIR/lap" 2)
REV_A=$(serial "$E2E_DIR/rev" 1)
REV_B=$(serial "$E2E_DIR/rev" 2)
D4_A=$(serial "$E2E_DIR/down4" 1)
D4_B=$(serial "$E2E_DIR/down4" 2)
D3_A=$(serial "$E2E_DIR/down3" 1)
GAP_A=$(serial "$E2E_DIR/gap" 1)
GAP_B=$(serial "$E2E_DIR/gap" 2)
VOID_A=$(serial "$E2E_DIR/void" 1)
VOID_B=$(serial "$E2E_DIR/void" 2)
EXP_A=$(serial "$E2E_DIR/exp" 1)
[ ${#LAP_A} -eq 16 ] && [ ${#EXP_A} -eq 16 ] || fail "serials: '$LAP_A' '$EXP_A'"
OCOP_NOW=2025-02-15T10:00:00+07:00 expect_rc 0 "$OCOP" label void "$VOID_A" \
	--reason "mất"
INSPECTOR=$("$OCOP" token create --role inspector)
[ -n "$INSPECTOR" ] || fail "no inspector token"
start_server --rate-limit 0

n=0
item() { # item CODE DAY PLACE [TIME]
	n=$((n + 1))
	printf '%s{"id":"r%d","code":"%s","scanned_at":"%sT%s+07:00","place":"%s","province":"87"}' \
		"$([ $n -gt 1 ] && echo ,)" "$n" "$1" "$2" "${4:-12:00:00}" "$3"
}
{
	echo '{"scans":['
	item "$LAP_A" 2024-06-01 "Chợ Sa Đéc"
	item "$LAP_A" 2025-02-01 "Chợ Bến Thành"
	item "$LAP_B" 2025-02-03 "Chợ Bến Thành"
	item "$LAP_B" 2025-03-01 "Siêu thị Co.op"
	item "$REV_A" 2025-05-01 "Chợ A"
	item "$REV_A" 2025-06-10 "Chợ A"
	item "$REV_B" 2025-07-01 "Chợ B"
	item "$D4_A" 2025-02-20 "Chợ Lai Vung"
	item "$D4_A" 2025-05-01 "Chợ Lai Vung"
	item "$D4_B" 2025-05-02 "Chợ Cao Lãnh"
	item "$D3_A" 2025-05-03 "Chợ Lai Vung"
	item "$GAP_A" 2024-07-15 "Chợ Sa Đéc"
	item "$GAP_B" 2024-10-01 "Chợ Sa Đéc"
	item "$VOID_A" 2025-04-01 "Chợ Tràm Chim"
	item "$VOID_B" 2025-04-01 "Chợ Tràm Chim"
	item "$EXP_A" 2026-02-01 "Chợ Cao Lãnh"
	item "$EXP_A" 2026-02-02 "Chợ Bến Thành"
	item "$EXP_A" 2026-02-02 "Chợ Lớn" 13:00:00
	item "$EXP_A" 2026-02-03 "Cần Thơ"
	item "$EXP_A" 2026-02-20 "Chợ Cao Lãnh"
	item "ZZZZ-ZZZZ-ZZZZ-ZZZZ" 2025-09-01 "Chợ Lớn"
	item "ZZZZ-ZZZZ-ZZZZ-ZZZZ" 2025-09-05 "Chợ Lớn"
	item "ZZZZ-ZZZZ-ZZZZ-ZZZZ" 2025-09-02 "Chợ Bến Thành"
	echo ']}'
} >"$E2E_DIR/scans.json"
code=$(curl -s -o "$BODY" -w '%{http_code}' -X POST "$BASE/api/v1/scans" \
	-H "Authorization: Bearer $INSPECTOR" \
	-H 'Content-Type: application/json' --data-binary @"$E2E_DIR/scans.json")
expect_eq "$code" 200 "scans posted"
expect_eq "$(jq_py "$BODY" "len(d['results'])")" 23 "results"
# judged then: the revocation is not entered yet
expect_eq "$(jq_py "$BODY" "d['results'][5]['verdict']")" valid "REV-1 scan at the time"
# the revocation arrives late, dated before two of the scans
expect_rc 0 "$OCOP" registry import "$E2E_DIR/rev.csv"

test_begin "reports: circulation JSON"
expect_rc 0 "$OCOP" report circulation --as-of $AS_OF --format json
C=$E2E_DIR/circ.json
cp "$E2E_DIR/last.out" "$C"
expect_eq "$(jq_py "$C" "d['as_of']")" $AS_OF as_of
expect_eq "$(jq_py "$C" "len(d['entries'])")" 5 entries
expect_eq "$(centry "$C" LAP-1 expired scans)" 3 "LAP-1 scans"
expect_eq "$(centry "$C" LAP-1 expired since)" 2025-01-10 "LAP-1 since"
expect_eq "$(centry "$C" LAP-1 expired labels_issued)" 3 "LAP-1 issued"
expect_eq "$(centry "$C" LAP-1 expired labels_seen)" 2 "LAP-1 seen"
expect_eq "$(centry "$C" LAP-1 expired first_seen)" 2025-02-01T12:00:00+07:00 "LAP-1 first"
expect_eq "$(centry "$C" LAP-1 expired last_seen)" 2025-03-01T12:00:00+07:00 "LAP-1 last"
expect_eq "$(centry "$C" LAP-1 expired places)" '{"Chợ Bến Thành": 2, "Siêu thị Co.op": 1}' "LAP-1 places"
expect_eq "$(centry "$C" LAP-1 expired producer)" "Hộ Nguyễn Văn Bé" "LAP-1 producer"
expect_eq "$(centry "$C" LAP-1 expired province)" "Đồng Tháp" "LAP-1 province"
expect_eq "$(centry "$C" REV-1 revoked scans)" 2 "REV-1 scans now revoked"
expect_eq "$(centry "$C" REV-1 revoked since)" 2025-06-01 "REV-1 since"
expect_eq "$(centry "$C" DOWN-1 star_mismatch scans)" 2 "DOWN-1 4-star labels"
expect_eq "$(centry "$C" DOWN-1 star_mismatch since)" 2025-03-01 "DOWN-1 since"
expect_eq "$(centry "$C" DOWN-1 star_mismatch labels_issued)" 3 "DOWN-1 issued"
expect_eq "$(centry "$C" GAP-1 expired scans)" 1 "GAP-1 in the gap"
expect_eq "$(centry "$C" GAP-1 expired since)" 2024-06-01 "GAP-1 since"
expect_eq "$(centry "$C" VOID-1 expired scans)" 1 "VOID-1 voided label left out"
expect_eq "$(centry "$C" VOID-1 expired labels_issued)" 2 "VOID-1 issued counts voided"
expect_eq "$(jq_py "$C" "d['entries'][0]['code']")" LAP-1 "most scans first"

test_begin "reports: lapsed, expiring, clones, unknown JSON"
expect_rc 0 "$OCOP" report lapsed --as-of $AS_OF --json
cp "$E2E_DIR/last.out" "$E2E_DIR/lapsed.json"
expect_eq "$(jq_py "$E2E_DIR/lapsed.json" "[e['code'] for e in d['entries']]")" '["LAP-1", "VOID-1"]' lapsed
expect_eq "$(jq_py "$E2E_DIR/lapsed.json" "d['entries'][0]['lapsed_on']")" 2025-01-10 lapsed_on
expect_eq "$(jq_py "$E2E_DIR/lapsed.json" "d['entries'][0]['days_since']")" 415 days_since
expect_eq "$(jq_py "$E2E_DIR/lapsed.json" "d['entries'][0]['scans_since']")" 3 scans_since
expect_eq "$(jq_py "$E2E_DIR/lapsed.json" "d['entries'][0]['still_scanned']")" true still_scanned
expect_rc 0 "$OCOP" report expiring --as-of $AS_OF --json
cp "$E2E_DIR/last.out" "$E2E_DIR/expiring.json"
expect_eq "$(jq_py "$E2E_DIR/expiring.json" "[(e['code'],e['days_left'],e['window'],e['valid_until'],e['file_by']) for e in d['entries']]")" \
	'[["EXP-1", 91, "closed", "2026-05-31", "2026-01-31"], ["EXP-2", 166, "open", "2026-08-14", "2026-04-16"]]' expiring
expect_rc 0 "$OCOP" report expiring --as-of $AS_OF --within 100 --json
expect_eq "$(jq_py "$E2E_DIR/last.out" "len(d['entries'])")" 1 "--within 100"
expect_rc 0 "$OCOP" report clones --as-of $AS_OF --json
cp "$E2E_DIR/last.out" "$E2E_DIR/clones.json"
expect_eq "$(jq_py "$E2E_DIR/clones.json" "[(e['serial'],e['code'],e['max_places'],e['scans']) for e in d['entries']]")" \
	"[[\"$EXP_A\", \"EXP-1\", 4, 5]]" clones
expect_rc 0 "$OCOP" report clones --as-of $AS_OF --min-places 5 --json
expect_eq "$(jq_py "$E2E_DIR/last.out" "len(d['entries'])")" 0 "--min-places 5"
expect_rc 0 "$OCOP" report unknown --as-of $AS_OF --json
cp "$E2E_DIR/last.out" "$E2E_DIR/unknown.json"
expect_eq "$(jq_py "$E2E_DIR/unknown.json" "[(e['place'],e['code'],e['scans']) for e in d['entries']]")" \
	'[["Chợ Bến Thành", "ZZZZZZZZZZZZZZZZ", 1], ["Chợ Lớn", "ZZZZZZZZZZZZZZZZ", 2]]' unknown

# same FILE.json FILE.csv FILE.html: every JSON entry is the same row in
# the CSV and in the HTML table, column by column (the HTML cell's
# data-value where people read words or local times, its text otherwise);
# the CSV has every HTML column but those only people read (ground)
same() {
	$PY - "$@" <<'EOF'
import csv, html.parser, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
class T(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.rows = []; s.cell = None; s.value = None; s.keys = []
    def handle_starttag(s, tag, a):
        if tag == "tr": s.rows.append([])
        if tag == "td": s.cell = ""; s.value = dict(a).get("data-value")
        if tag == "th": s.keys.append(dict(a).get("data-key"))
    def handle_endtag(s, tag):
        if tag == "td":
            s.rows[-1].append(s.value if s.value is not None else s.cell)
            s.cell = None
    def handle_data(s, x):
        if s.cell is not None: s.cell += x
t = T(); t.feed(open(sys.argv[3], encoding="utf-8").read())
hrows = [r for r in t.rows if r]
def text(v):
    if isinstance(v, bool): return "true" if v else "false"
    if v is None: return ""
    if isinstance(v, dict): return "; ".join("%s (%d)" % (k or "?", n) for k, n in v.items())
    return str(v)
bad = []
if [k for k in t.keys if k in rows[0]] != rows[0]: bad.append("headers differ: %s / %s" % (rows[0], t.keys))
if set(t.keys) - set(rows[0]) - {"ground"}: bad.append("html only: %s" % (set(t.keys) - set(rows[0])))
if len(rows) - 1 != len(d["entries"]) or len(hrows) != len(d["entries"]):
    bad.append("rows: json %d csv %d html %d" % (len(d["entries"]), len(rows) - 1, len(hrows)))
for i, e in enumerate(d["entries"]):
    for j, k in enumerate(rows[0]):
        want = text(e.get(k))
        if i + 1 < len(rows) and rows[i + 1][j] != want:
            bad.append("csv row %d %s: %r != %r" % (i, k, rows[i + 1][j], want))
    for j, k in enumerate(t.keys):
        want = text(e.get(k))
        if i < len(hrows) and hrows[i][j] != want:
            bad.append("html row %d %s: %r != %r" % (i, k, hrows[i][j], want))
print("\n".join(bad[:10]))
EOF
}

for r in circulation lapsed expiring clones unknown; do
	test_begin "reports: $r CSV and HTML carry the JSON's numbers"
	expect_rc 0 "$OCOP" report $r --as-of $AS_OF --json --out "$E2E_DIR/$r.j"
	expect_rc 0 "$OCOP" report $r --as-of $AS_OF --format csv --out "$E2E_DIR/$r.csv"
	expect_rc 0 "$OCOP" report $r --as-of $AS_OF --format html --out "$E2E_DIR/$r.html"
	diffs=$(same "$E2E_DIR/$r.j" "$E2E_DIR/$r.csv" "$E2E_DIR/$r.html")
	[ -z "$diffs" ] || fail "$r: $diffs"
	grep -q '^<!DOCTYPE html>' "$E2E_DIR/$r.html" || fail "$r: not a page"
	expect_contains "$E2E_DIR/$r.html" "@media print"
	expect_contains "$E2E_DIR/$r.html" "$AS_OF"
	grep -qiE '<script|<link|src=|@import|url\(' "$E2E_DIR/$r.html" &&
		fail "$r: page loads something"
	expect_rc 0 "$OCOP" report $r --as-of $AS_OF
	expect_contains "$E2E_DIR/last.out" "As of: 01/03/2026"
done

test_begin "reports: HTML escapes and charts"
expect_contains "$E2E_DIR/circulation.html" "Mắm &lt;tôm&gt; &amp; &quot;Ba Làng&quot;"
grep -q "<tôm>" "$E2E_DIR/circulation.html" && fail "unescaped name"
expect_contains "$E2E_DIR/circulation.html" "<svg"
expect_contains "$E2E_DIR/circulation.html" 'role="img"'
expect_contains "$E2E_DIR/expiring.html" "<rect"
expect_contains "$E2E_DIR/expiring.html" "Còn tối đa (ngày)"

test_begin "reports: words and Vietnam local times for people"
expect_rc 0 "$OCOP" report circulation --as-of $AS_OF
T=$E2E_DIR/circ.txt
cp "$E2E_DIR/last.out" "$T"
expect_contains "$T" "bị thu hồi (revoked)"
expect_contains "$T" "c) vi phạm chất lượng, ATTP, môi trường, SHTT, nhãn (quality, food safety, environment, IP or labelling violation)"
expect_contains "$T" "hết hiệu lực (expired)"
expect_contains "$T" "sai số sao (star mismatch)"
expect_contains "$T" "01/02/2025 12:00  01/03/2025 12:00"
expect_contains "$T" "Chợ Bến Thành (2); Siêu thị Co.op (1)"
grep -qE '[0-9]{4}-[0-9]{2}-[0-9]{2}' "$T" && fail "ISO date in the table: $(grep -E '[0-9]{4}-[0-9]{2}-' "$T" | head -2)"
# the rows line up by display width: the verdict starts in one column
$PY - "$T" <<'EOF' || fail "table columns do not line up"
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = [l for l in open(sys.argv[1], encoding="utf-8") if "(expired)" in l or "(revoked)" in l or "(star mismatch)" in l]
cols = {width(l[:l.index(w)]) for l in lines for w in ("hết hiệu lực", "bị thu hồi", "sai số sao") if w in l}
sys.exit(0 if len(lines) == 5 and len(cols) == 1 else 1)
EOF
expect_rc 0 "$OCOP" report expiring --as-of $AS_OF
expect_contains "$E2E_DIR/last.out" "đã quá hạn nộp hồ sơ (closed)"
expect_contains "$E2E_DIR/last.out" "đang trong hạn nộp hồ sơ (open)"
expect_contains "$E2E_DIR/last.out" "31/05/2026"
expect_rc 0 "$OCOP" report lapsed --as-of $AS_OF
expect_contains "$E2E_DIR/last.out" "có (yes)"
expect_rc 0 "$OCOP" report unknown --as-of $AS_OF
expect_contains "$E2E_DIR/last.out" "không có tem nào mang mã này (no label has this code)"
expect_contains "$E2E_DIR/circulation.html" 'data-value="revoked">bị thu hồi <span class="en" lang="en">(revoked)</span>'
expect_contains "$E2E_DIR/circulation.html" '<time datetime="2025-02-01T12:00:00+07:00">01/02/2025 12:00</time>'
expect_contains "$E2E_DIR/expiring.html" 'đã quá hạn nộp hồ sơ <span class="en" lang="en">(closed)</span>'

test_begin "reports: the late revocation counts, as of earlier dates too"
expect_rc 0 "$OCOP" report circulation --as-of 2025-06-30 --json
expect_eq "$(centry "$E2E_DIR/last.out" REV-1 revoked scans)" 1 "as of 2025-06-30"
expect_rc 0 "$OCOP" report circulation --as-of $AS_OF --since 2025-06-15 --json
expect_eq "$(jq_py "$E2E_DIR/last.out" "[(e['code'],e['scans']) for e in d['entries']]")" '[["REV-1", 1]]' "--since"

test_begin "reports: over HTTP, the same as the command"
for r in circulation lapsed expiring clones unknown; do
	code=$(curl -s -o "$BODY" -w '%{http_code}' \
		-H "Authorization: Bearer $INSPECTOR" \
		"$BASE/api/v1/reports/$r?as_of=$AS_OF")
	expect_eq "$code" 200 "GET $r"
	cmp -s "$BODY" "$E2E_DIR/$r.j" || fail "$r: API JSON differs from the command's"
done
code=$(curl -s -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $INSPECTOR" \
	"$BASE/api/v1/reports/circulation?as_of=$AS_OF&format=csv")
expect_eq "$code" 200 "GET csv"
cmp -s "$BODY" "$E2E_DIR/circulation.csv" || fail "API CSV differs from the command's"
code=$(curl -s -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $INSPECTOR" \
	"$BASE/api/v1/reports/clones?as_of=$AS_OF&min_places=5")
expect_eq "$(jq_py "$BODY" "len(d['entries'])")" 0 "min_places over HTTP"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/reports/circulation")" 401 "no token"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $INSPECTOR" "$BASE/api/v1/reports/nope")" 404 "unknown report"
expect_eq "$(curl -s -o "$BODY" -w '%{http_code}' -H "Authorization: Bearer $INSPECTOR" "$BASE/api/v1/reports/circulation?as_of=2026-02-30")" 400 "bad date"
expect_contains "$BODY" "as_of"

test_begin "reports: a scan without a place, in words, never '?'"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/L/$LAP_B")
expect_eq "$code" 200 "consumer scan"
expect_rc 0 "$OCOP" report circulation --as-of $AS_OF
expect_contains "$E2E_DIR/last.out" "Người tiêu dùng quét (không có địa điểm) / consumer scan, no place (1)"
expect_rc 0 "$OCOP" report circulation --as-of $AS_OF --format html --out "$E2E_DIR/c2.html"
expect_contains "$E2E_DIR/c2.html" "Người tiêu dùng quét (không có địa điểm) / consumer scan, no place (1)"
# (the cell's data-value keeps the CSV's "?" for scripts)
sed 's/<[^>]*>//g' "$E2E_DIR/c2.html" | grep -qF '? (' && fail "a '?' for a place in HTML"
expect_rc 0 "$OCOP" report circulation --as-of $AS_OF --format csv
expect_contains "$E2E_DIR/last.out" "? (1)"

test_begin "reports: command-line errors"
expect_rc 64 "$OCOP" report
expect_rc 64 "$OCOP" report nope
expect_rc 64 "$OCOP" report circulation extra
expect_rc 64 "$OCOP" report circulation --bogus
expect_rc 65 "$OCOP" report circulation --as-of 2026-13-01
expect_contains "$E2E_DIR/last.err" "--as-of"
expect_rc 65 "$OCOP" report circulation --format xml
expect_rc 65 "$OCOP" report expiring --within -3
expect_rc 65 "$OCOP" report clones --min-places 1
expect_rc 73 "$OCOP" report lapsed --out "$E2E_DIR/no/such/dir/x.html"
expect_rc 0 "$OCOP" report --help
expect_contains "$E2E_DIR/last.out" "circulation"
expect_rc 66 "$OCOP" --db "$E2E_DIR/none.db" report lapsed
test_end
