#!/usr/bin/env bash
# The verification service end to end: consumer pages for every verdict in
# both languages, content negotiation, the JSON API, inspector scan
# batches, tokens, errors, rate limits, metrics and a clean stop.
. "$(dirname "$0")/lib.sh"

# One fixed "now" for the server and the commands: the verdicts below do
# not drift with the calendar.
export OCOP_NOW=2026-06-01T10:00:00+07:00
NOW_UTC=2026-06-01T03:00:00Z

# curl_req METHOD URL [curl args...]: body in $BODY, headers in $HDR,
# prints the status
BODY=$E2E_DIR/body
HDR=$E2E_DIR/hdr
curl_req() {
	local method=$1 url=$2
	shift 2
	if [ "$method" = HEAD ]; then
		curl -s -I -o "$HDR" -w '%{http_code}' "$@" "$url"
		: >"$BODY"
	else
		curl -s -X "$method" -D "$HDR" -o "$BODY" -w '%{http_code}' \
			"$@" "$url"
	fi
}
header_of() {
	tr -d '\r' <"$HDR" | grep -i "^$1:" | head -1 | cut -d' ' -f2-
}
json() {
	/usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d=d[int(k)] if isinstance(d,list) else d[k]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)' "$BODY" "$1"
}
db() {
	db_query "$1"
}
serial_of() {
	sed -n 2p "$1/labels.csv" | cut -d, -f1
}

test_begin "serve and token help"
expect_rc 0 "$OCOP" serve --help
expect_contains "$E2E_DIR/last.out" "127.0.0.1:8080"
expect_contains "$E2E_DIR/last.out" "--rate-limit"
expect_rc 64 "$OCOP" serve --rate-limit -3
expect_rc 64 "$OCOP" serve --bogus
expect_rc 64 "$OCOP" serve --listen nonsense
expect_contains "$E2E_DIR/last.err" "invalid listen address 'nonsense'"
expect_rc 64 "$OCOP" serve --listen 127.0.0.1:70000
expect_rc 0 "$OCOP" token --help

test_begin "registry with every verdict"
cat >"$E2E_DIR/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
VAL-1,"Mật ong <script>alert(""x"")</script> & Co",I,8938500000010,HTX Ong Mật Sa Đéc,HTX,Đồng Tháp,Xã Tân Khánh Đông,4,1446/QĐ-UBND-HC,2025-01-10,UBND tỉnh Đồng Tháp,
EXP-1,Bánh phồng tôm Sa Giang,I,,Hộ Nguyễn Văn Bé,hộ,Đồng Tháp,Phường 2,3,100/QĐ-UBND,2020-01-10,UBND huyện Cao Lãnh,
REV-1,Nem Lai Vung,I,,DN Nem Lai Vung,DN,Đồng Tháp,Lai Vung,4,200/QĐ-UBND,2024-01-10,UBND tỉnh Đồng Tháp,
STAR-1,Hạt sen sấy,I,,HTX Sen Tháp Mười,HTX,Đồng Tháp,Tháp Mười,5,377/QĐ-BNN-VPĐP,2023-01-10,Bộ Nông nghiệp và PTNT,
STAR-1,Hạt sen sấy,I,,HTX Sen Tháp Mười,HTX,Đồng Tháp,Tháp Mười,4,900/QĐ-UBND,2025-11-01,UBND tỉnh Đồng Tháp,
EOF
cat >"$E2E_DIR/rev.csv" <<'EOF'
code,decision_no,revoked_on,ground,note
REV-1,55/QĐ-UBND,2025-06-01,c,vi phạm an toàn thực phẩm
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/rev.csv"
expect_rc 0 "$OCOP" label issue VAL-1 --count 2 --lot L1 --made 2026-05-01 \
	--best-before 2027-05-01 --format csv --out "$E2E_DIR/val"
expect_rc 0 "$OCOP" label issue VAL-1 --count 1 --format csv \
	--out "$E2E_DIR/void"
OCOP_NOW=2021-06-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue EXP-1 \
	--count 1 --format csv --out "$E2E_DIR/exp"
