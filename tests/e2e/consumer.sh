#!/usr/bin/env bash
# What a shopper sees beyond the verdict (SPEC 5.0): who runs the service
# and how to reach them, advice per verdict, validity periods that never
# read as valid once ended, the home page and codes typed by hand,
# Accept-Language with q-values, error pages in the page's language, and
# make demo for a phone on the same network.
. "$(dirname "$0")/lib.sh"

export OCOP_NOW=2026-06-01T10:00:00+07:00
OPERATOR="Văn phòng Điều phối nông thôn mới tỉnh Đồng Tháp"
CONTACT="Đường dây nóng 0277 3851 234"

BODY=$E2E_DIR/body
HDR=$E2E_DIR/hdr
# get URL [curl args...]: body in $BODY, headers in $HDR, prints the status
get() {
	local url=$1
	shift
	curl -s -D "$HDR" -o "$BODY" -w '%{http_code}' "$@" "$url"
}
header_of() {
	tr -d '\r' <"$HDR" | grep -i "^$1:" | head -1 | cut -d' ' -f2-
}
serial_of() {
	sed -n 2p "$1/labels.csv" | cut -d, -f1
}
# expect_absent FILE TEXT
expect_absent() {
	grep -qF -- "$2" "$1" && fail "'$1' contains '$2'"
}

test_begin "init --operator and --contact, set and changed"
expect_rc 0 "$OCOP" init --help
expect_contains "$E2E_DIR/last.out" "--operator NAME"
expect_rc 0 "$OCOP" init
expect_contains "$E2E_DIR/last.err" "no operator set"
expect_rc 0 "$OCOP" init --operator "Sở cũ" --contact "0000"
expect_rc 0 "$OCOP" init --operator "  $OPERATOR  " --contact "$CONTACT"
expect_contains "$E2E_DIR/last.err" "operator: $OPERATOR"
expect_rc 0 "$OCOP" init --base-url http://localhost:8080
expect_contains "$E2E_DIR/last.err" "operator: $OPERATOR"
expect_absent "$E2E_DIR/last.err" "operator:   "
expect_absent "$E2E_DIR/last.err" "no operator set"
expect_rc 65 "$OCOP" init --operator "$(printf 'a\tb\nc')"
expect_contains "$E2E_DIR/last.err" "invalid operator: a control character"
expect_rc 65 "$OCOP" init --contact "$(head -c 500 /dev/zero | tr '\0' x)"
expect_contains "$E2E_DIR/last.err" "invalid contact: longer than"
expect_rc 65 "$OCOP" init --operator "$(printf 'S\xe1 X')"
expect_contains "$E2E_DIR/last.err" "not UTF-8"
expect_rc 0 "$OCOP" init
expect_contains "$E2E_DIR/last.err" "operator: $OPERATOR"

test_begin "registry with every verdict"
cat >"$E2E_DIR/reg.csv" <<'CSV'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
VAL-1,Mật ong hoa nhãn,I,8938500000010,HTX Ong Mật Sa Đéc,HTX,Đồng Tháp,Xã Tân Khánh Đông,4,1446/QĐ-UBND-HC,2025-01-10,UBND tỉnh Đồng Tháp,
EXP-1,Bánh phồng tôm,I,8938500000027,Hộ Nguyễn Văn Bé,hộ,Đồng Tháp,Phường 2,3,100/QĐ-UBND,2020-01-10,UBND huyện Cao Lãnh,
REV-1,Nem Lai Vung,I,8938500000034,DN Nem Lai Vung,DN,Đồng Tháp,Lai Vung,4,200/QĐ-UBND,2024-01-10,UBND tỉnh Đồng Tháp,
STAR-1,Hạt sen sấy,I,,HTX Sen Tháp Mười,HTX,Đồng Tháp,Tháp Mười,5,377/QĐ-BNN-VPĐP,2023-01-10,Bộ Nông nghiệp và PTNT,
STAR-1,Hạt sen sấy,I,,HTX Sen Tháp Mười,HTX,Đồng Tháp,Tháp Mười,4,900/QĐ-UBND,2025-11-01,UBND tỉnh Đồng Tháp,
CSV
cat >"$E2E_DIR/rev.csv" <<'CSV'
code,decision_no,revoked_on,ground,note
REV-1,55/QĐ-UBND,2025-06-01,c,
CSV
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv" "$E2E_DIR/rev.csv"
expect_rc 0 "$OCOP" label issue VAL-1 --count 20 --lot L1 --format csv --out "$E2E_DIR/val"
expect_rc 0 "$OCOP" label issue VAL-1 --count 1 --format csv --out "$E2E_DIR/void"
OCOP_NOW=2021-06-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue EXP-1 \
	--count 1 --format csv --out "$E2E_DIR/exp"
