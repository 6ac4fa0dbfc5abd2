#!/usr/bin/env bash
# ocop label issue|void: every label of a batch decoded by a real scanner
# in each format (zbarimg on the PNGs, on the SVGs through rsvg-convert, on
# the PDF pages through pdftoppm), the manifest, refusals, options, batch
# atomicity under injected failures and signals, serial collisions, voids.
. "$(dirname "$0")/lib.sh"
export OCOP_NOW=2026-06-01T09:00:00+07:00
PY=/usr/bin/python3
D=$E2E_DIR

count() { db_rows "$1"; }
# decode FILE: the text of the one QR code in FILE
decode() { zbarimg --raw -q "$1" 2>/dev/null; }
# urls DIR: the manifest's URLs, sorted
urls() { tail -n +2 "$1/labels.csv" | cut -d, -f2 | sort; }

test_begin "labels: setup"
for tool in zbarimg rsvg-convert pdftoppm pdfinfo pdffonts pdftotext sqlite3; do
	command -v $tool >/dev/null || fail "$tool is not installed"
done
[ -x $PY ] || fail "$PY is not installed"
cat >"$D/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
T-GTIN,Mắm cá linh Hồng Ngự đặc biệt loại ngon truyền thống,I,8930000000019,HTX Thủy sản Hồng Ngự,HTX,Đồng Tháp,Hồng Ngự,4,1446/QĐ-UBND-HC,2024-03-01,UBND tỉnh Đồng Tháp,
T-PLAIN,Bánh phồng tôm Sa Giang,I,,Công ty Sa Giang,DN,Đồng Tháp,Sa Đéc,3,100/QĐ-UBND,2025-01-10,UBND tỉnh Đồng Tháp,
T-LAPSED,Trà sen,II,,Hộ Nguyễn Văn A,hộ,Đồng Tháp,Cao Lãnh,3,5/QĐ-UBND,2020-01-10,UBND tỉnh Đồng Tháp,
T-REVOKED,Kẹo dừa,I,,HTX Kẹo dừa,HTX,Đồng Tháp,Cao Lãnh,4,6/QĐ-UBND,2025-02-01,UBND tỉnh Đồng Tháp,
EOF
expect_rc 0 "$OCOP" init
expect_rc 0 "$OCOP" registry import "$D/reg.csv"
expect_rc 0 "$OCOP" cert revoke T-REVOKED --decision 9/QĐ-UBND --date 2026-05-01 --ground c

test_begin "label issue png: every PNG decodes to its manifest URL"
expect_rc 0 "$OCOP" label issue T-GTIN --count 30 --lot l2406a --format png \
	--module-px 4 --dpi 300 --out "$D/png"
B1=$(cat "$D/last.out")
[[ "$B1" =~ ^[0-9]+$ ]] || fail "stdout is not a batch id: '$B1'"
expect_eq "$(head -1 "$D/png/labels.csv")" "serial,url,lot,stars" "manifest header"
expect_eq "$(tail -n +2 "$D/png/labels.csv" | wc -l)" 30 "manifest rows"
expect_eq "$(ls -A "$D/png" | wc -l)" 31 "files: 30 PNG and the manifest, nothing else"
expect_eq "$(tail -n +2 "$D/png/labels.csv" | cut -d, -f1 | sort -u | wc -l)" 30 "distinct serials"
n=0
while IFS=, read -r serial url lot stars; do
	expect_eq "$url" "HTTP://LOCALHOST:8080/01/08930000000019/10/L2406A/21/$serial" "url of $serial"
	expect_eq "$lot,$stars" "L2406A,4" "lot and stars of $serial"
	[ -f "$D/png/$serial.png" ] || fail "no $serial.png"
	expect_eq "$(decode "$D/png/$serial.png")" "$url" "decoded $serial.png"
	n=$((n + 1))
done < <(tail -n +2 "$D/png/labels.csv")
expect_eq "$n" 30 "labels decoded"
expect_eq "$(count batches)" 1 "batches stored"
expect_eq "$(count labels)" 30 "labels stored"
expect_eq "$(label_field "$(sed -n 2p "$D/png/labels.csv" | cut -d, -f1)" label.printed_stars label.lot label.batch)" "4|L2406A|$B1" "the batch of a label"