OCOP_NOW=2025-01-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue REV-1 \
	--count 1 --format csv --out "$E2E_DIR/rev"
OCOP_NOW=2024-06-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue STAR-1 \
	--count 1 --format csv --out "$E2E_DIR/star"
VAL=$(serial_of "$E2E_DIR/val")
VAL2=$(sed -n 3p "$E2E_DIR/val/labels.csv" | cut -d, -f1)
VOID=$(serial_of "$E2E_DIR/void")
EXP=$(serial_of "$E2E_DIR/exp")
REV=$(serial_of "$E2E_DIR/rev")
STAR=$(serial_of "$E2E_DIR/star")
expect_rc 0 "$OCOP" label void "$VOID" --reason "in nhầm"
expect_eq "${#VAL}" 16 "serial length"

test_begin "token create"
expect_rc 0 "$OCOP" token create --role inspector
INSPECTOR=$(cat "$E2E_DIR/last.out")
expect_eq "$(wc -l <"$E2E_DIR/last.out")" 1 "token lines"
[[ "$INSPECTOR" =~ ^ocop_[A-Za-z0-9_-]{43}$ ]] || fail "token shape: '$INSPECTOR'"
expect_rc 0 "$OCOP" token create --role admin
ADMIN=$(cat "$E2E_DIR/last.out")
expect_rc 0 "$OCOP" token create --role producer --producer VAL-1
PRODUCER=$(cat "$E2E_DIR/last.out")
expect_rc 64 "$OCOP" token create --role producer
expect_rc 64 "$OCOP" token create --role boss
expect_rc 65 "$OCOP" token create --role producer --producer NOPE-9
expect_eq "$(db_rows tokens)" 3 "stored tokens"
# only hashes are stored
if [ "$E2E_ENGINE" = pg ]; then
	clear="convert_to('$INSPECTOR', 'UTF8')"
else
	clear="CAST('$INSPECTOR' AS BLOB)"
fi
[ -z "$(db "SELECT 1 FROM tokens WHERE hash = $clear")" ] ||
	fail "token stored in clear"

start_server --rate-limit 0 || exit 1

test_begin "valid label page, Vietnamese and English"
expect_eq "$(curl_req GET "$BASE/L/$VAL")" 200 status
expect_contains "$BODY" '<html lang="vi">'
expect_contains "$BODY" 'Sản phẩm OCOP hợp lệ'
expect_contains "$BODY" 'class="banner ok"'
expect_contains "$BODY" 'name="viewport"'
expect_contains "$BODY" '★★★★'
expect_contains "$BODY" '1446/QĐ-UBND-HC'
expect_contains "$BODY" 'HTX Ong Mật Sa Đéc'
expect_contains "$BODY" 'L1'
expect_contains "$BODY" '01/05/2027'
expect_contains "$BODY" 'Mã này đã được kiểm tra 1 lần'
expect_contains "$BODY" '?lang=en'
expect_contains "$BODY" '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'
grep -q '<script' "$BODY" && fail "unescaped <script> in the page"
grep -qi 'src=\|<link\|https\?://' "$BODY" && fail "external resource in the page"
expect_eq "$(header_of Content-Type)" "text/html; charset=utf-8" type
expect_eq "$(header_of Vary)" "Accept, Accept-Language" vary
expect_eq "$(curl_req GET "$BASE/L/$VAL?lang=en")" 200 status
expect_contains "$BODY" '<html lang="en">'
expect_contains "$BODY" 'Genuine OCOP product'
expect_contains "$BODY" 'checked 2 times'
expect_eq "$(curl_req GET "$BASE/L/$VAL" -H 'Accept-Language: en-US,en;q=0.9')" 200 status
expect_contains "$BODY" 'Genuine OCOP product'
expect_eq "$(curl_req GET "$BASE/L/$VAL" -H 'Accept-Language: vi-VN,en;q=0.5')" 200 status
expect_contains "$BODY" 'Sản phẩm OCOP hợp lệ'