OCOP_NOW=2025-01-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue REV-1 \
	--count 1 --format csv --out "$E2E_DIR/rev"
OCOP_NOW=2024-06-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue STAR-1 \
	--count 1 --format csv --out "$E2E_DIR/star"
VAL=$(serial_of "$E2E_DIR/val")
VOID=$(serial_of "$E2E_DIR/void")
EXP=$(serial_of "$E2E_DIR/exp")
REV=$(serial_of "$E2E_DIR/rev")
STAR=$(serial_of "$E2E_DIR/star")
expect_rc 0 "$OCOP" label void "$VOID" --reason "in lỗi"
# a serial with a 0 or a 1, to type as O, I or L
ZO=$(cut -d, -f1 "$E2E_DIR/val/labels.csv" | grep -m1 '[01]')
[ -n "$ZO" ] || fail "no serial with a 0 or 1 among 20"
start_server --rate-limit 0 || exit 1

test_begin "the operator heads every page"
for path in "/" "/L/$VAL" "/L/$EXP" "/L/ZZZZZZZZZZZZZZZZ" "/P/08938500000010" "/nowhere"; do
	get "$BASE$path" -H 'Accept: text/html' >/dev/null
	expect_contains "$BODY" "Đơn vị vận hành: <strong>$OPERATOR</strong>"
	expect_contains "$BODY" '<a class="home" href="/?lang=vi">Kiểm tra tem OCOP</a>'
done
get "$BASE/L/$VAL?lang=en" >/dev/null
expect_contains "$BODY" "Run by <strong>$OPERATOR</strong>"

test_begin "valid: no advice, no contact"
expect_eq "$(get "$BASE/L/$VAL")" 200 status
expect_contains "$BODY" 'class="banner ok"'
expect_absent "$BODY" "$CONTACT"
expect_absent "$BODY" "Bạn nên làm gì"
expect_absent "$BODY" 'class="ended"'

