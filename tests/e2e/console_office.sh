#!/usr/bin/env bash
# The office's console pages over HTTP (SPEC 8): registry uploads (all
# rows or none, every bad row listed), the forms of cert grant, extend and
# revoke, users, tokens, the audit log and the reports with their
# downloads; who may open which; every change audited with the person.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
export OCOP_NOW=2026-03-01T10:00:00+07:00

# get JAR PATH: GET into $E2E_DIR/page, prints the status
get() {
	curl -s -b "$1" -D "$E2E_DIR/headers" -o "$E2E_DIR/page" \
		-w '%{http_code}' "$BASE$2"
}
# post JAR PATH curl-args...: a console POST with the session's CSRF token
post() {
	local jar=$1 path=$2
	shift 2
	curl -s -b "$jar" -o "$E2E_DIR/page" -w '%{http_code}' -X POST \
		--form-string "csrf=$CSRF" "$@" "$BASE$path"
}
csrf_of() {
	grep -o 'name="csrf" value="[^"]*"' "$1" | head -1 |
		sed 's/.*value="//; s/"$//'
}
# text_of ID: the text of the element with that id in the last page
text_of() {
	$PY - "$E2E_DIR/page" "$1" <<'PYEOF'
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'id="%s"[^>]*>(.*?)</' % re.escape(sys.argv[2]), page, re.S)
print(html.unescape(m.group(1)).strip() if m else "")
PYEOF
}
# problems: the bad rows' table of the last page, "file|row|field" a line
problems() {
	$PY - "$E2E_DIR/page" <<'PYEOF'
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
t = re.search(r'<table id="problems"[^>]*>(.*?)</table>', page, re.S)
for row in re.findall(r"<tr><td>(.*?)</tr>", t.group(1) if t else "", re.S):
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in row.split("</td><td")]
    cells = [re.sub(r'^[^>]*>', "", c).replace("</td>", "") for c in cells]
    print("|".join(cells[:3]))
PYEOF
}

HEAD=code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
cat >"$E2E_DIR/bad.csv" <<CSV
$HEAD
14-001-0001-2026,Chè Shan tuyết,Thực phẩm,,HTX Chè Tà Xùa,HTX,Sơn La,Xã Tà Xùa,4,QĐ-11/2026,2026-01-10,UBND tỉnh Sơn La,
14-001-0002-2026,Mật ong bạc hà,Thực phẩm,,HTX Ong Mèo Vạc,HTX,Sơn La,Xã B,7,QĐ-12/2026,2026-01-10,UBND tỉnh Sơn La,
14-001-0003-2026,Gạo nếp,Thực phẩm,12345,HTX Gạo,HTX,Sơn La,Xã C,3,QĐ-13/2026,2026-13-10,UBND tỉnh Sơn La,
14-001-0004-2026,Măng khô,Nhóm lạ,,HTX Măng,HTX,Sơn La,Xã D,3,QĐ-14/2026,2026-01-10,UBND tỉnh Sơn La,
CSV
cat >"$E2E_DIR/good.csv" <<CSV
$HEAD
14-001-0001-2026,Chè Shan tuyết,Thực phẩm,,HTX Chè Tà Xùa,HTX,Sơn La,Xã Tà Xùa,4,QĐ-11/2026,2026-01-10,UBND tỉnh Sơn La,
14-001-0002-2026,Mật ong bạc hà,Thực phẩm,,HTX Ong Mèo Vạc,HTX,Sơn La,Xã B,3,QĐ-12/2026,2026-01-10,UBND tỉnh Sơn La,
CSV

expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$ASSETS/demo/registry.csv"
start_server || exit 1
ADMIN="$E2E_DIR/admin.jar"
INSP="$E2E_DIR/inspector.jar"
console_sign_in office@sonla.gov.vn admin "$ADMIN" --name 'Lò Thị Hoa'
console_sign_in 0912000111 inspector "$INSP" --province 'Sơn La'

test_begin "console office: an inspector opens reports, not the office's pages"
expect_eq "$(get "$INSP" /console/reports/expiring)" 200 "inspector report"
for p in /console/registry /console/users /console/tokens /console/audit; do
	expect_eq "$(get "$INSP" $p)" 404 "inspector $p"