# verdict_page SERIAL STATUS TONE VI EN
verdict_page() {
	expect_eq "$(curl_req GET "$BASE/L/$1")" "$2" "status of $1"
	expect_contains "$BODY" "class=\"banner $3\""
	expect_contains "$BODY" "$4"
	expect_eq "$(curl_req GET "$BASE/L/$1?lang=en")" "$2" "status of $1"
	expect_contains "$BODY" "$5"
}
test_begin "expired label page"
verdict_page "$EXP" 200 bad "Hết hạn công nhận OCOP" "OCOP recognition expired"
test_begin "revoked label page"
verdict_page "$REV" 200 bad "Đã bị thu hồi công nhận OCOP" "OCOP recognition revoked"
expect_contains "$BODY" "55/QĐ-UBND"
test_begin "star mismatch label page"
verdict_page "$STAR" 200 warn "Sai hạng sao OCOP" "OCOP star rating mismatch"
test_begin "voided label page"
verdict_page "$VOID" 200 bad "Tem đã bị hủy" "Label voided"
test_begin "unknown and mistyped codes"
verdict_page ZZZZZZZZZZZZZZZZ 404 bad "Không tìm thấy tem" "Label not found"
# one substitution in the check symbol's input: mistyped
last=${VAL:15:1}
[ "$last" = 0 ] && other=1 || other=0
MIS=${VAL:0:15}$other
expect_eq "$(curl_req GET "$BASE/L/$MIS" -H 'Accept: application/json')" 404 status
expect_eq "$(json verdict)" unknown verdict
expect_eq "$(json reason)" mistyped reason
expect_eq "$(json serial)" "$MIS" serial
expect_eq "$(unknown_scans "$MIS" mistyped)" 1 "mistyped scan stored"
expect_eq "$(unknown_scans ZZZZZZZZZZZZZZZZ not_found)" 2 "unknown scans stored"
expect_eq "$(curl_req GET "$BASE/L/not-a-serial")" 400 "wrong shape"
expect_eq "$(curl_req GET "$BASE/L/ABC" -H 'Accept: application/json')" 400 "wrong shape json"
expect_contains "$BODY" '"status":400'

test_begin "JSON by content negotiation and scan counts"
n0=$(label_scans "$VAL2")
expect_eq "$(curl_req GET "$BASE/L/$VAL2" -H 'Accept: application/json')" 200 status
expect_eq "$(header_of Content-Type)" "application/json" type
expect_eq "$(header_of Vary)" "Accept, Accept-Language" vary
expect_eq "$(json verdict)" valid verdict
expect_eq "$(json reason)" in_force reason
expect_eq "$(json scans.count)" $((n0 + 1)) count
expect_eq "$(json label.printed_stars)" 4 stars
expect_eq "$(json product.code)" VAL-1 product
expect_eq "$(json recognition.decision_no)" 1446/QĐ-UBND-HC decision
# path and serial case-insensitive, hyphens and I/L/O tolerated
lower=$(echo "${VAL2:0:4}-${VAL2:4:4}-${VAL2:8:4}-${VAL2:12:4}" | tr 'A-Z' 'a-z')
expect_eq "$(curl_req GET "$BASE/l/$lower" -H 'Accept: application/json')" 200 status
expect_eq "$(json scans.count)" $((n0 + 2)) count
expect_eq "$(json serial)" "$VAL2" serial
# a browser's Accept gets the page
expect_eq "$(curl_req GET "$BASE/L/$VAL2" -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')" 200 status
expect_contains "$BODY" '<!DOCTYPE html>'
expect_eq "$(label_scans "$VAL2")" $((n0 + 3)) "stored"
expect_eq "$(db_scans "net ua source" --code "$VAL2" | head -1)" "127.0.0.0/24|curl|consumer" "coarse client, consumer source"

test_begin "HEAD records nothing"
n0=$(db_rows scans)
expect_eq "$(curl_req HEAD "$BASE/L/$VAL")" 200 status
expect_eq "$(curl_req HEAD "$BASE/L/ZZZZZZZZZZZZZZZZ")" 404 status
expect_eq "$(db_rows scans)" "$n0" "scans after HEAD"