# verdict_advice SERIAL STATUS VI-ADVICE EN-ADVICE
verdict_advice() {
	expect_eq "$(get "$BASE/L/$1")" "$2" "status of $1"
	expect_contains "$BODY" "<h2>Bạn nên làm gì</h2>"
	expect_contains "$BODY" "$3"
	expect_contains "$BODY" "Báo cáo cho $OPERATOR: <strong>$CONTACT</strong>"
	expect_eq "$(get "$BASE/L/$1?lang=en")" "$2" "status of $1"
	expect_contains "$BODY" "<h2>What to do</h2>"
	expect_contains "$BODY" "$4"
	expect_contains "$BODY" "Report it to $OPERATOR: <strong>$CONTACT</strong>"
}
test_begin "expired: advice, contact, the period marked as ended"
verdict_advice "$EXP" 200 "không được mang dấu OCOP" "may not carry the OCOP mark"
get "$BASE/L/$EXP" >/dev/null
expect_contains "$BODY" '<dd class="ended">10/01/2020 – 09/01/2023 <span class="tag">Đã hết hiệu lực, từ ngày 10/01/2023</span></dd>'
test_begin "revoked: advice, contact, the period marked as revoked"
verdict_advice "$REV" 200 "đã bị thu hồi, nên sản phẩm không được mang dấu OCOP" "was revoked, so it may not carry the OCOP mark"
get "$BASE/L/$REV" >/dev/null
expect_contains "$BODY" '<dd class="ended">10/01/2024 – 09/01/2027 <span class="tag">Đã bị thu hồi, từ ngày 01/06/2025</span></dd>'
test_begin "voided: the label was withdrawn by its producer"
verdict_advice "$VOID" 200 "Nhà sản xuất đã thu hồi tem này" "The producer withdrew this label"
test_begin "star mismatch: sensible advice"
verdict_advice "$STAR" 200 "Tem in nhiều sao hơn" "The label shows more stars"
test_begin "unknown: do not buy, report it"
verdict_advice ZZZZZZZZZZZZZZZZ 404 "Đừng mua sản phẩm này" "Do not buy this product"
expect_contains "$BODY" 'name="code" value="ZZZZ-ZZZZ-ZZZZ-ZZZZ"'

test_begin "product page: the operator, and advice when not in force"
expect_eq "$(get "$BASE/P/08938500000010")" 200 status
expect_absent "$BODY" "$CONTACT"
expect_eq "$(get "$BASE/P/08938500000027")" 200 status
expect_contains "$BODY" "Hết hạn công nhận OCOP"
expect_contains "$BODY" "<strong>$CONTACT</strong>"
expect_contains "$BODY" '<span class="tag">Đã hết hiệu lực, từ ngày 10/01/2023</span>'
expect_eq "$(get "$BASE/P/08938500000034?lang=en")" 200 status
expect_contains "$BODY" "OCOP recognition revoked"
expect_contains "$BODY" '<span class="tag">Revoked on 1 Jun 2025</span>'

test_begin "home page: one field, no script, both languages"
expect_eq "$(get "$BASE/")" 200 status
expect_eq "$(header_of Content-Type)" "text/html; charset=utf-8" type
expect_contains "$BODY" '<html lang="vi">'
expect_contains "$BODY" '<form action="/L" method="get">'
expect_eq "$(grep -c '<input type="text"' "$BODY")" 1 "one text field"
expect_contains "$BODY" 'name="code"'
expect_contains "$BODY" '<label for="code">Mã in dưới mã QR trên tem</label>'
grep -qi '<script' "$BODY" && fail "script on the home page"
expect_eq "$(get "$BASE/?lang=en")" 200 status
expect_contains "$BODY" '<html lang="en">'
expect_contains "$BODY" 'Check an OCOP label'
expect_eq "$(get "$BASE/L")" 200 "the form without a code"
expect_contains "$BODY" 'name="code"'

test_begin "typed codes of the right shape: 303 to the label's page"
n0=$(db_rows scans)
grouped="${VAL:0:4}-${VAL:4:4}-${VAL:8:4}-${VAL:12:4}"
spaced=$(echo "${VAL:0:4} ${VAL:4:4} ${VAL:8:4} ${VAL:12:4}" | tr 'A-Z' 'a-z')
expect_eq "$(get "$BASE/L?code=$VAL")" 303 "plain"
expect_eq "$(header_of Location)" "/L/$VAL" location
expect_eq "$(get "$BASE/L?code=$grouped")" 303 "hyphens"
expect_eq "$(header_of Location)" "/L/$VAL" location
expect_eq "$(get "$BASE/L" -G --data-urlencode "code= $spaced ")" 303 "spaces, lower case"
expect_eq "$(header_of Location)" "/L/$VAL" location
typo=$(echo "$ZO" | tr '01' 'OL' | tr 'A-Z' 'a-z')
expect_eq "$(get "$BASE/L?code=$typo&lang=en")" 303 "I/L/O ($typo)"
expect_eq "$(header_of Location)" "/L/$ZO?lang=en" "location keeps ?lang"
typo=$(echo "$ZO" | tr '1' 'I')
expect_eq "$(get "$BASE/L?code=$typo")" 303 "I for 1 ($typo)"
expect_eq "$(header_of Location)" "/L/$ZO" location
expect_eq "$(get "$BASE/L" -G --data-urlencode "code=http://localhost:8080/L/$grouped")" 303 "a label URL"
expect_eq "$(header_of Location)" "/L/$VAL" location
expect_eq "$(get "$BASE/L" -G --data-urlencode "code=HTTP://LOCALHOST:8080/01/08938500000010/10/L1/21/$VAL")" 303 "a Digital Link URL"
expect_eq "$(header_of Location)" "/01/08938500000010/10/L1/21/$VAL" location
# the browser's way: follow to the page
expect_eq "$(get "$BASE/L?code=$grouped" -L)" 200 "followed"
expect_contains "$BODY" "Sản phẩm OCOP hợp lệ"
expect_eq "$(db_rows scans)" "$((n0 + 1))" "only the page records a scan"