done
expect_eq "$(get "$ADMIN" /console/registry)" 200 "admin registry"
CSRF=$(csrf_of "$E2E_DIR/page")
[ -n "$CSRF" ] || fail "no csrf field in the registry page"
expect_eq "$(get "" /console/registry)" 303 "signed out"

test_begin "console office: a registry file with bad rows lists each, stores none"
expect_eq "$(post "$ADMIN" /console/registry/import \
	-F "registry=@$E2E_DIR/bad.csv")" 422 "bad import"
problems >"$E2E_DIR/problems"
expect_eq "$(cut -d'|' -f2 "$E2E_DIR/problems" | sort -u | tr '\n' ' ')" \
	"3 4 5 " "bad rows by line"
expect_contains "$E2E_DIR/problems" "bad.csv|3|stars"
expect_contains "$E2E_DIR/problems" "bad.csv|4|gtin"
expect_contains "$E2E_DIR/problems" "bad.csv|4|decided_on"
expect_contains "$E2E_DIR/problems" "bad.csv|5|group"
expect_eq "$(text_of import-error)" "3 lỗi; không dòng nào được nhập" "summary"
"$OCOP" product list >"$E2E_DIR/products" 2>/dev/null
grep -q '^14-001-' "$E2E_DIR/products" && fail "a bad file stored products"
# with a good registry file, a bad revocation file stops both
printf 'code,decision_no,revoked_on,ground,note\n14-001-0001-2026,QĐ-TH/2026,2026-02-01,z,\n' \
	>"$E2E_DIR/rev.csv"
expect_eq "$(post "$ADMIN" /console/registry/import \
	-F "registry=@$E2E_DIR/good.csv" -F "revocations=@$E2E_DIR/rev.csv")" \
	422 "good and bad files"
expect_contains "$E2E_DIR/page" "<td>rev.csv</td>"
"$OCOP" product list >"$E2E_DIR/products" 2>/dev/null
grep -q '^14-001-' "$E2E_DIR/products" && fail "a bad upload stored products"
# without the CSRF token: 403, nothing stored
expect_eq "$(curl -s -b "$ADMIN" -o /dev/null -w '%{http_code}' \
	-F "registry=@$E2E_DIR/good.csv" "$BASE/console/registry/import")" \
	403 "no csrf"
"$OCOP" product list >"$E2E_DIR/products" 2>/dev/null
grep -q '^14-001-' "$E2E_DIR/products" && fail "a POST without csrf stored"

# more than 64 MiB: refused whole
head -c $((65 << 20)) /dev/zero | tr '\0' 'x' >"$E2E_DIR/big.csv"
expect_eq "$(post "$ADMIN" /console/registry/import \
	-F "registry=@$E2E_DIR/big.csv")" 413 "an upload over 64 MiB"
rm -f "$E2E_DIR/big.csv"

test_begin "console office: a good registry file is imported and audited"
expect_eq "$(post "$ADMIN" /console/registry/import \
	-F "registry=@$E2E_DIR/good.csv")" 200 "good import"
expect_contains "$E2E_DIR/page" "good.csv: 2 dòng, 2 dòng mới"
expect_eq "$("$OCOP" product list 2>/dev/null | grep -c '^14-001-')" 2 "products stored"
# the same file again changes nothing
expect_eq "$(post "$ADMIN" /console/registry/import \
	-F "registry=@$E2E_DIR/good.csv")" 200 "again"
expect_contains "$E2E_DIR/page" "0 dòng mới, 2 dòng không đổi"

test_begin "console office: the cert forms, their errors next to the field"
expect_eq "$(post "$ADMIN" /console/registry/grant -F code=14-001-0001-2026 \
	-F stars=7 -F decision= -F date=2026-02-30)" 422 "bad grant"
expect_contains "$E2E_DIR/page" 'id="g_stars-error"'
expect_contains "$E2E_DIR/page" 'id="g_decision-error"'
expect_contains "$E2E_DIR/page" 'id="g_date-error"'
expect_contains "$E2E_DIR/page" 'aria-describedby="g_date-error"'
expect_eq "$(post "$ADMIN" /console/registry/grant -F code=14-009-9999-2026 \
	-F stars=4 -F decision=QĐ-X -F date=2026-02-01)" 422 "unknown code"