test_begin "label API records nothing"
n0=$(db_rows scans)
expect_eq "$(curl_req GET "$BASE/api/v1/labels/$EXP")" 200 status
expect_eq "$(json verdict)" expired verdict
expect_eq "$(curl_req GET "$BASE/api/v1/labels/$EXP?at=2022-01-01T00:00:00%2B07:00")" 200 status
expect_eq "$(json verdict)" valid "verdict in 2022"
expect_eq "$(curl_req GET "$BASE/api/v1/labels/$EXP?at=2021-01-01T00:00:00Z")" 422 "before issue"
expect_contains "$BODY" '"status":422'
expect_eq "$(curl_req GET "$BASE/api/v1/labels/$EXP?at=2022-01-01T00:00:00")" 422 "no offset"
expect_contains "$BODY" 'offset'
expect_eq "$(curl_req GET "$BASE/api/v1/labels/ZZZZZZZZZZZZZZZZ")" 404 unknown
expect_eq "$(json verdict)" unknown verdict
expect_eq "$(json reason)" not_found reason
expect_eq "$(curl_req GET "$BASE/api/v1/labels/xyz")" 400 "wrong shape"
expect_eq "$(db_rows scans)" "$n0" "scans after API"

test_begin "product page"
n0=$(db_rows scans)
expect_eq "$(curl_req GET "$BASE/P/08938500000010")" 200 status
expect_contains "$BODY" 'Đang được công nhận OCOP'
expect_contains "$BODY" '&lt;script&gt;'
expect_eq "$(curl_req GET "$BASE/P/08938500000010?lang=en")" 200 status
expect_contains "$BODY" 'Recognised OCOP product'
expect_eq "$(curl_req GET "$BASE/P/08938500000027")" 404 "unknown GTIN"
expect_eq "$(curl_req GET "$BASE/P/12345")" 400 "bad GTIN"
expect_eq "$(db_rows scans)" "$n0" "scans after /P"

test_begin "auth: 401 and 403"
n0=$(db_rows scans)
SCAN1='{"scans":[{"id":"x","code":"'$VAL'","scanned_at":"'$NOW_UTC'"}]}'
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -d "$SCAN1")" 401 "no token"
expect_contains "$BODY" '"status":401'
expect_eq "$(header_of WWW-Authenticate)" Bearer challenge
[ "${INSPECTOR: -1}" = A ] && WRONG=${INSPECTOR%?}B || WRONG=${INSPECTOR%?}A
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $WRONG" -d "$SCAN1")" 401 "wrong token"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Basic abc" -d "$SCAN1")" 401 "other scheme"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $PRODUCER" -d "$SCAN1")" 403 "producer posts"
expect_contains "$BODY" '"status":403'
expect_contains "$BODY" producer
expect_eq "$(curl_req GET "$BASE/api/v1/reports/circulation" -H "Authorization: Bearer $PRODUCER")" 403 "producer reads reports"
expect_eq "$(curl_req GET "$BASE/api/v1/reports/circulation")" 401 "report without token"
expect_eq "$(db_rows scans)" "$n0" "nothing stored"

test_begin "inspector scans: stored, re-sent once"
n0=$(db_rows scans)
BATCH='{"scans":[
 {"id":"insp-1","code":"'$VAL'","scanned_at":"2026-06-01T10:00:00+07:00","place":"Chợ Sa Đéc","province":"82","lat":10.29,"lon":105.76},
 {"id":"insp-2","code":"http://localhost:8080/L/'$EXP'","scanned_at":"'$NOW_UTC'"},
 {"id":"insp-3","code":"ZZZZ-ZZZZ-ZZZZ-ZZZZ","scanned_at":"'$NOW_UTC'","place":null},
 {"id":"insp-4","code":"'$REV'","scanned_at":"2025-03-01T12:00:00+07:00"}]}'
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" -H 'Content-Type: application/json' -d "$BATCH")" 200 status
expect_eq "$(json results.0.id)" insp-1 id
expect_eq "$(json results.0.serial)" "$VAL" serial
expect_eq "$(json results.0.verdict)" valid verdict
expect_eq "$(json results.0.duplicate)" false duplicate
expect_eq "$(json results.1.verdict)" expired verdict
expect_eq "$(json results.2.verdict)" unknown verdict
expect_eq "$(json results.2.reason)" not_found reason
expect_eq "$(json results.3.verdict)" valid "verdict before the revocation"
expect_eq "$(db_rows scans)" $((n0 + 4)) stored
expect_eq "$(db_scans "place province lat source" --id-prefix insp-1)" "Chợ Sa Đéc|82|10.29|inspector" "stored fields"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $ADMIN" -d "$BATCH")" 200 "re-sent"
expect_eq "$(json results.0.duplicate)" true duplicate
expect_eq "$(json results.3.duplicate)" true duplicate
expect_eq "$(json results.3.verdict)" valid "stored verdict"
expect_eq "$(db_rows scans)" $((n0 + 4)) "stored once"
# inspector scans count in the consumer's answer
n=$(label_scans "$REV")
expect_eq "$(curl_req GET "$BASE/api/v1/labels/$REV")" 200 status
expect_eq "$(json scans.count)" "$n" "count includes inspector scans"

