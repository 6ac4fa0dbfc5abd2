#!/usr/bin/env bash
# Copied labels (SPEC 5.0): a label scanned from the clones report's
# minimum number of distinct places (3) within its window (7 days) is
# flagged "suspect_copy" on its record; places are consumers' networks
# (X-Forwarded-For from the proxy on this host) and inspectors' places.
# The clones report counts the same places.
. "$(dirname "$0")/lib.sh"

BODY=$E2E_DIR/body
json() {
	/usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d=d[int(k)] if isinstance(d,list) else d[k]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)' "$BODY" "$1"
}
# scan SERIAL CLIENT_ADDRESS: a consumer's GET through the proxy, JSON
# record in $BODY; prints the status
scan() {
	curl -s -o "$BODY" -w '%{http_code}' -H 'Accept: application/json' \
		-H "X-Forwarded-For: $2" "$BASE/L/$1"
}
# suspect SERIAL: suspect_copy of the record that records nothing
suspect() {
	curl -s -o "$BODY" "$BASE/api/v1/labels/$1"
	json suspect_copy
}

export OCOP_NOW=2026-06-01T10:00:00+07:00

test_begin "copies setup"
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$ASSETS/demo/registry.csv"
OCOP_NOW=2026-05-01T10:00:00+07:00 expect_rc 0 "$OCOP" label issue \
	87-30571-001-2019 --count 5 --format csv --out "$E2E_DIR/labels"
mapfile -t S < <(tail -n +2 "$E2E_DIR/labels/labels.csv" | cut -d, -f1)
expect_eq "${#S[@]}" 5 labels
INSPECTOR=$("$OCOP" token create --role inspector 2>/dev/null)
[ -n "$INSPECTOR" ] || fail "no inspector token"
start_server --rate-limit 0 || exit 1

test_begin "two networks, many scans: not a copy"
for ip in 203.0.113.5 203.0.113.77 198.51.100.9 203.0.113.5 198.51.100.200; do
	expect_eq "$(scan "${S[0]}" "$ip")" 200 status
	expect_eq "$(json suspect_copy)" false "suspect after a scan from $ip"
done
expect_eq "$(json scans.count)" 5 count
expect_eq "$(suspect "${S[0]}")" false "record without a scan"
# a scan with no proxy (this host's network) is a third place
expect_eq "$(curl -s -o "$BODY" -w '%{http_code}' -H 'Accept: application/json' "$BASE/L/${S[1]}")" 200 status
expect_eq "$(json suspect_copy)" false "one scan"

test_begin "a third network: a copy, on the scan that makes it one"
expect_eq "$(scan "${S[0]}" 192.0.2.44)" 200 status
expect_eq "$(json suspect_copy)" true "suspect on the third network"
expect_eq "$(json verdict)" valid "the verdict stays"
expect_eq "$(suspect "${S[0]}")" true "stored"
expect_eq "$(scan "${S[0]}" 203.0.113.5)" 200 status
expect_eq "$(json suspect_copy)" true "still suspect"
# the page says so too (a 200 with the verdict)
expect_eq "$(curl -s -o "$BODY" -w '%{http_code}' -H 'X-Forwarded-For: 203.0.113.9' "$BASE/L/${S[0]}")" 200 "page status"
expect_eq "$(db_scans net --code "${S[0]}" | grep -v '^$' | sort -u | wc -l)" 3 "networks stored"
# the other labels are untouched
expect_eq "$(suspect "${S[1]}")" false "another label"

test_begin "inspectors' places count; their networks do not"
post() {
	curl -s -o "$BODY" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $INSPECTOR" \
		-H 'Content-Type: application/json' -d "$1" "$BASE/api/v1/scans"
}
expect_eq "$(scan "${S[2]}" 203.0.113.5)" 200 status
expect_eq "$(post '{"scans":[{"id":"c-1","code":"'"${S[2]}"'","scanned_at":"2026-05-30T09:00:00+07:00","place":"Chợ Sa Đéc"},
 {"id":"c-2","code":"'"${S[2]}"'","scanned_at":"2026-05-31T09:00:00+07:00"},
 {"id":"c-3","code":"'"${S[3]}"'","scanned_at":"2026-05-31T09:00:00+07:00","place":"Chợ Cao Lãnh"}]}')" 200 "batch"
# a consumer's network and one inspector's place: two
expect_eq "$(suspect "${S[2]}")" false "two places"
expect_eq "$(post '{"scans":[{"id":"c-4","code":"'"${S[2]}"'","scanned_at":"2026-06-01T08:00:00+07:00","place":"Chợ Hồng Ngự"}]}')" 200 "batch"
expect_eq "$(suspect "${S[2]}")" true "three places"
# re-sent: stored once, nothing changes
expect_eq "$(post '{"scans":[{"id":"c-4","code":"'"${S[2]}"'","scanned_at":"2026-06-01T08:00:00+07:00","place":"Chợ Hồng Ngự"}]}')" 200 "re-sent"
expect_eq "$(json results.0.duplicate)" true duplicate
expect_eq "$(suspect "${S[3]}")" false "one place"

test_begin "the window is the 7 days that end at the scan"
stop_server || fail "server stop"
# the places of the first label were seen on 1 June only
export OCOP_NOW=2026-06-07T23:59:00+07:00
start_server --rate-limit 0 || exit 1
expect_eq "$(suspect "${S[0]}")" true "7 June: the window still holds 1 June"
stop_server || fail "server stop"
export OCOP_NOW=2026-06-08T00:01:00+07:00
start_server --rate-limit 0 || exit 1
expect_eq "$(suspect "${S[0]}")" false "8 June: 1 June has left the window"
expect_eq "$(scan "${S[0]}" 203.0.113.5)" 200 status
expect_eq "$(json suspect_copy)" false "one network this week"
# an unknown serial has no such key (SPEC 5: four keys)
expect_eq "$(scan 0000-0000-0000-0001 203.0.113.5)" 404 "unknown"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sorted(d) == ["checked_at","reason","serial","verdict"] else 1)' "$BODY" ||
	fail "unknown record keys: $(cat "$BODY")"
stop_server || fail "server stop"

test_begin "the clones report counts the same places"
expect_rc 0 "$OCOP" report clones --as-of 2026-06-08 --format json
cp "$E2E_DIR/last.out" "$BODY"
got=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(e["serial"] for e in json.load(open(sys.argv[1]))["entries"])))' "$BODY")
want=$(printf '%s\n' "${S[0]}" "${S[2]}" | sort | tr '\n' ' ' | sed 's/ $//')
expect_eq "$got" "$want" "clones"
expect_contains "$BODY" '"203.0.113.0/24"'
expect_contains "$BODY" '"Chợ Hồng Ngự"'
