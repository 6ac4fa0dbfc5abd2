#!/usr/bin/env bash
# Benchmark of the registry at national scale: a generated CSV of
# BENCH_PRODUCTS products (default 16,000, the national count of mid-2025)
# with two recognition decisions each (BENCH_PRODUCTS=10000: the 20,000
# rows that must import in 2 s), then:
#   import:    first import into an empty database (one transaction)
#   reimport:  the same file again (nothing changes; every row is checked)
#   json:      the same rows as JSON, again unchanged
#   list:      ocop product list (every product's history and status)
#   bad:       a file with one bad row at the end: all rows checked, nothing
#              imported
# Prints wall seconds (median of BENCH_ROUNDS runs, default 3) and rows/s.
set -u
cd "$(dirname "$0")/../.."
OCOP=${OCOP_BIN:-$PWD/build/ocop}
N=${BENCH_PRODUCTS:-16000}
ROUNDS=${BENCH_ROUNDS:-3}
PY=/usr/bin/python3
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
die() {
	echo "bench registry: $*" >&2
	exit 1
}
[ -x "$OCOP" ] || die "$OCOP is not built"
[ -x "$PY" ] || die "$PY is not installed"

"$PY" - "$N" "$DIR" <<'EOF'
import csv, json, sys
n, d = int(sys.argv[1]), sys.argv[2]
hdr = "code,name,group,gtin,producer,producer_kind,province,address,stars,decision_no,decided_on,issuer,valid_until".split(",")
# half the groups and kinds in the decisions' words, as provinces write
# them (matched after Unicode folding); one kind in five left empty, read
# from the producer's name
groups = ["I", "Đồ uống", "Dược liệu và sản phẩm từ dược liệu", "IV",
          "SINH VẬT CẢNH", "Du lich"]
kinds = ["HTX", "Công ty TNHH", "Hộ kinh doanh", "THT", ""]
rows = []
for i in range(n):
    code = "%02d-%05d-%03d-20%02d" % (i % 34 + 1, i // 7, i % 1000, 20 + i % 6)
    base = "8930%08d" % i
    s = sum(int(c) * (3 if k % 2 == 0 else 1) for k, c in enumerate(reversed(base)))
    gtin = base + str((10 - s % 10) % 10) if i % 2 == 0 else ""
    common = [code, "Sản phẩm mẫu số %d" % i, groups[i % 6], gtin,
              "HTX Mẫu %d" % (i // 3), kinds[i % 5],
              "Đồng Tháp", "ấp %d, xã Mẫu, tỉnh Đồng Tháp" % (i % 50)]
    rows.append(common + ["3", "%d/QĐ-UBND" % (i + 1), "2021-%02d-%02d" % (i % 12 + 1, i % 28 + 1), "UBND huyện Mẫu", ""])
    rows.append(common + ["4", "%d/QĐ-UBND-HC" % (i + 1), "2024-%02d-%02d" % (i % 12 + 1, i % 28 + 1), "UBND tỉnh Đồng Tháp", ""])
with open(d + "/reg.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n"); w.writerow(hdr); w.writerows(rows)
with open(d + "/reg.json", "w") as f:
    json.dump([dict(zip(hdr, r)) for r in rows], f, ensure_ascii=False)
with open(d + "/bad.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n"); w.writerow(hdr); w.writerows(rows)
    w.writerow(rows[-1][:8] + ["6", "x/QĐ", "2025-02-30", "UBND", ""])
EOF
[ -s "$DIR/reg.csv" ] || die "cannot generate the registry"
ROWS=$((2 * N))

# time_it CMD...: wall seconds of one run (exit status must be 0 or 65)
time_it() {
	local t0 t1 rc
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	rc=$?
	t1=$(date +%s.%N)
	[ "$rc" -eq 0 ] || [ "$rc" -eq 65 ] || die "'$*' exited $rc"
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}'
}
median() { sort -g | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }
report() { # name seconds rows
	awk -v n="$1" -v s="$2" -v r="$3" \
		'BEGIN {printf "%-9s %8s s  %9.0f rows/s\n", n, s, r / s}'
}

declare -A res
for _ in $(seq 1 "$ROUNDS"); do
	export OCOP_DB="$DIR/bench.db"
	rm -f "$OCOP_DB"*
	"$OCOP" init >/dev/null 2>&1 || die "init failed"
	res[import]+="$(time_it "$OCOP" registry import "$DIR/reg.csv") "
	res[reimport]+="$(time_it "$OCOP" registry import "$DIR/reg.csv") "
	res[json]+="$(time_it "$OCOP" registry import "$DIR/reg.json") "
	res[list]+="$(time_it "$OCOP" product list) "
	res[bad]+="$(time_it "$OCOP" registry import "$DIR/bad.csv") "
done
echo "registry of $N products, $ROWS recognitions ($(du -h "$DIR/reg.csv" | cut -f1) CSV), median of $ROUNDS"
for k in import reimport json bad; do
	report "$k" "$(echo "${res[$k]}" | tr ' ' '\n' | grep . | median)" "$ROWS"
done
report list "$(echo "${res[list]}" | tr ' ' '\n' | grep . | median)" "$N"