test_begin "inspector scans: all or nothing, errors named"
n0=$(db_rows scans)
BAD='{"scans":[
 {"id":"ok-1","code":"'$VAL'","scanned_at":"'$NOW_UTC'"},
 {"id":"bad-1","code":"'$VAL'","scanned_at":"2026-06-01T09:00:00"},
 {"id":"ok-2","code":"'$VAL'","scanned_at":"'$NOW_UTC'"},
 {"id":"bad-2","code":"'$VAL'","scanned_at":"2020-01-01T00:00:00Z"},
 {"code":"'$VAL'","scanned_at":"'$NOW_UTC'"},
 {"id":"bad-4","code":"x","scanned_at":"'$NOW_UTC'"},
 {"id":"bad-5","code":"'$VAL'","scanned_at":"'$NOW_UTC'","lat":91,"lon":0},
 {"id":"bad-6","code":"'$VAL'","scanned_at":"'$NOW_UTC'","lat":10},
 {"id":"bad-7","code":"'$VAL'","scanned_at":"'$NOW_UTC'","colour":"red"},
 {"id":"","code":"'$VAL'","scanned_at":"'$NOW_UTC'"},
 "scan"]}'
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" -d "$BAD")" 422 status
expect_contains "$BODY" '"status":422'
for i in 1 3 4 5 6 7 8 9 10; do
	expect_contains "$BODY" "item $i:"
done
grep -q '"item 0:\|item 0:\|item 2:' "$BODY" && fail "good items named as bad"
expect_eq "$(json error.items.0.index)" 1 "first bad index"
expect_eq "$(db_rows scans)" "$n0" "nothing stored"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" -d '{"scans":[{"id":"a"')" 400 "malformed JSON"
expect_contains "$BODY" '"status":400'
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" -d '[1,2]')" 422 "not an object"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" -d '{"scans":[]}')" 200 "empty batch"
expect_eq "$(curl_req GET "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR")" 405 "GET scans"
expect_eq "$(header_of Allow)" POST allow

test_begin "inspector scans: size caps (413)"
n0=$(db_rows scans)
/usr/bin/python3 -c 'import json,sys
print(json.dumps({"scans":[{"id":"n%d"%i,"code":sys.argv[1],"scanned_at":sys.argv[2]} for i in range(1001)]}))' "$VAL" "$NOW_UTC" >"$E2E_DIR/many.json"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" --data-binary @"$E2E_DIR/many.json")" 413 "1001 items"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$E2E_DIR/big.json"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" --data-binary @"$E2E_DIR/big.json")" 413 "Content-Length over 1 MiB"
expect_contains "$BODY" '"status":413'
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" -H 'Transfer-Encoding: chunked' --data-binary @"$E2E_DIR/big.json")" 413 "streamed over 1 MiB"
/usr/bin/python3 -c 'import json,sys
print(json.dumps({"scans":[{"id":"m%d"%i,"code":sys.argv[1],"scanned_at":sys.argv[2]} for i in range(1000)]}))' "$VAL" "$NOW_UTC" >"$E2E_DIR/max.json"
expect_eq "$(curl_req POST "$BASE/api/v1/scans" -H "Authorization: Bearer $INSPECTOR" --data-binary @"$E2E_DIR/max.json")" 200 "1000 items"
expect_eq "$(db_rows scans)" $((n0 + 1000)) "1000 stored, none of 1001"

