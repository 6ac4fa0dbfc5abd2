#!/usr/bin/env bash
# The GS1-Conformant resolver (SPEC 5.1) over the real server: redirects of
# label and product URIs, 404s and 400s, link types, linksets and the
# description file validated against GS1's schemas (tests/gs1), and the
# headers every Digital Link answer carries.
. "$(dirname "$0")/lib.sh"

GS1="$(cd "$(dirname "$0")/../gs1" && pwd)"
PY=/usr/bin/python3 # Debian's, with python3-jsonschema
ROOT=https://ocop.example.vn
GTIN=08935049500018
GTIN13=8935049500018
export OCOP_NOW=2026-03-01T10:00:00+07:00

# req METHOD URL [curl options...]: status in CODE, headers in $E2E_DIR/h,
# body in $E2E_DIR/b
req() {
	local m=$1 u=$2
	shift 2
	if [ "$m" = HEAD ]; then
		CODE=$(curl -sS -I -o "$E2E_DIR/h" -w '%{http_code}' "$@" "$u")
		: >"$E2E_DIR/b"
	else
		CODE=$(curl -sS -X "$m" -D "$E2E_DIR/h" -o "$E2E_DIR/b" \
			-w '%{http_code}' "$@" "$u")
	fi
}
# header NAME: the value of the one header NAME ("" when absent)
header() {
	grep -i "^$1:" "$E2E_DIR/h" | head -1 | cut -d' ' -f2- | tr -d '\r'
}
header_count() {
	grep -ci "^$1:" "$E2E_DIR/h"
}
# dl_headers NORMAL_URI: the headers of every Digital Link answer
dl_headers() {
	expect_eq "$(header Access-Control-Allow-Origin)" "*" "ACAO"
	expect_eq "$(header Access-Control-Allow-Methods)" "GET, HEAD, OPTIONS" "ACAM"
	expect_eq "$(header Access-Control-Expose-Headers)" "Link, Location" "ACEH"
	expect_eq "$(header Vary)" "Accept, Accept-Language" "Vary"
	expect_eq "$(header_count Link)" 1 "number of Link headers"
	expect_eq "$(header Link)" "<$1?linkType=linkset>; rel=\"linkset\"; type=\"application/linkset+json\"" "Link"
}
# linkset_headers NORMAL_URI: those of a linkset answer, whose one Link
# header also links the JSON-LD context, as GS1's test suite looks for it
# (the header split at commas, one part with both rel and type)
linkset_headers() {
	expect_eq "$(header Access-Control-Allow-Origin)" "*" "ACAO"
	expect_eq "$(header Access-Control-Expose-Headers)" "Link, Location" "ACEH"
	expect_eq "$(header_count Link)" 1 "number of Link headers"
	expect_eq "$(header Link)" "<$1?linkType=linkset>; rel=\"linkset\"; type=\"application/linkset+json\", <$ROOT/context/linkset.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"" "Link"
	header Link | tr ',' '\n' | grep -F 'rel="http://www.w3.org/ns/json-ld#context"' |
		grep -qF 'type="application/ld+json"' ||
		fail "no JSON-LD context link part: $(header Link)"
}
# schema_ok SCHEMA FILE: JSON-schema validation with Debian's jsonschema
schema_ok() {
	"$PY" - "$1" "$2" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc))
for e in errors:
    print("  " + e.message[:300], file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}
