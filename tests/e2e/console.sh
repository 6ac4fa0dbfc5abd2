#!/usr/bin/env bash
# The web console's core and the producer's pages over HTTP (SPEC 8), with
# curl: setup links, signing in (cookie flags, the same answer for a wrong
# login and a wrong password, 429 after five failures), the security
# headers, CSRF and Origin refusals that change nothing, sessions ending at
# sign-out, disable and reset, a producer's 404 on what is not its own,
# issuing from the form, voiding, and downloads identical to the files of
# 'ocop label issue' for the same serials.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ORIGIN="http://127.0.0.1:$PORT"

# hdr FILE NAME: a header's value in a saved answer (first one)
hdr() {
	grep -i "^$2:" "$1" | head -1 | cut -d' ' -f2- | tr -d '\r'
}
# req NAME CURL-ARGS...: run curl, headers into $E2E_DIR/NAME.h, body into
# NAME.b; prints the status
req() {
	local name=$1
	shift
	curl -s -D "$E2E_DIR/$name.h" -o "$E2E_DIR/$name.b" -w '%{http_code}' "$@"
}
# csrf_of FILE: the csrf field of a page
csrf_of() {
	grep -o 'name="csrf" value="[^"]*"' "$1" | head -1 | sed 's/.*value="//; s/"$//'
}
# login JAR LOGIN PASSWORD: sign in, the cookie into JAR; prints the status
login() {
	curl -s -c "$E2E_DIR/$1" -o "$E2E_DIR/login.b" -D "$E2E_DIR/login.h" \
		-w '%{http_code}' --data-urlencode "login=$2" \
		--data-urlencode "password=$3" "$BASE/console/login"
}
# setup LINK PASSWORD: choose the password of a setup link
setup() {
	local path=${1#"$ORIGIN"}
	curl -s -o /dev/null -w '%{http_code}' --data-urlencode "password=$2" \
		--data-urlencode "password2=$2" "$BASE$path"
}
security_headers() { # security_headers FILE WHAT
	expect_eq "$(hdr "$1" Content-Security-Policy)" \
		"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'" "$2: CSP"
	expect_eq "$(hdr "$1" X-Content-Type-Options)" nosniff "$2: nosniff"
	expect_eq "$(hdr "$1" Referrer-Policy)" same-origin "$2: Referrer-Policy"
	expect_eq "$(hdr "$1" Cache-Control)" no-store "$2: Cache-Control"
}

test_begin "console setup"
cat >"$E2E_DIR/reg.csv" <<'CSV'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
CS-1,Mật ong hoa nhãn,I,08935339000648,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
CS-2,Trà sen Tháp Mười,II,,Công ty TNHH Sen Việt,DN,Đồng Tháp,Xã Mỹ Hòa,3,498/QĐ-UBND-HC,2025-04-19,UBND tỉnh Đồng Tháp,
CS-3,Mứt sen cũ,I,,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,3,120/QĐ-UBND,2021-01-10,UBND huyện Cao Lãnh,
CSV
expect_rc 0 "$OCOP" init --base-url "$ORIGIN"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" user add 0901000001 --role producer --producer CS-1 --name "HTX Ong mật"
LINK_P1=$(cat "$E2E_DIR/last.out")
expect_rc 0 "$OCOP" user add 0901000002 --role producer --producer CS-2
LINK_P2=$(cat "$E2E_DIR/last.out")
expect_rc 0 "$OCOP" user add office@example.vn --role admin --name "Văn phòng"
LINK_AD=$(cat "$E2E_DIR/last.out")
expect_rc 0 "$OCOP" user add 0901000009 --role inspector --province "Đồng Tháp"
LINK_IN=$(cat "$E2E_DIR/last.out")
# the other producer's batch, issued from the command line
expect_rc 0 "$OCOP" label issue CS-2 --count 3 --format csv --out "$E2E_DIR/p2"
B2=$(cat "$E2E_DIR/last.out")
start_server --listen "127.0.0.1:$PORT" || exit 1

test_begin "console: the setup link sets a password once, at least 10 characters"
P1PATH=${LINK_P1#"$ORIGIN"}
expect_eq "$(req setup -H 'Accept-Language: vi' "$BASE$P1PATH")" 200 "GET setup"
expect_contains "$E2E_DIR/setup.b" "Đặt mật khẩu"
security_headers "$E2E_DIR/setup.h" "setup page"
expect_eq "$(setup "$LINK_P1" short)" 422 "a 5-character password"
expect_eq "$(req setup -d password=motmatkhau12 -d password2=motmatkhau13 "$BASE$P1PATH")" 422 "two passwords"
expect_eq "$(setup "$LINK_P1" 'mật khẩu một')" 303 "setup"
expect_eq "$(setup "$LINK_P1" 'mật khẩu hai')" 404 "the link used twice"
expect_eq "$(setup "$LINK_P2" 'matkhauhai22')" 303 "setup p2"
expect_eq "$(setup "$LINK_AD" 'matkhauvanphong')" 303 "setup admin"
expect_eq "$(setup "$LINK_IN" 'matkhauthanhtra')" 303 "setup inspector"

test_begin "console: signed out, a page sends to the sign-in form"
expect_eq "$(req out "$BASE/console/")" 303 "GET /console/"
expect_eq "$(hdr "$E2E_DIR/out.h" Location)" "/console/login?next=/console/" "Location"
security_headers "$E2E_DIR/out.h" "303"
expect_eq "$(req out "$BASE/console/products/CS-1")" 303 "GET a product"
expect_eq "$(req loginpage "$BASE/console/login")" 200 "GET /console/login"
security_headers "$E2E_DIR/loginpage.h" "sign-in page"
expect_contains "$E2E_DIR/loginpage.b" 'name="login"'
expect_contains "$E2E_DIR/loginpage.b" 'name="password"'
expect_contains "$E2E_DIR/loginpage.b" '<html lang="vi">'
# where to go after signing in: a console path, without control characters
expect_eq "$(req nextok "$BASE/console/login?next=/console/products/CS-1")" 200 "next, a console path"
expect_contains "$E2E_DIR/nextok.b" 'name="next" value="/console/products/CS-1"'
expect_eq "$(req nexttab "$BASE/console/login?next=/console/a%09b")" 200 "next with a tab"
expect_contains "$E2E_DIR/nexttab.b" 'name="next" value="/console/"'
expect_eq "$(req en "$BASE/console/login?lang=en")" 200 "English"
expect_contains "$E2E_DIR/en.b" "Sign in"
expect_eq "$(req en2 -H 'Accept-Language: en;q=0.1, vi' "$BASE/console/login")" 200 "q-values"
expect_contains "$E2E_DIR/en2.b" "Đăng nhập"

test_begin "console: a wrong login and a wrong password get the same answer"
s1=$(curl -s -o "$E2E_DIR/w1.b" -w '%{http_code}' -d login=0901000001 -d password=wrongwrong1 "$BASE/console/login")
s2=$(curl -s -o "$E2E_DIR/w2.b" -w '%{http_code}' -d login=0901999999 -d password=wrongwrong1 "$BASE/console/login")
expect_eq "$s1" "$s2" "status"
expect_eq "$s1" 401 "status"
sed 's/0901999999/0901000001/' "$E2E_DIR/w2.b" | cmp -s - "$E2E_DIR/w1.b" ||
	fail "the two answers differ: $(diff "$E2E_DIR/w1.b" "$E2E_DIR/w2.b" | head -5)"

test_begin "console: signing in sets the session cookie"
expect_eq "$(login p1 0901000001 'mật khẩu một')" 303 "sign in"
expect_eq "$(hdr "$E2E_DIR/login.h" Location)" /console/ "Location"
cookie=$(hdr "$E2E_DIR/login.h" Set-Cookie)
[[ "$cookie" =~ ^ocop_session=[A-Za-z0-9_-]{43}\;\ HttpOnly\;\ SameSite=Lax\;\ Path=/$ ]] ||
	fail "Set-Cookie: '$cookie'"
first=$cookie
expect_eq "$(login p1 0901000001 'mật khẩu một')" 303 "sign in again"
[ "$(hdr "$E2E_DIR/login.h" Set-Cookie)" != "$first" ] || fail "the same cookie twice"
expect_eq "$(req dash -b "$E2E_DIR/p1" "$BASE/console/")" 200 "dashboard"
security_headers "$E2E_DIR/dash.h" "dashboard"
expect_contains "$E2E_DIR/dash.b" "Mật ong hoa nhãn"
expect_contains "$E2E_DIR/dash.b" "Mứt sen cũ"
grep -q "Trà sen Tháp Mười" "$E2E_DIR/dash.b" && fail "another producer's product on the dashboard"
expect_contains "$E2E_DIR/dash.b" "Hết hiệu lực từ ngày"
expect_contains "$E2E_DIR/dash.b" 'action="/console/logout"'
CSRF=$(csrf_of "$E2E_DIR/dash.b")
[ ${#CSRF} -eq 43 ] || fail "no csrf field in the page: '$CSRF'"

test_begin "console: a producer gets 404 for what is not its own, as for a missing one"
expect_eq "$(req own -b "$E2E_DIR/p1" "$BASE/console/products/CS-1")" 200 "own product"
expect_contains "$E2E_DIR/own.b" "Lịch sử công nhận"
expect_eq "$(req other -b "$E2E_DIR/p1" "$BASE/console/products/CS-2")" 404 "another's product"
expect_eq "$(req none -b "$E2E_DIR/p1" "$BASE/console/products/NO-SUCH")" 404 "no product"
grep -v 'hreflang' "$E2E_DIR/other.b" >"$E2E_DIR/other.x"
grep -v 'hreflang' "$E2E_DIR/none.b" >"$E2E_DIR/none.x"
cmp -s "$E2E_DIR/other.x" "$E2E_DIR/none.x" || fail "another's product differs from a missing one"
expect_eq "$(req ob -b "$E2E_DIR/p1" "$BASE/console/batches/$B2")" 404 "another's batch"
expect_eq "$(req nb -b "$E2E_DIR/p1" "$BASE/console/batches/999999")" 404 "no batch"
expect_eq "$(req of -b "$E2E_DIR/p1" "$BASE/console/batches/$B2/labels.csv")" 404 "another's batch file"
expect_eq "$(req oi -b "$E2E_DIR/p1" "$BASE/console/products/CS-2/issue")" 404 "another's issue form"
S2=$(sed -n 2p "$E2E_DIR/p2/labels.csv" | cut -d, -f1)
expect_eq "$(req ov -b "$E2E_DIR/p1" "$BASE/console/batches/$B2/void?serial=$S2")" 404 "another's void form"

test_begin "console: CSRF missing or wrong, or a foreign Origin: 403, nothing changed"
before=$(db_rows batches)
form=(-d count=5 -d format=pdf -d size_mm=30)
expect_eq "$(req c1 -b "$E2E_DIR/p1" "${form[@]}" "$BASE/console/products/CS-1/issue")" 403 "no csrf"
security_headers "$E2E_DIR/c1.h" "403"
expect_eq "$(req c2 -b "$E2E_DIR/p1" "${form[@]}" -d csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA "$BASE/console/products/CS-1/issue")" 403 "wrong csrf"
expect_eq "$(req c3 -b "$E2E_DIR/p1" "${form[@]}" -d "csrf=$CSRF" -H 'Origin: https://evil.example' "$BASE/console/products/CS-1/issue")" 403 "foreign Origin"
expect_eq "$(req c4 -b "$E2E_DIR/p1" -F count=5 -F format=pdf "$BASE/console/products/CS-1/issue")" 403 "multipart without csrf"
expect_eq "$(db_rows batches)" "$before" "batches"
expect_eq "$(req c5 -b "$E2E_DIR/p1" -d "csrf=$CSRF" -H 'Origin: https://evil.example' "$BASE/console/logout")" 403 "logout from elsewhere"
expect_eq "$(req c6 -b "$E2E_DIR/p1" "$BASE/console/")" 200 "still signed in"

test_begin "console: issuing from the form"
expect_eq "$(req form -b "$E2E_DIR/p1" "$BASE/console/products/CS-1/issue")" 200 "the form"
for f in count lot made best_before format size_mm; do
	expect_contains "$E2E_DIR/form.b" "name=\"$f\""
done
expect_eq "$(req bad -b "$E2E_DIR/p1" -d "csrf=$CSRF" -d count=100001 "$BASE/console/products/CS-1/issue")" 422 "count over 100,000"
expect_contains "$E2E_DIR/bad.b" "100.000"
# a count is its digits: no sign (curl sends + as a space: %2B is the sign)
expect_eq "$(req bad -b "$E2E_DIR/p1" -d "csrf=$CSRF" -d count=%2B5 "$BASE/console/products/CS-1/issue")" 422 "a count with a sign"
expect_eq "$(req bad -b "$E2E_DIR/p1" -d "csrf=$CSRF" -d count=5 -d lot='lô 1' "$BASE/console/products/CS-1/issue")" 422 "bad lot"
expect_eq "$(req lapsed -b "$E2E_DIR/p1" "$BASE/console/products/CS-3/issue")" 409 "a lapsed product's form"
expect_contains "$E2E_DIR/lapsed.b" "Không thể phát hành tem"
expect_eq "$(req lapsed -b "$E2E_DIR/p1" -d "csrf=$CSRF" -d count=5 "$BASE/console/products/CS-3/issue")" 409 "a lapsed product's issue"
expect_eq "$(db_rows batches)" "$before" "batches"
# multipart, as a browser may send it
expect_eq "$(req issue -b "$E2E_DIR/p1" -F "csrf=$CSRF" -F count=12 -F lot=l2406a \
	-F made=2026-01-02 -F best_before=2027-01-02 -F format=png -F size_mm=40 \
	"$BASE/console/products/CS-1/issue")" 303 "issue"
loc=$(hdr "$E2E_DIR/issue.h" Location)
[[ "$loc" =~ ^/console/batches/([0-9]+)\?format=png\&size_mm=40$ ]] || fail "Location: '$loc'"
B1=${BASH_REMATCH[1]}
expect_eq "$(db_rows batches)" "$((before + 1))" "batches"
expect_eq "$(req batch -b "$E2E_DIR/p1" "$BASE$loc")" 200 "the batch page"
expect_contains "$E2E_DIR/batch.b" "L2406A"
expect_contains "$E2E_DIR/batch.b" "labels.zip?format=png"
"$OCOP" audit --json >"$E2E_DIR/audit.json" || fail "ocop audit"
$PY - "$E2E_DIR/audit.json" "batch:$B1" >"$E2E_DIR/a.out" <<'EOF' || fail "audit: $(cat "$E2E_DIR/a.out")"
import json, sys
d = json.load(open(sys.argv[1]))
rows = d if isinstance(d, list) else d.get("entries", d.get("audit", []))
ok = [r for r in rows if r["action"] == "label.issue" and r["subject"] == sys.argv[2]]
assert ok and ok[0]["actor"] == "user:0901000001" and ok[0]["net"], rows[-3:]
assert any(r["action"] == "signin" and r["actor"] == "user:0901000001" for r in rows)
assert any(r["action"] == "signin.refused" for r in rows)
EOF

test_begin "console: downloads are the command's files for the same serials"
expect_rc 0 "$OCOP" label issue CS-1 --count 40 --lot LOT-7 --out "$E2E_DIR/cli"
BC=$(cat "$E2E_DIR/last.out")
expect_eq "$(req csv -b "$E2E_DIR/p1" "$BASE/console/batches/$BC/labels.csv")" 200 "labels.csv"
cmp -s "$E2E_DIR/csv.b" "$E2E_DIR/cli/labels.csv" || fail "labels.csv differs from the command's"
expect_eq "$(req pdf -b "$E2E_DIR/p1" "$BASE/console/batches/$BC/labels.pdf")" 200 "labels.pdf"
expect_eq "$(hdr "$E2E_DIR/pdf.h" Content-Type)" application/pdf "type"
security_headers "$E2E_DIR/pdf.h" "a download"
cmp -s <(pdftotext -layout "$E2E_DIR/pdf.b" -) <(pdftotext -layout "$E2E_DIR/cli/labels.pdf" -) ||
	fail "the PDF's text differs from the command's"
mkdir -p "$E2E_DIR/pages"
pdftoppm -r 300 -png "$E2E_DIR/pdf.b" "$E2E_DIR/pages/p" || fail "pdftoppm"
zbarimg -q --raw "$E2E_DIR"/pages/p-*.png 2>/dev/null | sort >"$E2E_DIR/decoded"
tail -n +2 "$E2E_DIR/cli/labels.csv" | cut -d, -f2 | sort >"$E2E_DIR/urls"
expect_eq "$(wc -l <"$E2E_DIR/decoded")" 40 "codes decoded"
cmp -s "$E2E_DIR/decoded" "$E2E_DIR/urls" || fail "decoded codes differ from the manifest"
# PNG and SVG: the same files, byte for byte
for fmt in png svg; do
	expect_rc 0 "$OCOP" label issue CS-1 --count 7 --format $fmt --out "$E2E_DIR/cli-$fmt"
	BF=$(cat "$E2E_DIR/last.out")
	expect_eq "$(req zip -b "$E2E_DIR/p1" "$BASE/console/batches/$BF/labels.zip?format=$fmt")" 200 "labels.zip $fmt"
	rm -rf "$E2E_DIR/unz" && mkdir "$E2E_DIR/unz"
	$PY -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])' \
		"$E2E_DIR/zip.b" "$E2E_DIR/unz" || fail "$fmt: not a valid zip"
	diff -r "$E2E_DIR/unz" "$E2E_DIR/cli-$fmt" >/dev/null || fail "$fmt: the zip's files differ from the command's"
	expect_eq "$(ls "$E2E_DIR/unz" | wc -l)" 8 "$fmt files"
done

test_begin "console: a PDF download the client leaves stops, and frees its turn"
expect_rc 0 "$OCOP" label issue CS-1 --count 3000 --format csv --out "$E2E_DIR/big"
BB=$(cat "$E2E_DIR/last.out")
# the client goes away after the first bytes, long before the last page
curl -s -b "$E2E_DIR/p1" "$BASE/console/batches/$BB/labels.pdf" | head -c 100 >"$E2E_DIR/head.b"
expect_contains "$E2E_DIR/head.b" "%PDF-"
# the next download gets its turn once the drawing has stopped
for _ in $(seq 1 100); do
	code=$(req again -b "$E2E_DIR/p1" "$BASE/console/batches/$BC/labels.pdf")
	[ "$code" = 503 ] || break
	sleep 0.1
done
expect_eq "$code" 200 "the next labels.pdf"
cmp -s <(pdftotext -layout "$E2E_DIR/again.b" -) <(pdftotext -layout "$E2E_DIR/cli/labels.pdf" -) ||
	fail "the next PDF's text differs from the command's"

test_begin "console: a client reading slowly gets the whole PDF"
# more than the drawing keeps ahead of the client (8 MB and more)
expect_rc 0 "$OCOP" label issue CS-1 --count 6000 --format csv --out "$E2E_DIR/slow"
BS=$(cat "$E2E_DIR/last.out")
expect_eq "$(curl -s -o "$E2E_DIR/slow.pdf" -w '%{http_code}' --limit-rate 2M \
	-b "$E2E_DIR/p1" "$BASE/console/batches/$BS/labels.pdf")" 200 "labels.pdf"
[ "$(stat -c %s "$E2E_DIR/slow.pdf")" -gt 8000000 ] || fail "a PDF of $(stat -c %s "$E2E_DIR/slow.pdf") bytes"
expect_eq "$(pdftotext "$E2E_DIR/slow.pdf" - | grep -cE '^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$')" 6000 "serials in the PDF"

test_begin "console: a PDF that cannot be drawn gets its error page, not a 200"
stop_server
cat >"$E2E_DIR/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/nonexistent</dir><cachedir>$E2E_DIR/fc-cache</cachedir></fontconfig>
EOF
FONTCONFIG_FILE=$E2E_DIR/fonts.conf start_server --listen "127.0.0.1:$PORT" || exit 1
expect_eq "$(req nofont -b "$E2E_DIR/p1" "$BASE/console/batches/$BC/labels.pdf")" 500 "labels.pdf without its font"
expect_contains "$E2E_DIR/nofont.b" "DejaVu Sans"
expect_eq "$(req csv2 -b "$E2E_DIR/p1" "$BASE/console/batches/$BC/labels.csv")" 200 "labels.csv still"
stop_server
start_server --listen "127.0.0.1:$PORT" || exit 1

test_begin "console: voiding a label and a batch after a confirmation"
S1=$(sed -n 2p "$E2E_DIR/cli/labels.csv" | cut -d, -f1)
expect_eq "$(req vc -b "$E2E_DIR/p1" "$BASE/console/batches/$BC/void?serial=$S1")" 200 "confirmation"
expect_contains "$E2E_DIR/vc.b" 'name="reason"'
expect_rc 0 "$OCOP" verify "$S1"
expect_eq "$(req v0 -b "$E2E_DIR/p1" -d "csrf=$CSRF" -d "serial=$S1" "$BASE/console/batches/$BC/void")" 422 "no reason"
expect_rc 0 "$OCOP" verify "$S1"
expect_eq "$(req v1 -b "$E2E_DIR/p1" -d "csrf=$CSRF" -d "serial=$S1" --data-urlencode "reason=in hỏng" "$BASE/console/batches/$BC/void")" 303 "void a label"
expect_rc 1 "$OCOP" verify "$S1" --json
expect_contains "$E2E_DIR/last.out" '"voided"'
S1B=$(sed -n 3p "$E2E_DIR/cli/labels.csv" | cut -d, -f1)
expect_rc 0 "$OCOP" verify "$S1B"
expect_eq "$(req v2 -b "$E2E_DIR/p1" -d "csrf=$CSRF" --data-urlencode "reason=lô in sai" "$BASE/console/batches/$BC/void")" 303 "void the batch"
expect_rc 1 "$OCOP" verify "$S1B"
expect_eq "$(req v3 -b "$E2E_DIR/p1" -d "csrf=$CSRF" -d "serial=$S2" -d reason=x "$BASE/console/batches/$BC/void")" 404 "a label of another batch"
expect_rc 0 "$OCOP" verify "$S2"
"$OCOP" audit --json >"$E2E_DIR/audit.json"
grep -q '"label.void"' "$E2E_DIR/audit.json" || fail "no label.void in the audit log"
grep -q '"batch.void"' "$E2E_DIR/audit.json" || fail "no batch.void in the audit log"

test_begin "console: roles"
expect_eq "$(login in 0901000009 matkhauthanhtra)" 303 "inspector signs in"
expect_eq "$(req ii -b "$E2E_DIR/in" "$BASE/console/products/CS-1/issue")" 404 "an inspector's issue form"
expect_eq "$(req ip -b "$E2E_DIR/in" "$BASE/console/products/CS-2")" 200 "an inspector sees every product"
expect_eq "$(login ad office@example.vn matkhauvanphong)" 303 "admin signs in"
expect_eq "$(req ad -b "$E2E_DIR/ad" "$BASE/console/?q=sen")" 200 "admin search"
expect_contains "$E2E_DIR/ad.b" "Trà sen Tháp Mười"
expect_contains "$E2E_DIR/ad.b" "Mứt sen cũ"
grep -q "Mật ong hoa nhãn" "$E2E_DIR/ad.b" && fail "search: a product that does not match"
expect_eq "$(req ad2 -b "$E2E_DIR/ad" "$BASE/console/?q=CS-1")" 200 "search by code"
expect_contains "$E2E_DIR/ad2.b" "Mật ong hoa nhãn"
expect_contains "$E2E_DIR/ad2.b" 'href="/console/users"'

test_begin "console: the office's dashboard counts labels and recent scans, and pages"
# CS-2 revoked today, and two of its labels scanned since: counted on its
# card, and the page warns
expect_rc 0 "$OCOP" cert revoke CS-2 --decision 9/QĐ-TH --ground c \
	--date "$(TZ=Asia/Ho_Chi_Minh date +%F)"
for s in $(sed -n '2,3p' "$E2E_DIR/p2/labels.csv" | cut -d, -f1); do
	curl -s -o /dev/null "$BASE/L/$s"
done
expect_eq "$(req cnt -b "$E2E_DIR/ad" "$BASE/console/?q=CS-")" 200 "dashboard"
CS1=$(db_query "SELECT count(*) FROM labels l JOIN products p ON p.id = l.product_id WHERE p.code = 'CS-1'")
$PY - "$E2E_DIR/cnt.b" "$CS1" >"$E2E_DIR/cnt.out" 2>&1 <<'EOF2' || fail "cards: $(cat "$E2E_DIR/cnt.out")"
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
cards = {re.search(r'class="hint code">([^<]*)<', c).group(1):
         re.findall(r'<dd class="num">(\d+)</dd>', c)
         for c in page.split('<section class="card">')[1:]}
assert cards["CS-2"] == ["3", "2"], cards
assert int(sys.argv[2]) > 50 and cards["CS-1"] == [sys.argv[2], "0"], cards
assert cards["CS-3"] == ["0", "0"], cards
assert "Vẫn còn 2 lượt quét" in page, "no late scans on the card"
assert "vẫn đang được quét" in page, "no warning"
EOF2
# 60 more products: a page of 50 and the rest on the next, the total on
# both
$PY - "$E2E_DIR/more.csv" <<'EOF2'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("code,name,group,gtin,producer,producer_kind,province,address,"
            "stars,decision_no,decided_on,issuer,valid_until\n")
    for i in range(60):
        f.write(f"PG-{i:02d},Bánh số {i},I,,HTX Bánh,HTX,Đồng Tháp,Ấp 1,3,"
                f"{i}/QĐ-PG,2025-05-01,UBND tỉnh Đồng Tháp,\n")
EOF2
expect_rc 0 "$OCOP" registry import "$E2E_DIR/more.csv"
expect_eq "$(req pg1 -b "$E2E_DIR/ad" "$BASE/console/")" 200 "page 1"
expect_contains "$E2E_DIR/pg1.b" "63 sản phẩm · đang xem 1–50"
expect_contains "$E2E_DIR/pg1.b" 'href="/console/?q=&amp;page=2"'
expect_eq "$(grep -c '<section class="card">' "$E2E_DIR/pg1.b")" 50 "cards on page 1"
expect_eq "$(req pg2 -b "$E2E_DIR/ad" "$BASE/console/?page=2")" 200 "page 2"
expect_contains "$E2E_DIR/pg2.b" "63 sản phẩm · đang xem 51–63"
expect_eq "$(grep -c '<section class="card">' "$E2E_DIR/pg2.b")" 13 "cards on page 2"
grep -q 'rel="next"' "$E2E_DIR/pg2.b" && fail "a next page after the last"
expect_contains "$E2E_DIR/pg2.b" "PG-59"
expect_eq "$(req pg9 -b "$E2E_DIR/ad" "$BASE/console/?page=9")" 200 "a page past the end"
expect_contains "$E2E_DIR/pg9.b" "63 sản phẩm · đang xem 1–50"
expect_eq "$(req pgq -b "$E2E_DIR/ad" "$BASE/console/?q=b%C3%A1nh%20s%E1%BB%91%205")" 200 "search"
expect_contains "$E2E_DIR/pgq.b" "11 sản phẩm"
expect_eq "$(req pgp -b "$E2E_DIR/ad" "$BASE/console/?q=50%25")" 200 "a search with %"
expect_contains "$E2E_DIR/pgp.b" "Không có sản phẩm nào khớp."

test_begin "console: the sixth wrong password gets 429, the right one too"
for i in 1 2 3 4 5; do
	expect_eq "$(login x 0901000002 "wrongpass$i")" 401 "failure $i"
done
expect_eq "$(login x 0901000002 wrongpass6)" 429 "sixth failure"
[ -n "$(hdr "$E2E_DIR/login.h" Retry-After)" ] || fail "no Retry-After"
expect_eq "$(login x 0901000002 matkhauhai22)" 429 "the right password while throttled"

test_begin "console: a session ends at sign-out, disable and reset"
cp "$E2E_DIR/p1" "$E2E_DIR/p1.old"
expect_eq "$(req lo -b "$E2E_DIR/p1" -c "$E2E_DIR/p1" -d "csrf=$CSRF" "$BASE/console/logout")" 303 "sign out"
[[ "$(hdr "$E2E_DIR/lo.h" Set-Cookie)" == "ocop_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0" ]] ||
	fail "sign-out cookie: '$(hdr "$E2E_DIR/lo.h" Set-Cookie)'"
expect_eq "$(req after -b "$E2E_DIR/p1.old" "$BASE/console/")" 303 "the old cookie after sign-out"
expect_eq "$(login p1 0901000001 'mật khẩu một')" 303 "sign in"
expect_eq "$(req d1 -b "$E2E_DIR/p1" "$BASE/console/")" 200 "signed in"
expect_rc 0 "$OCOP" user disable 0901000001
expect_eq "$(req d2 -b "$E2E_DIR/p1" "$BASE/console/")" 303 "after disable"
expect_eq "$(login p1 0901000001 'mật khẩu một')" 401 "a disabled user"
expect_eq "$(req r1 -b "$E2E_DIR/ad" "$BASE/console/")" 200 "admin signed in"
expect_rc 0 "$OCOP" user reset office@example.vn
expect_eq "$(req r2 -b "$E2E_DIR/ad" "$BASE/console/")" 303 "after reset"
stop_server

test_begin "console: Secure cookie when {BASE} is https"
expect_rc 0 "$OCOP" init --base-url https://ocop.example.vn
start_server --listen "127.0.0.1:$PORT" || exit 1
expect_eq "$(login in 0901000009 matkhauthanhtra)" 303 "sign in"
[[ "$(hdr "$E2E_DIR/login.h" Set-Cookie)" =~ \;\ Path=/\;\ Secure$ ]] ||
	fail "Set-Cookie: '$(hdr "$E2E_DIR/login.h" Set-Cookie)'"
stop_server
test_end