test_begin "reports over HTTP"
expect_eq "$(curl_req GET "$BASE/api/v1/reports/circulation?as_of=2026-06-01" -H "Authorization: Bearer $INSPECTOR")" 200 status
expect_eq "$(json as_of)" 2026-06-01 as_of
expect_eq "$(curl_req GET "$BASE/api/v1/reports/unknown?format=csv" -H "Authorization: Bearer $ADMIN")" 200 csv
expect_eq "$(curl_req GET "$BASE/api/v1/reports/nope" -H "Authorization: Bearer $ADMIN")" 404 "unknown report"
expect_eq "$(curl_req GET "$BASE/api/v1/reports/expiring?as_of=2026-13-01" -H "Authorization: Bearer $ADMIN")" 400 "bad date"

test_begin "read snapshots: fresh for every request"
# a request thread keeps its read snapshot for the requests that follow;
# these check that a scan answered, and a change made by another process,
# are seen by the next request all the same
expect_rc 0 "$OCOP" label issue VAL-1 --count 1 --format csv --out "$E2E_DIR/snap"
SNAP=$(serial_of "$E2E_DIR/snap")
for i in 1 2 3 4 5; do
	# one connection, so one thread: lookup, scan, lookup
	curl -s -H 'Accept: application/json' \
		-o "$E2E_DIR/s1.json" "$BASE/api/v1/labels/$SNAP" \
		-o "$E2E_DIR/s2.json" "$BASE/L/$SNAP" \
		-o "$E2E_DIR/s3.json" "$BASE/api/v1/labels/$SNAP"
	counts=$(for f in s1 s2 s3; do
		/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scans"]["count"])' "$E2E_DIR/$f.json"
	done | tr '\n' ' ')
	expect_eq "$counts" "$((i - 1)) $i $i " "counts, round $i"
done
# a label voided by the command line while the server runs
curl -s -o "$E2E_DIR/s1.json" "$BASE/api/v1/labels/$SNAP" \
	-o "$E2E_DIR/s2.json" "$BASE/api/v1/labels/$SNAP"
expect_rc 0 "$OCOP" label void "$SNAP" --reason "in lỗi"
expect_eq "$(curl_req GET "$BASE/api/v1/labels/$SNAP")" 200 status
expect_eq "$(json verdict)" voided "verdict after the void"
# threads left idle with a snapshot do not hold the log back: after a
# burst of scans every frame of SQLite's log can be checkpointed
# (PostgreSQL's snapshots end with each request's transaction)
[ "$E2E_ENGINE" = sqlite ] && {
pids=()
for _ in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null "$BASE/api/v1/labels/$VAL" &
	pids+=($!)
done
wait "${pids[@]}"
urls=()
for _ in $(seq 1 200); do urls+=("$BASE/L/$VAL2"); done
curl -s -o /dev/null -H 'Accept: application/json' "${urls[@]}"
sleep 0.3
ck=$(db "PRAGMA wal_checkpoint(PASSIVE)")
IFS='|' read -r busy log done_ <<<"$ck"
expect_eq "$busy $([ "$log" = "$done_" ] && echo all)" "0 all" "checkpoint ($ck)"
}