test_begin "a typed code with a bad check symbol: its page says mistyped"
last=${VAL:15:1}
[ "$last" = 2 ] && other=3 || other=2
MIS=${VAL:0:15}$other
expect_eq "$(get "$BASE/L?code=$MIS")" 303 status
expect_eq "$(header_of Location)" "/L/$MIS" location
expect_eq "$(get "$BASE/L/$MIS")" 404 "its page"
expect_contains "$BODY" "Mã này có ký tự bị gõ sai"
expect_contains "$BODY" "ký tự kiểm tra không khớp"
expect_contains "$BODY" "name=\"code\" value=\"${MIS:0:4}-${MIS:4:4}-${MIS:8:4}-${MIS:12:4}\""
expect_contains "$BODY" "<strong>$CONTACT</strong>"
expect_eq "$(unknown_scans "$MIS" mistyped)" 1 "recorded as a scan"

test_begin "a typed code of the wrong shape: the field again, the problem in words"
n0=$(db_rows scans)
expect_eq "$(get "$BASE/L?code=7KQ3-M9XH")" 400 "too short"
expect_contains "$BODY" '<html lang="vi">'
expect_contains "$BODY" 'Mã vừa nhập có 8 ký tự, nhưng mã tem có đúng 16 ký tự'
expect_contains "$BODY" 'value="7KQ3-M9XH" aria-invalid="true" aria-describedby="code-problem"'
expect_eq "$(get "$BASE/L" -G --data-urlencode "code=${VAL:0:15}U")" 400 "a U"
expect_contains "$BODY" 'ký tự “U” không có trong mã'
expect_eq "$(get "$BASE/L" -G --data-urlencode "code=<b>x</b>" -H 'Accept-Language: en')" 400 "markup"
expect_contains "$BODY" '<html lang="en">'
expect_contains "$BODY" 'value="&lt;b&gt;x&lt;/b&gt;"'
expect_contains "$BODY" '“&lt;” is not one of them'
expect_eq "$(get "$BASE/L?code=")" 400 "empty"
expect_contains "$BODY" 'Hãy nhập mã in dưới mã QR trên tem.'
expect_eq "$(get "$BASE/L" -G --data-urlencode "code=https://example.com/khuyen-mai")" 400 "another site"
expect_contains "$BODY" 'không phải địa chỉ của một tem OCOP'
expect_eq "$(get "$BASE/L/ABC-123")" 400 "a wrong shape in the path"
expect_contains "$BODY" 'Mã vừa nhập có 6 ký tự'
expect_contains "$BODY" 'name="code" value="ABC-123"'
expect_eq "$(get "$BASE/L?code=ABC" -H 'Accept: application/json')" 400 "JSON"
expect_contains "$BODY" '"status":400'
expect_eq "$(db_rows scans)" "$n0" "nothing recorded"