test_begin "label issue png: 1-bit gray, 4-module quiet zone, pHYs from --dpi"
first=$(sed -n 2p "$D/png/labels.csv" | cut -d, -f1)
out=$($PY - "$D/png/$first.png" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
i, chunks, idat = 8, {}, b''
while i < len(d):
    n, = struct.unpack('>I', d[i:i+4]); t = d[i+4:i+8]
    chunks[t] = d[i+8:i+8+n]; i += 12 + n
    if t == b'IDAT': idat += chunks[t]
w, h, depth, color = struct.unpack('>IIBB', chunks[b'IHDR'][:10])
px, py, unit = struct.unpack('>IIB', chunks[b'pHYs'])
raw = zlib.decompress(idat); rb = (w + 7) // 8
def pixel(x, y):  # 1 = white
    return (raw[y * (rb + 1) + 1 + x // 8] >> (7 - x % 8)) & 1
q = 16  # 4 modules of 4 px
white = all(pixel(x, y) for y in range(h) for x in range(w)
            if x < q or y < q or x >= w - q or y >= h - q)
dark_inside = not pixel(q, q) and not pixel(w - q - 1, q)
print(w, h, depth, color, px, py, unit, w % 4, white and dark_inside)
EOF
)
set -- $out
modules=$(($1 / 4))
expect_eq "$1 $2 $3 $4" "$1 $1 1 0" "square 1-bit grayscale"
expect_eq "$5 $6 $7" "11811 11811 1" "pHYs: 300 dpi in pixels a metre"
expect_eq "$8" 0 "width is whole modules"
expect_eq "$9" True "quiet zone is white"
expect_eq "$modules" 41 "version 4 symbol (33 modules) and 8 quiet modules"

test_begin "label issue svg: one path each, decoded after rsvg-convert"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 12 --format svg --out "$D/svg"
expect_eq "$(ls -A "$D/svg" | wc -l)" 13 "files: 12 SVG and the manifest"
n=0
while IFS=, read -r serial url lot stars; do
	f="$D/svg/$serial.svg"
	expect_eq "$url" "HTTP://LOCALHOST:8080/L/$serial" "URL without GTIN"
	expect_eq "$lot,$stars" ",3" "no lot, 3 stars"
	expect_eq "$(grep -o '<path' "$f" | wc -l)" 1 "paths in $serial.svg"
	expect_contains "$f" 'viewBox="0 0 37 37"'
	expect_contains "$f" 'shape-rendering="crispEdges"'
	rsvg-convert -w 370 -h 370 -o "$D/svg.png" "$f" || fail "rsvg-convert $f"
	expect_eq "$(decode "$D/svg.png")" "$url" "decoded $serial.svg"
	n=$((n + 1))
done < <(tail -n +2 "$D/svg/labels.csv")
expect_eq "$n" 12 "labels decoded"

test_begin "label issue pdf: A4 sheets, every label decoded from the pages"
expect_rc 0 "$OCOP" label issue T-GTIN --count 60 --out "$D/pdf"
B3=$(cat "$D/last.out")
expect_eq "$(ls -A "$D/pdf" | sort | tr '\n' ' ')" "labels.csv labels.pdf " "files"
pdfinfo "$D/pdf/labels.pdf" >"$D/info" || fail "pdfinfo"
expect_contains "$D/info" "595.276 x 841.89 pts (A4)"
pages=$(awk '/^Pages:/ {print $2}' "$D/info")
[ "${pages:-0}" -ge 2 ] || fail "60 labels on $pages pages"
pdffonts "$D/pdf/labels.pdf" >"$D/fonts" || fail "pdffonts"
expect_contains "$D/fonts" "DejaVuSans-Bold"
expect_contains "$D/fonts" "DejaVuSansMono-Bold"
grep -q "+DejaVuSans " "$D/fonts" || fail "DejaVu Sans not embedded"
expect_eq "$(tail -n +3 "$D/fonts" | awk '$(NF-4) != "yes"' | wc -l)" 0 "fonts not embedded"
rm -f "$D"/page-*.png
pdftoppm -png -r 300 "$D/pdf/labels.pdf" "$D/page" || fail "pdftoppm"
for p in "$D"/page-*.png; do decode "$p"; done | sort >"$D/decoded"
urls "$D/pdf" >"$D/manifest"
expect_eq "$(wc -l <"$D/decoded")" 60 "symbols decoded"
expect_eq "$(cat "$D/decoded")" "$(cat "$D/manifest")" "decoded URLs = manifest URLs"
grep -q "/10/" "$D/manifest" && fail "no lot given, yet a /10/ in a URL"
pdftotext "$D/pdf/labels.pdf" "$D/text" || fail "pdftotext"
expect_contains "$D/text" "OCOP ★★★★"
expect_contains "$D/text" "Quét mã để xác thực"
expect_contains "$D/text" "Mắm cá linh Hồng Ngự"
expect_contains "$D/text" "Tờ 1/$pages · Sheet 1 of $pages"
while IFS=, read -r serial url lot stars; do
	g="${serial:0:4}-${serial:4:4}-${serial:8:4}-${serial:12:4}"
	grep -qF "$g" "$D/text" || fail "grouped serial $g not printed"
done < <(tail -n +2 "$D/pdf/labels.csv")
# where to type the code, on the line under each serial (SPEC 5.0)
expect_eq "$(grep -c '^Nhập mã tại localhost:8080$' "$D/text")" 60 "host lines"
pdftotext -layout "$D/pdf/labels.pdf" "$D/text" || fail "pdftotext"
n=0
prev=
while IFS= read -r line; do
	a=$(grep -oE '[0-9A-Z]{4}(-[0-9A-Z]{4}){3}' <<<"$prev" | wc -l)
	b=$(grep -oF 'Nhập mã tại localhost:8080' <<<"$line" | wc -l)
	[ "$a" -gt 0 ] && [ "$a" -eq "$b" ] && n=$((n + a))
	prev=$line
done <"$D/text"
expect_eq "$n" 60 "host under each serial"

test_begin "label issue pdf: other sizes and resolutions decode too"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 4 --size-mm 20 --dpi 300 --out "$D/pdf20"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 4 --size-mm 60 --dpi 1200 --out "$D/pdf60"
for dir in pdf20 pdf60; do
	rm -f "$D"/page-*.png
	pdftoppm -png -r 300 "$D/$dir/labels.pdf" "$D/page"
	for p in "$D"/page-*.png; do decode "$p"; done | sort >"$D/decoded"
	expect_eq "$(cat "$D/decoded")" "$(urls "$D/$dir")" "$dir decoded"
done

test_begin "label issue pdf: the host of the base URL, legible at 20 mm"
expect_rc 0 "$OCOP" init --base-url https://ocop.example.vn
for size in 20 30; do
	expect_rc 0 "$OCOP" label issue T-PLAIN --count 2 --size-mm $size \
		--out "$D/host$size"
	pdftotext -layout "$D/host$size/labels.pdf" "$D/text" || fail "pdftotext"
	expect_eq "$(grep -o 'Nhập mã tại ocop.example.vn' "$D/text" | wc -l)" 2 "host lines at $size mm"
	rm -f "$D"/page-*.png
	pdftoppm -png -r 300 "$D/host$size/labels.pdf" "$D/page"
	for p in "$D"/page-*.png; do decode "$p"; done | sort >"$D/decoded"
	expect_eq "$(cat "$D/decoded")" "$(urls "$D/host$size")" "decoded at $size mm"
	grep -q '^HTTPS://OCOP.EXAMPLE.VN/' "$D/decoded" || fail "URLs on the new base"
done
# a host too long for the lead at 20 mm is printed alone, whole
expect_rc 0 "$OCOP" init --base-url https://truyxuat-ocop.dongthap.gov.vn:8443
expect_rc 0 "$OCOP" label issue T-PLAIN --count 1 --size-mm 20 --out "$D/hostlong"
pdftotext "$D/hostlong/labels.pdf" "$D/text" || fail "pdftotext"
expect_eq "$(grep -c '^truyxuat-ocop.dongthap.gov.vn:8443$' "$D/text")" 1 "long host alone"
expect_rc 0 "$OCOP" init --base-url http://localhost:8080

test_begin "label issue csv: the manifest alone"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 5 --format csv --out "$D/csv"
expect_eq "$(ls -A "$D/csv")" "labels.csv" "files"
expect_eq "$(tail -n +2 "$D/csv/labels.csv" | wc -l)" 5 "rows"

test_begin "label issue: --out and its missing parents are created (SPEC 4)"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 3 --format csv --out "$D/a/b/c"
expect_eq "$(ls -A "$D/a/b/c")" "labels.csv" "files in a/b/c"
expect_eq "$(ls -A "$D/a/b")" "c" "nothing hidden left beside c"
expect_eq "$(tail -n +2 "$D/a/b/c/labels.csv" | wc -l)" 3 "rows"
# a batch that fails leaves none of the directories it made
OCOP_FAIL_AFTER_ROWS=1 expect_rc 70 "$OCOP" label issue T-PLAIN --count 3 --format csv --out "$D/x/y/z"
[ -e "$D/x" ] && fail "x left behind after a failed batch"
# a parent that is a file: the error names it
touch "$D/afile"
expect_rc 73 "$OCOP" label issue T-PLAIN --count 3 --format csv --out "$D/afile/b/c"
expect_contains "$D/last.err" "afile"

test_begin "label issue: refused without a recognition in force today"
before="$(count batches) $(count labels)"
expect_rc 65 "$OCOP" label issue T-LAPSED --count 3 --out "$D/r1"
expect_contains "$D/last.err" "T-LAPSED"
expect_contains "$D/last.err" "none is in force today"
expect_rc 65 "$OCOP" label issue T-REVOKED --count 3 --out "$D/r2"
expect_contains "$D/last.err" "was revoked on 2026-05-01"
expect_rc 65 "$OCOP" label issue NO-SUCH --count 3 --out "$D/r3"
expect_contains "$D/last.err" "unknown product 'NO-SUCH'"
expect_eq "$(count batches) $(count labels)" "$before" "nothing stored"
for r in r1 r2 r3; do [ -e "$D/$r" ] && fail "$r created"; done

test_begin "label issue: option checks"
expect_rc 65 "$OCOP" label issue T-GTIN --count 0 --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 1000001 --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count ten --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --lot 'A B' --out "$D/o1"
expect_contains "$D/last.err" "invalid lot"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --lot 123456789012345678901 --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --format jpeg --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --size-mm 10 --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --module-px 0 --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --dpi 50 --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --made 2026-02-30 --out "$D/o1"
expect_rc 65 "$OCOP" label issue T-GTIN --count 2 --made 2026-05-01 --best-before 2026-04-01 --out "$D/o1"
expect_contains "$D/last.err" "best-before"
expect_rc 64 "$OCOP" label issue T-GTIN --count 2
expect_rc 64 "$OCOP" label issue T-GTIN --out "$D/o1"
expect_rc 64 "$OCOP" label issue --count 2 --out "$D/o1"
expect_rc 64 "$OCOP" label frobnicate
expect_rc 0 "$OCOP" label --help
expect_contains "$D/last.out" "ocop label issue CODE --count N"
# a directory holding another batch's manifest is refused, untouched
before=$(md5sum "$D/csv/labels.csv")
expect_rc 73 "$OCOP" label issue T-PLAIN --count 2 --format csv --out "$D/csv"
expect_contains "$D/last.err" "already holds"
expect_eq "$(md5sum "$D/csv/labels.csv")" "$before" "earlier manifest"
expect_eq "$(ls -A "$D/csv")" "labels.csv" "nothing added"

test_begin "label issue: made and best-before dates are stored"
expect_rc 0 "$OCOP" label issue T-PLAIN --count 1 --format csv --made 2026-05-20 --best-before 2027-05-19 --out "$D/dates"
b=$(cat "$D/last.out")
expect_eq "$(label_field "$(sed -n 2p "$D/dates/labels.csv" | cut -d, -f1)" label.made_on label.best_before label.batch)" \
	"2026-05-20|2027-05-19|$b" "batch dates"

test_begin "label issue: an injected failure mid-batch leaves no label, no batch, no file"
for fmt in png svg pdf csv; do
	before="$(count batches) $(count labels)"
	OCOP_FAIL_AFTER_LABELS=7 expect_rc 73 "$OCOP" label issue T-GTIN --count 20 --format $fmt --out "$D/fail-$fmt"
	expect_contains "$D/last.err" "injected failure"
	expect_eq "$(count batches) $(count labels)" "$before" "$fmt: rows after the failure"
	expect_eq "$(ls -A "$D/fail-$fmt" 2>/dev/null)" "" "$fmt: files left"
	expect_eq "$(compgen -G "$D/.ocop-issue-*")" "" "$fmt: temporary directory left"
done
before="$(count batches) $(count labels)"
OCOP_FAIL_AFTER_ROWS=5 expect_rc 70 "$OCOP" label issue T-GTIN --count 20 --format png --out "$D/fail-rows"
expect_contains "$D/last.err" "injected failure"
expect_eq "$(count batches) $(count labels)" "$before" "rows after a failure in the transaction"
expect_eq "$(ls -A "$D/fail-rows" 2>/dev/null)" "" "files left"
expect_eq "$(compgen -G "$D/.ocop-issue-*")" "" "temporary directory left"
# the same directory works once the failure is gone
expect_rc 0 "$OCOP" label issue T-GTIN --count 20 --format png --out "$D/fail-rows"
expect_eq "$(ls "$D/fail-rows" | wc -l)" 21 "files after a good run"

test_begin "label issue: into a directory that exists, empty or not"
mkdir -p "$D/existing/sub"
echo keep >"$D/existing/notes.txt"
expect_rc 0 "$OCOP" label issue T-GTIN --count 300 --format png --out "$D/existing"
expect_eq "$(ls -A "$D/existing" | grep -c '\.png$')" 300 "PNG files"
expect_eq "$(ls -A "$D/existing" | grep -v '\.png$' | tr '\n' ' ')" "labels.csv notes.txt sub " "other entries"
expect_eq "$(cat "$D/existing/notes.txt")" "keep" "a file already there"
last=$(tail -1 "$D/existing/labels.csv")
expect_eq "$(decode "$D/existing/${last%%,*}.png")" "$(echo "$last" | cut -d, -f2)" "decoded last label"
OCOP_FAIL_AFTER_LABELS=7 expect_rc 73 "$OCOP" label issue T-GTIN --count 20 --format png --out "$D/existing/sub"
expect_eq "$(ls -A "$D/existing/sub")" "" "failure into an existing empty directory: files left"

test_begin "label issue: a signal mid-batch rolls back, a kill leaves no rows"
before="$(count batches) $(count labels)"
"$OCOP" label issue T-GTIN --count 40000 --format png --out "$D/sig" >/dev/null 2>"$D/sig.err" &
pid=$!
for _ in $(seq 1 400); do
	compgen -G "$D/.ocop-issue-*/*.png" >/dev/null && break
	sleep 0.01
done
kill -TERM $pid
wait $pid
expect_eq "$?" 143 "exit status after SIGTERM"
expect_eq "$(count batches) $(count labels)" "$before" "rows after SIGTERM"
expect_eq "$(ls -A "$D/sig" 2>/dev/null)" "" "files after SIGTERM"
expect_eq "$(compgen -G "$D/.ocop-issue-*")" "" "temporary directory after SIGTERM"
"$OCOP" label issue T-GTIN --count 40000 --format png --out "$D/kill" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 400); do
	compgen -G "$D/.ocop-issue-*/*.png" >/dev/null && break
	sleep 0.01
done
kill -KILL $pid
wait $pid 2>/dev/null
expect_eq "$(count batches) $(count labels)" "$before" "rows after SIGKILL"
expect_eq "$(ls "$D/kill" 2>/dev/null)" "" "visible files after SIGKILL"
rm -rf "$D/kill" "$D"/.ocop-issue-*

test_begin "label issue: a serial already taken is drawn again"
taken=$(sed -n 2p "$D/png/labels.csv" | cut -d, -f1)
before=$(count labels)
OCOP_TEST_FIRST_SERIAL=$taken expect_rc 0 "$OCOP" label issue T-PLAIN --count 5 --format csv --out "$D/coll"
expect_eq "$(tail -n +2 "$D/coll/labels.csv" | wc -l)" 5 "manifest rows"
grep -q "^$taken," "$D/coll/labels.csv" && fail "taken serial reused"
expect_eq "$(count labels)" $((before + 5)) "labels stored"
expect_eq "$(label_field "$taken" label.batch)" "$B1" "the taken serial's batch"
# the manifest and the database agree
for s in $(tail -n +2 "$D/coll/labels.csv" | cut -d, -f1); do
	expect_eq "$(label_field "$s" serial verdict)" "$s|valid" "stored $s"
done

test_begin "label void: one label, then its whole batch"
s1=$(sed -n 2p "$D/pdf/labels.csv" | cut -d, -f1)
s2=$(sed -n 3p "$D/pdf/labels.csv" | cut -d, -f1)
expect_rc 0 "$OCOP" verify "$s1"
OCOP_NOW=2026-06-02T10:00:00+07:00 expect_rc 0 "$OCOP" label void "${s1,,}" --reason "in hỏng"
OCOP_NOW=2026-06-03T10:00:00+07:00 expect_rc 1 "$OCOP" verify --json "$s1"
expect_contains "$D/last.out" '"verdict":"voided"'
expect_contains "$D/last.out" '"voided_at":"2026-06-02T10:00:00+07:00"'
# voiding again keeps the first time
OCOP_NOW=2026-06-05T10:00:00+07:00 expect_rc 0 "$OCOP" label void "$s1"
expect_contains "$D/last.err" "already voided"
OCOP_NOW=2026-06-06T10:00:00+07:00 expect_rc 1 "$OCOP" verify --json "$s1"
expect_contains "$D/last.out" '"voided_at":"2026-06-02T10:00:00+07:00"'
# before the void the label was valid
expect_rc 0 "$OCOP" verify "$s1" --at 2026-06-02T09:59:59+07:00
expect_rc 0 "$OCOP" verify "$s2"
OCOP_NOW=2026-06-04T10:00:00+07:00 expect_rc 0 "$OCOP" label void --batch "$B3" --reason "thu hồi lô"
expect_contains "$D/last.err" "60 labels"
OCOP_NOW=2026-06-05T10:00:00+07:00 expect_rc 1 "$OCOP" verify --json "$s2"
expect_contains "$D/last.out" '"reason":"batch_voided"'
expect_eq "$(sqlite3 "$OCOP_DB" "SELECT void_reason FROM batches WHERE id = $B3")" "thu hồi lô" "reason stored"
# the label voided first keeps its own, earlier time
OCOP_NOW=2026-06-05T10:00:00+07:00 expect_rc 1 "$OCOP" verify --json "$s1"
expect_contains "$D/last.out" '"voided_at":"2026-06-02T10:00:00+07:00"'
# other batches are untouched
expect_rc 0 "$OCOP" verify "$taken"

test_begin "label void: bad input"
expect_rc 65 "$OCOP" label void 0000-0000-0000-0000
expect_contains "$D/last.err" "no label has serial"
bad=${s1:0:15}$([ "${s1:15:1}" = 0 ] && echo 1 || echo 0)
expect_rc 65 "$OCOP" label void "$bad"
expect_contains "$D/last.err" "mistyped"
expect_rc 65 "$OCOP" label void ABC
expect_rc 65 "$OCOP" label void --batch 99999
expect_rc 65 "$OCOP" label void --batch abc
expect_rc 64 "$OCOP" label void "$s1" --batch "$B3"
expect_rc 64 "$OCOP" label void

test_begin "label issue: the stars printed are those in force today"
expect_rc 0 "$OCOP" cert grant T-GTIN --stars 5 --decision 88/QĐ-BNNMT --date 2026-05-15
expect_rc 0 "$OCOP" label issue T-GTIN --count 3 --format csv --out "$D/five"
expect_eq "$(tail -n +2 "$D/five/labels.csv" | cut -d, -f4 | sort -u)" 5 "stars in the manifest"
# a 4-star label of before is still valid (at least the printed stars)
expect_rc 0 "$OCOP" verify "$taken"
