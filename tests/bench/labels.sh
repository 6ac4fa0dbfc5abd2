#!/usr/bin/env bash
# Label issuing speed, in one run:
#  - labels/s of `ocop label issue --format png` for a 5,000-label batch
#    (the whole command: serials, QR, PNG files, manifest, sync, commit);
#  - the naive way a producer would script it: a shell loop reading the
#    batch's labels.csv and running one `qrencode -l M -s 8 -m 4 -o FILE
#    URL` process per row, over the same 5,000 URLs, into a new directory
#    on the same file system (nothing extrapolated);
#  - their ratio per label (target >= 35x);
#  - what one label's parts cost on one thread (build/bench/label_parts:
#    QR, PNG, file) and so the highest ratio those parts allow on this
#    machine's cores, however the work is arranged;
#  - the time of a 10,000-label PDF (target < 5 s).
# Each ocop figure is the median of 3 runs; the naive loop runs once, its
# 5,000 processes between the first and the second ocop run, so both see
# the same conditions. Both sides write new directories and nothing is
# deleted until the end (see W below). The machine's load is printed with
# the figures: on a busy 2-core box they vary by tens of percent.
set -u
OCOP=${OCOP_BIN:?OCOP_BIN is set by tests/bench/run}
# The work directory is beside the binary, not in /tmp: the tests create
# and delete tens of thousands of files in /tmp, and for some minutes after
# that ext4 searches past the recently deleted inodes of those block groups
# for every file created there, which would measure the tests, not us.
W=$(mktemp -d "$(dirname "$OCOP")/labels-bench.XXXXXX")
# Both sides create their files in subdirectories of W, so in the same
# ext4 block groups. Creating a file in a group where thousands were just
# deleted took 450-650 us against 21 us in another group in the same
# minute (build/bench/label_parts); spreading the subdirectories over
# groups (chattr +T) gave one side a fresh group and the other a
# just-emptied one, so they stay together. A run soon after another, or
# after big deletions near the build directory, measures those deletions,
# for both sides. At the end the deletions are written back at once.
trap 'rm -rf "$W"' EXIT
export OCOP_DB="$W/bench.db"
export OCOP_NOW=2026-06-01T09:00:00+07:00
PNG_COUNT=5000
NAIVE_COUNT=${NAIVE_COUNT:-$PNG_COUNT}
PDF_COUNT=10000

for tool in qrencode python3; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
cat >"$W/reg.csv" <<'EOF'
code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until
B-1,Mắm cá linh Hồng Ngự,I,8930000000019,HTX Thủy sản Hồng Ngự,HTX,Đồng Tháp,Hồng Ngự,4,1446/QĐ-UBND-HC,2024-03-01,UBND tỉnh Đồng Tháp,
EOF
"$OCOP" init >/dev/null 2>&1 && "$OCOP" registry import "$W/reg.csv" >/dev/null 2>&1 ||
	{ echo "FAIL: cannot set up the database"; exit 1; }