expect_contains "$E2E_DIR/page" 'id="g_code-error"'
expect_eq "$(post "$ADMIN" /console/registry/grant -F code=14-001-0001-2026 \
	-F stars=5 -F decision=QĐ-50/2026 -F date=2026-02-15)" 200 "grant"
expect_contains "$E2E_DIR/page" "đã ghi công nhận: 5★"
"$OCOP" product show 14-001-0001-2026 >"$E2E_DIR/show"
expect_contains "$E2E_DIR/show" "QĐ-50/2026"
expect_eq "$(post "$ADMIN" /console/registry/extend -F code=14-001-0002-2026 \
	-F until=2029-03-01)" 200 "extend"
"$OCOP" product show 14-001-0002-2026 >"$E2E_DIR/show"
expect_contains "$E2E_DIR/show" "2029-03-01"
expect_eq "$(post "$ADMIN" /console/registry/revoke -F code=14-001-0002-2026 \
	-F decision=QĐ-TH-1/2026 -F date=2026-02-20 -F ground=q)" 422 "bad ground"
expect_contains "$E2E_DIR/page" 'id="r_ground-error"'
expect_eq "$(post "$ADMIN" /console/registry/revoke -F code=14-001-0002-2026 \
	-F decision=QĐ-TH-1/2026 -F date=2026-02-20 -F ground=c)" 200 "revoke"
expect_eq "$("$OCOP" product list --status revoked 2>/dev/null | grep -c '^14-001-0002')" 1 \
	"revoked"

test_begin "console office: users, with the setup link shown once"
expect_eq "$(post "$ADMIN" /console/users/add -F role=producer \
	-F login=0988777666)" 422 "producer without a product"
expect_contains "$E2E_DIR/page" 'id="u_producer-error"'
expect_eq "$(post "$ADMIN" /console/users/add -F role=producer \
	-F login=0988777666 -F producer=14-001-0001-2026 -F 'name=Vì Văn Páo')" \
	200 "add"
LINK=$(text_of setup-link)
case $LINK in http://localhost:8080/console/setup/*) ;; *) fail "setup link '$LINK'" ;; esac
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' \
	"$BASE${LINK#http://localhost:8080}")" 200 "the link opens"
get "$ADMIN" /console/users >/dev/null
grep -q "${LINK##*/}" "$E2E_DIR/page" && fail "the setup link is shown again"
expect_contains "$E2E_DIR/page" "HTX Chè Tà Xùa"
expect_contains "$E2E_DIR/page" "Vì Văn Páo"
expect_eq "$(post "$ADMIN" /console/users/disable -F login=0912000111)" 200 \
	"disable"
expect_eq "$(get "$INSP" /console/reports/expiring)" 303 \
	"the disabled inspector's session ended"
expect_eq "$(post "$ADMIN" /console/users/reset -F login=0912000111)" 200 \
	"reset"
