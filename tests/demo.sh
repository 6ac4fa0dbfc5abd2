#!/bin/sh
# make demo: a demo database in build/demo/ from the sample registry
# (assets/demo/, see its README), a printable sheet of labels
# (build/demo/labels.pdf), and the service on http://localhost:8080 in the
# foreground (Ctrl-C stops it). Prints a valid, an expired and a revoked
# label to try.
set -eu
cd "$(dirname "$0")/.."
OCOP=${OCOP_BIN:-$PWD/${BUILD:-build}/ocop}
DEMO=$PWD/build/demo
LISTEN=${DEMO_LISTEN:-127.0.0.1:8080}
export OCOP_DB="$DEMO/ocop.db"

rm -rf "$DEMO"
mkdir -p "$DEMO"
"$OCOP" init --base-url http://localhost:8080
"$OCOP" registry import assets/demo/registry.csv assets/demo/revocations.csv

# valid today: Quýt hồng Lai Vung, 4 stars; the printable sheet
"$OCOP" label issue 87-30571-001-2019 --count 12 --lot L2611A \
	--made 2026-11-20 --best-before 2027-02-20 --out "$DEMO" >/dev/null
# expired since 2024-09-15: Hoa hồng Sa Đéc, issued while in force
OCOP_NOW=2024-06-01T09:00:00+07:00 "$OCOP" label issue 87-30319-002-2021 \
	--count 2 --format csv --out "$DEMO/expired" >/dev/null
# revoked on 2026-09-15: Nước ép xoài Cao Lãnh, issued while in force
OCOP_NOW=2026-06-01T09:00:00+07:00 "$OCOP" label issue 87-29881-001-2023 \
	--count 2 --lot X2606 --format csv --out "$DEMO/revoked" >/dev/null

first() {
	sed -n 2p "$1/labels.csv" | cut -d, -f1
}
VALID=$(first "$DEMO")
EXPIRED=$(first "$DEMO/expired")
REVOKED=$(first "$DEMO/revoked")

cat <<MSG

Demo database: $OCOP_DB
Label sheet:   $DEMO/labels.pdf (QR codes point to http://localhost:8080)

Try these (add ?lang=en for English; curl -H 'Accept: application/json'
gives the verification record):
  valid:    http://localhost:8080/L/$VALID
  expired:  http://localhost:8080/L/$EXPIRED
  revoked:  http://localhost:8080/L/$REVOKED

Serving on http://$LISTEN — Ctrl-C to stop.
MSG
exec "$OCOP" serve --listen "$LISTEN"