now() { date +%s.%N; }
# median of the arguments
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
# run_issue FORMAT COUNT DIR: seconds taken by one ocop label issue. Each
# run writes a new directory: deleting thousands of files just before
# creating as many makes ext4 search past the recently deleted inodes.
run_issue() {
	local t0 t1
	# the files left unwritten by the run before (the naive loop's 5,000
	# are never synced) would be written back by this run's syncfs
	sync -f "$W"
	t0=$(now)
	"$OCOP" label issue B-1 --count "$2" --lot L2406A --format "$1" --out "$3" >/dev/null 2>"$W/err" ||
		{ echo "FAIL: ocop label issue: $(cat "$W/err")" >&2; return 1; }
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
trap 'rm -rf "$W"; sync -f "$(dirname "$W")"; echo "load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"' EXIT

# naive DIR: the producer's loop over the first $NAIVE_COUNT rows of a
# manifest, seconds taken
naive() {
	local t0 t1
	mkdir "$2"
	t0=$(now)
	tail -n +2 "$1/labels.csv" | head -n $NAIVE_COUNT |
		while IFS=, read -r serial url lot stars; do
			qrencode -l M -s 8 -m 4 -o "$2/$serial.png" "$url" || exit 1
		done || { echo "FAIL: qrencode" >&2; return 1; }
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

png=()
png+=("$(run_issue png $PNG_COUNT "$W/png1")") || exit 1
naive_s=$(naive "$W/png1" "$W/naive") || exit 1
for i in 2 3; do
	png+=("$(run_issue png $PNG_COUNT "$W/png$i")") || exit 1
done
png_s=$(median "${png[@]}")
for d in png1 png2 png3; do
	files=$(ls "$W/$d" | grep -c '\.png$')
	[ "$files" -eq $PNG_COUNT ] || { echo "FAIL: $d: $files PNG files"; exit 1; }
done
files=$(ls "$W/naive" | grep -c '\.png$')
[ "$files" -eq $NAIVE_COUNT ] || { echo "FAIL: naive: $files PNG files"; exit 1; }
parts=
if [ -x "${BENCH_BIN:-}/label_parts" ]; then
	parts=$("$BENCH_BIN/label_parts" "$W" $PNG_COUNT) || { echo "FAIL: label_parts"; exit 1; }
fi
least_us=$(echo "$parts" | sed -n 's/^least wall a label on [0-9]* cores: \([0-9.]*\) us.*/\1/p')

pdf=()
for i in 1 2 3; do
	pdf+=("$(run_issue pdf $PDF_COUNT "$W/pdf$i")") || exit 1
done
pdf_s=$(median "${pdf[@]}")
pages=$(python3 -c "
import re, sys
d = open(sys.argv[1], 'rb').read()
print(len(re.findall(rb'/Type /Page\b', d)))" "$W/pdf1/labels.pdf")

python3 - "$png_s" "$naive_s" "$pdf_s" "$pages" "$(du -k "$W/pdf1/labels.pdf" | cut -f1)" \
	"$(du -sk "$W/png1" | cut -f1)" "${png[*]}" "${pdf[*]}" "$(du -sk "$W/naive" | cut -f1)" "$parts" "${least_us:-0}" <<EOF
import sys
png_s, naive_s, pdf_s = map(float, sys.argv[1:4])
pages, pdf_kb, png_kb = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
naive_kb = int(sys.argv[9])
n, m, k = $PNG_COUNT, $NAIVE_COUNT, $PDF_COUNT
ours_us = png_s / n * 1e6
naive_us = naive_s / m * 1e6
ratio = naive_us / ours_us
print(f"PNG, ocop label issue --format png, {n} labels (median of 3: {sys.argv[7]} s)")
print(f"  {png_s:8.3f} s   {n / png_s:10.0f} labels/s   {ours_us:8.1f} us/label   {png_kb} KB")
print(f"naive, a shell loop over labels.csv running qrencode -l M -s 8 -m 4 once a row, {m} labels")
print(f"  {naive_s:8.3f} s   {m / naive_s:10.0f} labels/s   {naive_us:8.1f} us/label   {naive_kb} KB")
print(f"ratio per label: {ratio:.1f}x   (target >= 35x: {'met' if ratio >= 35 else 'NOT met'})")
parts, least = sys.argv[10], sys.argv[11]
if parts:
    print(parts)
    print(f"highest ratio those parts allow: {naive_us / float(least):.1f}x")
print(f"PDF, ocop label issue --format pdf, {k} labels, {pages} A4 sheets, {pdf_kb} KB (median of 3: {sys.argv[8]} s)")
print(f"  {pdf_s:8.3f} s   {k / pdf_s:10.0f} labels/s   (target < 5 s: {'met' if pdf_s < 5 else 'NOT met'})")
EOF