case $(text_of setup-link) in */console/setup/*) ;; *) fail "no new link" ;; esac
"$OCOP" user list --json >"$E2E_DIR/users.json"
expect_contains "$E2E_DIR/users.json" '"0988777666"'

test_begin "console office: a token revoked in the console is refused at once"
expect_eq "$(post "$ADMIN" /console/tokens/create -F role=inspector \
	-F expires=2026-01-01)" 422 "expiry in the past"
expect_contains "$E2E_DIR/page" 'id="t_expires_f-error"'
expect_eq "$(post "$ADMIN" /console/tokens/create -F role=inspector \
	-F expires=2027-01-01)" 200 "create"
TOKEN=$(text_of new-token)
ID=$(text_of notice | grep -o '[0-9]*$')
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports/expiring")" 200 \
	"token works"
get "$ADMIN" /console/tokens >/dev/null
grep -q "$TOKEN" "$E2E_DIR/page" && fail "the token is shown again"
expect_eq "$(post "$ADMIN" /console/tokens/revoke -F "id=$ID")" 200 "revoke"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $TOKEN" "$BASE/api/v1/reports/expiring")" 401 \
	"revoked token"
"$OCOP" token list --json >"$E2E_DIR/tokens.json"
expect_eq "$($PY -c '
import json, sys
t = [t for t in json.load(open(sys.argv[1])) if t["id"] == int(sys.argv[2])]
print("revoked" if t and t[0]["revoked"] else "not revoked")' \
	"$E2E_DIR/tokens.json" "$ID")" revoked "token list"

test_begin "console office: the audit log names the person for each change"
"$OCOP" audit --json >"$E2E_DIR/audit.json"
expect_eq "$($PY - "$E2E_DIR/audit.json" <<'PYEOF'
import json, sys
rows = json.load(open(sys.argv[1]))
want = ["registry.import", "cert.grant", "cert.extend", "cert.revoke",
        "user.add", "user.disable", "user.reset", "token.create",
        "token.revoke"]
got = {r["action"] for r in rows if r["actor"] == "user:office@sonla.gov.vn"
       and r["net"] == "127.0.0.0/24"}
print(" ".join(a for a in want if a not in got) or "all")
PYEOF
)" all "actions audited with the person and network"
# a refused change leaves no row, nor does a file imported again
expect_eq "$(grep -c 'QĐ-X' "$E2E_DIR/audit.json")" 0 "refused grant audited"
expect_eq "$($PY -c '
import json, sys
print(sum(r["action"] == "registry.import" and r["actor"].startswith("user:")
          for r in json.load(open(sys.argv[1]))))' \
	"$E2E_DIR/audit.json")" 1 "imports audited (the second changed nothing)"
expect_eq "$(get "$ADMIN" /console/audit)" 200 "audit page"
expect_contains "$E2E_DIR/page" "user:office@sonla.gov.vn"
expect_contains "$E2E_DIR/page" "token.revoke"
first=$(grep -o '<td>[a-z.]*</td><td>[^<]*</td><td>127' "$E2E_DIR/page" | head -1)
case $first in *token.revoke*) ;; *) fail "newest first: '$first'" ;; esac
expect_eq "$(get "$ADMIN" '/console/audit?since=2099-01-01')" 200 "since"
expect_contains "$E2E_DIR/page" "Không có mục nào."
expect_eq "$(get "$ADMIN" '/console/audit?since=bad')" 400 "bad since"
expect_contains "$E2E_DIR/page" 'id="since-error"'

test_begin "console office: reports inline, with downloads of the same"
console_sign_in 0912000222 inspector "$INSP"
expect_eq "$(get "$INSP" '/console/reports/expiring?within=1200')" 200 "report"
expect_contains "$E2E_DIR/page" '<div class="report">'
expect_contains "$E2E_DIR/page" '14-001-0001-2026'
expect_contains "$E2E_DIR/page" 'value="1200"'
href=$(grep -o 'href="/console/reports/expiring?format=csv[^"]*"' \
	"$E2E_DIR/page" | sed 's/href="//; s/"$//; s/&amp;/\&/g')
expect_eq "$href" "/console/reports/expiring?format=csv&within=1200" "csv link"
expect_eq "$(get "$INSP" "$href")" 200 "csv"
expect_contains "$E2E_DIR/headers" 'attachment; filename="expiring-2026-03-01.csv"'
"$OCOP" report expiring --within 1200 --format csv >"$E2E_DIR/cli.csv"
cmp -s "$E2E_DIR/page" "$E2E_DIR/cli.csv" || fail "the CSV differs from ocop report's"
expect_eq "$(get "$INSP" '/console/reports/expiring?format=json&within=1200')" 200 "json"
"$OCOP" report expiring --within 1200 --format json >"$E2E_DIR/cli.json"
cmp -s "$E2E_DIR/page" "$E2E_DIR/cli.json" || fail "the JSON differs from ocop report's"
expect_eq "$(get "$INSP" '/console/reports/expiring?within=x')" 400 "bad param"
expect_contains "$E2E_DIR/page" 'id="within-error"'
expect_eq "$(get "$INSP" '/console/reports/nope')" 404 "unknown report"
for r in circulation lapsed clones unknown; do
	expect_eq "$(get "$INSP" "/console/reports/$r")" 200 "$r"
done
expect_eq "$(get "$INSP" '/console/reports/expiring?lang=en')" 200 "english"
expect_contains "$E2E_DIR/page" "Download CSV"
test_end
