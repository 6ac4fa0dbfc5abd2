#!/bin/sh
# make demo: a demo database from the sample registry (assets/demo/, see
# its README), a printable sheet of labels (labels.pdf), and the service
# in the foreground (Ctrl-C stops it). Prints a valid, an expired and a
# revoked label to try.
#
# DEMO_HOST: the address phones on the same network reach this machine at
# (e.g. 192.168.1.20); the server listens there and the printed URLs and
# the QR codes point there. Default: localhost, this machine only.
# DEMO_PORT (default 8080) and DEMO_DIR (default build/demo) too.
set -eu
cd "$(dirname "$0")/.."
OCOP=${OCOP_BIN:-$PWD/${BUILD:-build}/ocop}
DEMO=${DEMO_DIR:-$PWD/build/demo}
HOST=${DEMO_HOST:-}
PORT=${DEMO_PORT:-8080}
export OCOP_DB="$DEMO/ocop.db"

case $PORT in
'' | *[!0-9]*)
	echo "demo: DEMO_PORT must be a port number, not '$PORT'" >&2
	exit 64
	;;
esac
case $HOST in
'' | localhost)
	NAME=localhost
	LISTEN=127.0.0.1:$PORT
	;;
*:*) # IPv6
	HOST=${HOST#[}
	HOST=${HOST%]}
	NAME="[$HOST]"
	LISTEN="[$HOST]:$PORT"
	;;
*)
	NAME=$HOST
	LISTEN=$HOST:$PORT
	;;
esac
BASE=http://$NAME:$PORT

rm -rf "$DEMO"
mkdir -p "$DEMO"
"$OCOP" init --base-url "$BASE" \
	--operator "Văn phòng Điều phối OCOP (bản demo, dữ liệu mẫu)" \
	--contact "Đường dây nóng 0277 000 0000 (số mẫu)"
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

# listen first: a port in use or an address this machine does not have
# is reported before anything says "Serving"
rm -f "$DEMO/port"
"$OCOP" serve --listen "$LISTEN" --port-file "$DEMO/port" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; exit 0' INT TERM
while [ ! -s "$DEMO/port" ]; do
	if ! kill -0 $PID 2>/dev/null; then
		rc=0
		wait $PID || rc=$?
		echo "demo: the service could not listen on $LISTEN (see above);" \
			"free the port or choose another: make demo DEMO_PORT=8081" >&2
		exit $((rc ? rc : 1))
	fi
	sleep 0.1
done

cat <<MSG

Demo database: $OCOP_DB
Label sheet:   $DEMO/labels.pdf (QR codes point to $BASE)

Try these (add ?lang=en for English; curl -H 'Accept: application/json'
gives the verification record):
  type a code:  $BASE/
  valid:        $BASE/L/$VALID
  expired:      $BASE/L/$EXPIRED
  revoked:      $BASE/L/$REVOKED

Serving on $BASE — Ctrl-C to stop.
MSG
wait $PID