validate() {
	schema_ok "$1" "$2" || fail "$(basename "$2") is not valid against $(basename "$1")"
}
# jq_py FILE EXPR: print a Python expression over the JSON document d
jq_py() {
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

test_begin "resolver setup"
"$PY" -c 'import jsonschema' || fail "python3-jsonschema is not installed (make deps)"
cat >"$E2E_DIR/reg.csv" <<EOF
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
RES-1,Mật ong hoa nhãn,I,$GTIN13,HTX Ong mật Cao Lãnh,HTX,Đồng Tháp,Xã Mỹ Xương,4,1446/QĐ-UBND-HC,2025-06-01,UBND tỉnh Đồng Tháp,
RES-2,Nem Lai Vung,I,,DN Nem Lai Vung,DN,Đồng Tháp,Lai Vung,3,200/QĐ-UBND,2025-06-01,UBND tỉnh Đồng Tháp,
EOF
expect_rc 0 "$OCOP" init --base-url "$ROOT"
expect_rc 0 "$OCOP" registry import "$E2E_DIR/reg.csv"
expect_rc 0 "$OCOP" label issue RES-1 --count 2 --lot l2406a --format csv --out "$E2E_DIR/out_a"
expect_rc 0 "$OCOP" label issue RES-1 --count 1 --format csv --out "$E2E_DIR/out_b"
expect_rc 0 "$OCOP" label issue RES-2 --count 1 --format csv --out "$E2E_DIR/out_c"
S=$(sed -n 2p "$E2E_DIR/out_a/labels.csv" | cut -d, -f1)
QR=$(sed -n 2p "$E2E_DIR/out_a/labels.csv" | cut -d, -f2)
S_NOLOT=$(sed -n 2p "$E2E_DIR/out_b/labels.csv" | cut -d, -f1)
S_NOGTIN=$(sed -n 2p "$E2E_DIR/out_c/labels.csv" | cut -d, -f1)
expect_eq "$QR" "HTTPS://OCOP.EXAMPLE.VN/01/$GTIN/10/L2406A/21/$S" "QR URL"
start_server --rate-limit 0 || exit 1
LBL="/01/$GTIN/10/L2406A/21/$S"

test_begin "the QR's own URL redirects to the label page, nothing recorded"
req GET "$BASE${QR#HTTPS://OCOP.EXAMPLE.VN}"
expect_eq "$CODE" 307 "status"
expect_eq "$(header Location)" "$ROOT/L/$S" "Location"
expect_eq "$(wc -c <"$E2E_DIR/b")" 0 "body length"
dl_headers "$ROOT$LBL"
req GET "$BASE/api/v1/labels/$S"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["scans"]["count"]')" 0 "scans after redirects"

test_begin "HEAD on a label URI: 307"
req HEAD "$BASE$LBL"
expect_eq "$CODE" 307 "status"
expect_eq "$(header Location)" "$ROOT/L/$S" "Location"
dl_headers "$ROOT$LBL"

test_begin "query string appended unchanged"
req GET "$BASE$LBL?lang=en&utm_source=qr%20code"
expect_eq "$CODE" 307 "status"
expect_eq "$(header Location)" "$ROOT/L/$S?lang=en&utm_source=qr%20code" "Location"

test_begin "label URI: GTIN-13, lower-case lot, no lot, trailing slash"
req GET "$BASE/01/$GTIN13/10/l2406a/21/$S/"
expect_eq "$CODE" 307 "status"
expect_eq "$(header Location)" "$ROOT/L/$S" "Location"
dl_headers "$ROOT$LBL"
req GET "$BASE/01/$GTIN/21/$S"
expect_eq "$CODE" 307 "status without the lot"
dl_headers "$ROOT/01/$GTIN/21/$S"
req GET "$BASE/01/$GTIN/21/$S_NOLOT"
expect_eq "$CODE" 307 "status of a batch without a lot"
expect_eq "$(header Location)" "$ROOT/L/$S_NOLOT" "Location"

test_begin "wrong GTIN, wrong lot, unknown serial: 404 with the unknown record"
for path in "/01/04006381333931/21/$S" "/01/$GTIN/10/OTHER/21/$S" \
	"/01/$GTIN/10/L2406A/21/$S_NOLOT" "/01/$GTIN/21/$S_NOGTIN" \
	"/01/$GTIN/21/ZZZZZZZZZZZZZZZZ" "/01/$GTIN/21/ABC"; do
	req GET "$BASE$path"
	expect_eq "$CODE" 404 "status of $path"
	expect_eq "$(header Location)" "" "Location of $path"
	expect_eq "$(jq_py "$E2E_DIR/b" 'd["verdict"]')" unknown "verdict of $path"
	expect_eq "$(jq_py "$E2E_DIR/b" '"product" in d or "label" in d')" False "details of $path"
	expect_eq "$(header Access-Control-Allow-Origin)" "*" "ACAO of $path"
	# no walking up to the product for a forged serial
	req GET "$BASE$path?linkType=gs1:pip"
	expect_eq "$CODE" 404 "gs1:pip of $path"
	req GET "$BASE$path" -H 'Accept: application/linkset+json'
	expect_eq "$CODE" 404 "linkset of $path"
done
req GET "$BASE/01/04006381333931/21/$S"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["reason"]')" wrong_product "reason"

test_begin "a forged Digital Link opened by a phone's browser: the unknown page"
BROWSER_ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
req GET "$BASE/01/$GTIN/21/ZZZZZZZZZZZZZZZZ" -H "Accept: $BROWSER_ACCEPT" \
	-H 'Accept-Language: vi-VN,vi;q=0.9'
expect_eq "$CODE" 404 "status"
expect_eq "$(header Content-Type)" "text/html; charset=utf-8" "content type"
expect_contains "$E2E_DIR/b" '<html lang="vi">'
expect_contains "$E2E_DIR/b" "Không tìm thấy tem"
expect_contains "$E2E_DIR/b" "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
expect_eq "$(header Access-Control-Allow-Origin)" "*" "ACAO"
expect_eq "$(header Location)" "" "Location"
req GET "$BASE/01/$GTIN/21/ZZZZZZZZZZZZZZZZ?lang=en" -H "Accept: $BROWSER_ACCEPT"
expect_contains "$E2E_DIR/b" '<html lang="en">'
# scripts and GS1's tools keep the record
req GET "$BASE/01/$GTIN/21/ZZZZZZZZZZZZZZZZ" -H 'Accept: application/json, text/html;q=0.5'
expect_eq "$(header Content-Type)" "application/json" "content type for JSON"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["verdict"]')" unknown "verdict for JSON"

test_begin "product URIs: 307 to /P/, unknown GTIN 404"
req GET "$BASE/01/$GTIN"
expect_eq "$CODE" 307 "status"
expect_eq "$(header Location)" "$ROOT/P/$GTIN" "Location"
dl_headers "$ROOT/01/$GTIN"
req GET "$BASE/01/$GTIN13/10/ANY.LOT-7?lang=en"
expect_eq "$CODE" 307 "status with a lot"
expect_eq "$(header Location)" "$ROOT/P/$GTIN?lang=en" "Location with a lot"
dl_headers "$ROOT/01/$GTIN/10/ANY.LOT-7"
req HEAD "$BASE/01/$GTIN13"
expect_eq "$CODE" 307 "HEAD"
req GET "$BASE/01/04006381333931"
expect_eq "$CODE" 404 "unknown GTIN"
dl_headers "$ROOT/01/04006381333931"

test_begin "invalid Digital Link URIs: 400"
for path in /01 /01/ /01/08935049500017 /01/1234567 /01/0893504950001A \
	"/01/$GTIN/22/ABC" "/01/$GTIN/21/ABC/10/L1" "/01/$GTIN/10/A/10/B" \
	"/01/$GTIN/21" "/01/$GTIN/21/$S/x" "/01/$GTIN//21/$S" \
	"/01/$GTIN/10/ABCDEFGHIJKLMNOPQRSTU" "/01/$GTIN/10/A%23B" \
	"/01/$GTIN/10/L%C3%B41" "/01/$GTIN/10/A%20B"; do
	req GET "$BASE$path"
	expect_eq "$CODE" 400 "status of $path"
	expect_eq "$(jq_py "$E2E_DIR/b" 'd["error"]["status"]')" 400 "error body of $path"
done

test_begin "linkset: linkType=linkset, valid against GS1's schema"
req GET "$BASE$LBL?linkType=linkset"
expect_eq "$CODE" 200 "status"
expect_eq "$(header Content-Type)" "application/linkset+json" "Content-Type"
linkset_headers "$ROOT$LBL"
cp "$E2E_DIR/b" "$E2E_DIR/linkset.json"
validate "$GS1/gs1-linkset-schema.json" "$E2E_DIR/linkset.json"
expect_eq "$(jq_py "$E2E_DIR/linkset.json" '[e["anchor"] for e in d["linkset"]]')" \
	"['$ROOT$LBL', '$ROOT/01/$GTIN/10/L2406A', '$ROOT/01/$GTIN']" "anchors"
expect_eq "$(jq_py "$E2E_DIR/linkset.json" 'sorted(k for k in d["linkset"][0] if k.startswith("http"))')" \
	"['https://ref.gs1.org/voc/certificationInfo', 'https://ref.gs1.org/voc/defaultLink']" "label link types"
expect_eq "$(jq_py "$E2E_DIR/linkset.json" 'd["linkset"][0]["https://ref.gs1.org/voc/certificationInfo"][0]["href"]')" \
	"$ROOT/L/$S" "certificationInfo href"
expect_eq "$(jq_py "$E2E_DIR/linkset.json" 'd["linkset"][2]["https://ref.gs1.org/voc/pip"][0]["href"]')" \
	"$ROOT/P/$GTIN" "pip href"
expect_eq "$(jq_py "$E2E_DIR/linkset.json" 'all(len(v) == 1 and set(v[0]) == {"href","title","type","hreflang"} for e in d["linkset"] for k, v in e.items() if k.startswith("http"))')" \
	True "one link per type, each with href, title, type, hreflang"
expect_eq "$(jq_py "$E2E_DIR/linkset.json" 'all(e["itemDescription"] for e in d["linkset"])')" True "itemDescription"
# every link type is one of GS1's vocabulary
expect_eq "$(jq_py "$E2E_DIR/linkset.json" 'all(k[len("https://ref.gs1.org/voc/"):] in json.load(open("'"$GS1"'/linktypes.json")) for e in d["linkset"] for k in e if k.startswith("http"))')" \
	True "link types in GS1's vocabulary"

test_begin "the schema check can fail"
echo '{"linkset":[{"anchor":"https://x.example/01/1","https://ref.gs1.org/voc/pip":[{"href":"https://x"}]}]}' >"$E2E_DIR/broken.json"
schema_ok "$GS1/gs1-linkset-schema.json" "$E2E_DIR/broken.json" 2>/dev/null &&
	fail "a linkset without itemDescription and title passed the schema"

test_begin "linkset by Accept, linkType=all, and at product level"
for accept in application/linkset+json application/json; do
	req GET "$BASE/01/$GTIN/21/$S" -H "Accept: $accept"
	expect_eq "$CODE" 200 "status for Accept $accept"
	validate "$GS1/gs1-linkset-schema.json" "$E2E_DIR/b"
	expect_eq "$(jq_py "$E2E_DIR/b" 'len(d["linkset"])')" 2 "levels"
done
req GET "$BASE/01/$GTIN/21/$S" -H 'Accept: text/html,*/*;q=0.8'
expect_eq "$CODE" 307 "status for a browser"
req GET "$BASE$LBL?linkType=all"
expect_eq "$CODE" 200 "linkType=all"
req GET "$BASE/01/$GTIN13?linkType=linkset"
expect_eq "$CODE" 200 "product linkset"
validate "$GS1/gs1-linkset-schema.json" "$E2E_DIR/b"
expect_eq "$(jq_py "$E2E_DIR/b" '[e["anchor"] for e in d["linkset"]]')" "['$ROOT/01/$GTIN']" "product anchors"
req GET "$BASE/01/$GTIN/10/L2406A?linkType=linkset"
validate "$GS1/gs1-linkset-schema.json" "$E2E_DIR/b"
expect_eq "$(jq_py "$E2E_DIR/b" 'len(d["linkset"])')" 2 "lot levels"
req HEAD "$BASE$LBL?linkType=linkset"
expect_eq "$CODE" 200 "HEAD linkset"
expect_eq "$(header Content-Type)" "application/linkset+json" "HEAD Content-Type"
linkset_headers "$ROOT$LBL"

test_begin "the linkset links a JSON-LD context that the service serves"
req GET "$BASE$LBL?linkType=linkset"
linkset_headers "$ROOT$LBL"
req GET "$BASE/01/$GTIN" -H 'Accept: application/linkset+json'
linkset_headers "$ROOT/01/$GTIN"
# redirects and 404s link the linkset alone
req GET "$BASE$LBL"
expect_eq "$CODE" 307 "redirect"
dl_headers "$ROOT$LBL"
ctx=$(header Link | sed -n 's/.*, <\([^>]*\)>; rel="http:\/\/www.w3.org\/ns\/json-ld#context".*/\1/p')
req GET "$BASE/01/$GTIN?linkType=linkset"
ctx=$(header Link | sed -n 's/.*, <\([^>]*\)>; rel="http:\/\/www.w3.org\/ns\/json-ld#context".*/\1/p')
expect_eq "$ctx" "$ROOT/context/linkset.jsonld" "context URL"
req GET "$BASE${ctx#$ROOT}"
expect_eq "$CODE" 200 "context status"
expect_eq "$(header Content-Type)" "application/ld+json" "context Content-Type"
expect_eq "$(header Access-Control-Allow-Origin)" "*" "context ACAO"
expect_eq "$(header Access-Control-Allow-Methods)" "GET, HEAD, OPTIONS" "context ACAM"
expect_eq "$(jq_py "$E2E_DIR/b" 'sorted(d["@context"])')" \
	"['@version', 'anchor', 'dcterms', 'gs1', 'href', 'hreflang', 'itemDescription', 'linkset', 'title', 'type']" "context terms"
expect_eq "$(jq_py "$E2E_DIR/b" '(d["@context"]["linkset"], d["@context"]["anchor"], d["@context"]["href"])')" \
	"('@graph', '@id', '@id')" "linkset as a graph of anchors and hrefs"
# every key of a linkset is a term of the context or an absolute IRI
req GET "$BASE$LBL?linkType=linkset"
cp "$E2E_DIR/b" "$E2E_DIR/ls.json"
req GET "$BASE${ctx#$ROOT}"
expect_eq "$("$PY" -c 'import json,sys
ctx = json.load(open(sys.argv[1]))["@context"]
ls = json.load(open(sys.argv[2]))
keys = set(ls)
for e in ls["linkset"]:
    keys |= set(e)
    for k, v in e.items():
        if isinstance(v, list):
            for l in v:
                keys |= set(l)
print(sorted(k for k in keys if k not in ctx and not k.startswith("https://")))' "$E2E_DIR/b" "$E2E_DIR/ls.json")" "[]" "keys without a term"
req HEAD "$BASE${ctx#$ROOT}"
expect_eq "$CODE" 200 "context HEAD"
req OPTIONS "$BASE${ctx#$ROOT}"
expect_eq "$CODE" 204 "context OPTIONS"
expect_eq "$(header Allow)" "GET, HEAD, OPTIONS" "context Allow"
req POST "$BASE${ctx#$ROOT}"
expect_eq "$CODE" 405 "context POST"

test_begin "link types: at the request's level or above, else 404"
req GET "$BASE$LBL?linkType=gs1:certificationInfo"
expect_eq "$CODE" 307 "gs1:certificationInfo"
expect_eq "$(header Location)" "$ROOT/L/$S?linkType=gs1:certificationInfo" "Location"
dl_headers "$ROOT$LBL"
req GET "$BASE$LBL?lang=en&linkType=https%3A%2F%2Fref.gs1.org%2Fvoc%2Fpip"
expect_eq "$CODE" 307 "ref.gs1.org pip"
expect_eq "$(header Location)" "$ROOT/P/$GTIN?lang=en&linkType=https%3A%2F%2Fref.gs1.org%2Fvoc%2Fpip" "Location"
req GET "$BASE$LBL?linkType=https://gs1.org/voc/defaultLink"
expect_eq "$CODE" 307 "gs1.org defaultLink"
expect_eq "$(header Location)" "$ROOT/L/$S?linkType=https://gs1.org/voc/defaultLink" "Location"
req GET "$BASE/01/$GTIN?linkType=gs1:certificationInfo"
expect_eq "$CODE" 404 "certificationInfo at product level"
dl_headers "$ROOT/01/$GTIN"
req GET "$BASE$LBL?linkType=gs1:allergenInfo"
expect_eq "$CODE" 404 "a type we do not have"
req GET "$BASE$LBL?linkType=nonsense"
expect_eq "$CODE" 404 "not a link type"

test_begin "OPTIONS: 204 with Allow and the same headers"
req OPTIONS "$BASE$LBL"
expect_eq "$CODE" 204 "status"
expect_eq "$(header Allow)" "GET, HEAD, OPTIONS" "Allow"
dl_headers "$ROOT$LBL"
req OPTIONS "$BASE/01/$GTIN13"
expect_eq "$CODE" 204 "status at product level"
dl_headers "$ROOT/01/$GTIN"
req POST "$BASE/01/$GTIN"
expect_eq "$CODE" 405 "POST"

test_begin "/.well-known/gs1resolver: valid against GS1's schema"
req GET "$BASE/.well-known/gs1resolver"
expect_eq "$CODE" 200 "status"
expect_eq "$(header Content-Type | cut -d';' -f1)" "application/json" "Content-Type"
validate "$GS1/description-file-schema.json" "$E2E_DIR/b"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["resolverRoot"]')" "$ROOT" "resolverRoot"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["supportedPrimaryKeys"]')" "['01']" "supportedPrimaryKeys"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["supportedLinkType"]')" \
	"[{'namespace': 'https://ref.gs1.org/voc/', 'prefix': 'gs1:'}]" "supportedLinkType"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["linkTypeDefaultCanBeLinkset"]')" False "linkTypeDefaultCanBeLinkset"
expect_eq "$(jq_py "$E2E_DIR/b" 'bool(d["name"]) and bool(d["contact"]["fn"])')" True "name and contact"

test_begin "the label page behind the redirect records the scan"
req GET "$BASE$LBL"
loc=$(header Location)
req GET "$BASE${loc#$ROOT}" -H 'Accept: application/json'
expect_eq "$CODE" 200 "label page"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["verdict"]')" valid "verdict"
expect_eq "$(jq_py "$E2E_DIR/b" 'd["scans"]["count"]')" 1 "scans"