test_begin "Accept-Language with q-values"
lang_of() {
	get "$BASE/L/$VAL" -H "Accept-Language: $1" >/dev/null
	grep -o '<html lang="[a-z]*">' "$BODY"
}
expect_eq "$(lang_of 'en;q=0.1, vi;q=0.9')" '<html lang="vi">' "en;q=0.1, vi;q=0.9"
expect_eq "$(lang_of 'en;q=0.1, vi')" '<html lang="vi">' "en;q=0.1, vi"
expect_eq "$(lang_of 'en-US,en;q=0.9')" '<html lang="en">' "en-US,en;q=0.9"
expect_eq "$(lang_of 'fr-FR,fr;q=0.9,en;q=0.5')" '<html lang="en">' "French first"
expect_eq "$(lang_of 'fr-FR,de;q=0.9')" '<html lang="vi">' "neither"
get "$BASE/L/$VAL?lang=vi" -H 'Accept-Language: en' >/dev/null
expect_contains "$BODY" '<html lang="vi">'
get "$BASE/" -H 'Accept-Language: en;q=0.1, vi' >/dev/null
expect_contains "$BODY" '<html lang="vi">'

test_begin "error pages in the page's language"
expect_eq "$(get "$BASE/nowhere" -H 'Accept: text/html')" 404 "unknown path"
expect_contains "$BODY" '<html lang="vi">'
expect_contains "$BODY" '<h1>Không có trang này</h1>'
expect_eq "$(header_of Content-Type)" "text/html; charset=utf-8" type
expect_eq "$(get "$BASE/nowhere" -H 'Accept: text/html' -H 'Accept-Language: en-GB')" 404 "unknown path, en"
expect_contains "$BODY" '<h1>Page not found</h1>'
expect_eq "$(get "$BASE/nowhere")" 404 "no browser: JSON"
expect_contains "$BODY" '"status":404'
expect_eq "$(get "$BASE/P/123")" 400 "bad GTIN"
expect_contains "$BODY" 'Mã sản phẩm (GTIN) gồm 8, 12, 13 hoặc 14 chữ số'
expect_eq "$(get "$BASE/P/08938500000041")" 404 "unknown GTIN"
expect_contains "$BODY" 'Không có sản phẩm OCOP nào mang mã sản phẩm (GTIN) 08938500000041.'
expect_eq "$(get "$BASE/L/$VAL" -X POST -d x)" 405 "POST a page"
expect_contains "$BODY" '<h1>Thao tác không được hỗ trợ</h1>'
expect_eq "$(header_of Allow)" "GET, HEAD" allow
expect_eq "$(get "$BASE/" -X DELETE -H 'Accept-Language: en')" 405 "DELETE home"
expect_contains "$BODY" '<h1>Method not allowed</h1>'
expect_eq "$(get "$BASE/api/v1/labels/$VAL" -X POST -H 'Accept: text/html')" 405 "APIs stay JSON"
expect_contains "$BODY" '"status":405'

test_begin "metrics count the home route"
get "$BASE/metrics" >/dev/null
expect_contains "$BODY" 'ocop_http_requests_total{route="home",status="303"}'
expect_contains "$BODY" 'ocop_http_requests_total{route="home",status="400"}'
stop_server

test_begin "429 is a page in the page's language"
start_server --rate-limit 1 || exit 1
for _ in 1 2 3; do curl -s -o /dev/null "$BASE/healthz"; done
expect_eq "$(get "$BASE/L/$VAL")" 429 "limited"
expect_contains "$BODY" '<h1>Quá nhiều lượt kiểm tra</h1>'
[[ "$(header_of Retry-After)" =~ ^[1-9][0-9]*$ ]] || fail "no Retry-After"
expect_eq "$(get "$BASE/L/$VAL" -H 'Accept-Language: en')" 429 "limited, en"
expect_contains "$BODY" '<h1>Too many requests</h1>'
expect_eq "$(get "$BASE/healthz")" 429 "limited API"
expect_contains "$BODY" '"status":429'
stop_server