test_begin "healthz, metrics, unknown paths"
expect_eq "$(curl_req GET "$BASE/healthz")" 200 status
expect_eq "$(json status)" ok healthz
expect_eq "$(json database) $(json scans)" "ok ok" "healthz: the database read, scans stored"
expect_eq "$(curl_req GET "$BASE/metrics")" 200 status
expect_contains "$BODY" 'ocop_http_requests_total{route="label",status="200"}'
expect_contains "$BODY" 'ocop_scans_total{verdict="valid"}'
expect_contains "$BODY" 'ocop_scan_queue_depth'
expect_contains "$BODY" 'ocop_scan_commit_seconds_bucket{le="+Inf"}'
expect_contains "$BODY" 'ocop_database_failing{use="reads"} 0'
expect_contains "$BODY" 'ocop_database_failing{use="scans"} 0'
# a networked engine's lookups are read in groups by one reader, and
# counted; SQLite's request threads read for themselves
curl_req GET "$BASE/api/v1/labels/$VAL" >/dev/null
curl_req GET "$BASE/metrics" >/dev/null
read_total=$(awk '$1 == "ocop_lookups_read_total" { print $2 }' "$BODY")
if [ -n "${OCOP_TEST_PG:-}" ]; then
	expect_eq "$([ "${read_total:-0}" -ge 2 ] && echo counted)" counted "lookups read ($read_total)"
else
	expect_eq "$read_total" 0 "lookups read by the reader"
fi
expect_eq "$(curl_req GET "$BASE/nowhere")" 404 "unknown path"
expect_contains "$BODY" '"status":404'
expect_eq "$(curl_req POST "$BASE/L/$VAL" -d x)" 405 "POST a page"

test_begin "digital link routes reach the resolver"
# lookups_read: what the reader has read (ocop_lookups_read_total)
lookups_read() {
	curl_req GET "$BASE/metrics" >/dev/null
	awk '$1 == "ocop_lookups_read_total" { print $2 }' "$BODY"
}
read0=$(lookups_read)
expect_eq "$(curl_req GET "$BASE/01/08938500000010/10/L1/21/$VAL?lang=en")" 307 status
expect_eq "$(header_of Location)" "http://localhost:8080/L/$VAL?lang=en" location
expect_eq "$(curl_req HEAD "$BASE/01/08938500000010/10/L1/21/$VAL")" 307 "HEAD status"
expect_eq "$(curl_req GET "$BASE/01/08938500000010/10/L2/21/$VAL")" 404 "another lot"
expect_eq "$(curl_req HEAD "$BASE/L/$VAL")" 200 "HEAD of the label's page"
# on a networked engine the resolver's label and a page's HEAD are read
# by the lookups' reader with the lookups queued beside them, not by a
# round trip of the request thread's own
read1=$(lookups_read)
if [ -n "${OCOP_TEST_PG:-}" ]; then
	expect_eq "$((read1 - read0))" 4 "lookups read by the reader"
else
	expect_eq "$read1" 0 "lookups read by the reader"
fi

test_begin "clean stop on SIGTERM"
stop_server
expect_eq "$?" 0 "exit status"
expect_contains "$E2E_DIR/server.log" "stopped"
expect_eq "$(db_check)" ok "database check"

test_begin "rate limit per client network (429)"
start_server --rate-limit 3 || exit 1
urls=()
for _ in $(seq 1 12); do urls+=("$BASE/healthz"); done
codes=$(curl -s -o /dev/null -w '%{http_code}\n' "${urls[@]}")
echo "$codes" | grep -q '^200$' || fail "no request allowed: $codes"
echo "$codes" | grep -q '^429$' || fail "no request limited: $codes"
# the next requests at once: one of them is limited (bounded, and not
# timed: a loaded machine may let the bucket refill between two)
for _ in $(seq 1 20); do
	code=$(curl_req GET "$BASE/healthz")
	[ "$code" = 429 ] && break
done
expect_eq "$code" 429 "limited"
expect_contains "$BODY" '"status":429'
retry=$(header_of Retry-After)
[[ "$retry" =~ ^[1-9][0-9]*$ ]] || fail "Retry-After: '$retry'"
# another network (through a proxy on this host) is not limited
expect_eq "$(curl_req GET "$BASE/healthz" -H 'X-Forwarded-For: 198.51.100.7')" 200 "other network"
expect_eq "$(curl_req GET "$BASE/L/$VAL" -H 'X-Forwarded-For: 2001:db8:1:2::5' -H 'Accept: application/json' -A 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 Zalo android/12100')" 200 "IPv6 client"
expect_eq "$(db_scans "net ua" | tail -1)" "2001:db8:1::/48|zalo" "coarse IPv6 client"
stop_server