test_begin "a running server shows a new operator within a second"
start_server --rate-limit 0 || exit 1
get "$BASE/L/$EXP" >/dev/null
expect_contains "$BODY" "<strong>$OPERATOR</strong>"
expect_rc 0 "$OCOP" init --operator "Sở Nông nghiệp và Môi trường" --contact "1800 0000"
sleep 1.2
# every request thread has read it again (the pool has a few)
for _ in 1 2 3 4 5 6; do
	get "$BASE/L/$EXP" >/dev/null
	expect_contains "$BODY" "Báo cáo cho Sở Nông nghiệp và Môi trường: <strong>1800 0000</strong>"
done

test_begin "no operator set: pages name no one, advice points to the authority"
expect_rc 0 "$OCOP" init --operator "" --contact ""
sleep 1.2
for _ in 1 2 3 4 5 6; do
	expect_eq "$(get "$BASE/L/$EXP")" 200 status
	expect_absent "$BODY" "Đơn vị vận hành"
	expect_contains "$BODY" "Báo cáo cho cơ quan quản lý thị trường nơi bạn mua hàng."
done
stop_server

test_begin "make demo: DEMO_HOST and DEMO_PORT, a port in use reported first"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
OCOP_BIN=$OCOP DEMO_DIR="$E2E_DIR/demo" DEMO_HOST=127.0.0.1 DEMO_PORT=$PORT \
	sh "$ROOT/tests/demo.sh" >"$E2E_DIR/demo.out" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 200); do
	grep -qs "Serving on" "$E2E_DIR/demo.out" && break
	kill -0 $DEMO_PID 2>/dev/null || break
	sleep 0.1
done
expect_contains "$E2E_DIR/demo.out" "Serving on http://127.0.0.1:$PORT"
expect_contains "$E2E_DIR/demo.out" "  type a code:  http://127.0.0.1:$PORT/"
url=$(sed -n 2p "$E2E_DIR/demo/labels.csv" | cut -d, -f2)
case $url in
"HTTP://127.0.0.1:$PORT/"*) ;;
*) fail "the demo QR codes point to '$url'" ;;
esac
# the printed sheet's codes too
pdftoppm -r 150 -f 1 -l 1 -png "$E2E_DIR/demo/labels.pdf" "$E2E_DIR/sheet"
zbarimg -q --raw "$E2E_DIR"/sheet*.png >"$E2E_DIR/decoded" 2>/dev/null
expect_contains "$E2E_DIR/decoded" "HTTP://127.0.0.1:$PORT/01/"
valid_url=$(grep -o "http://127.0.0.1:$PORT/L/[0-9A-Z]*" "$E2E_DIR/demo.out" | head -1)
expect_eq "$(get "$valid_url")" 200 "the printed valid URL"
expect_contains "$BODY" "Sản phẩm OCOP hợp lệ"
expect_contains "$BODY" "bản demo"
# a second demo on the same port: the conflict, and no "Serving on"
OCOP_BIN=$OCOP DEMO_DIR="$E2E_DIR/demo2" DEMO_HOST=127.0.0.1 DEMO_PORT=$PORT \
	sh "$ROOT/tests/demo.sh" >"$E2E_DIR/demo2.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "a demo on a port in use exited 0"
expect_contains "$E2E_DIR/demo2.out" "Address already in use"
expect_contains "$E2E_DIR/demo2.out" "demo: the service could not listen on 127.0.0.1:$PORT"
grep -q "Serving on" "$E2E_DIR/demo2.out" && fail "'Serving on' printed for a port in use"
kill $DEMO_PID
wait $DEMO_PID
expect_eq "$?" 0 "the demo stops cleanly"
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/healthz"; then
	fail "the demo's server still runs after the demo stopped"
fi
