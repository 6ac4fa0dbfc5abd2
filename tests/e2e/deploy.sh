#!/usr/bin/env bash
# The deployment files of assets/deploy/: the systemd unit passes
# systemd-analyze verify and has the hardening the README promises; the
# nginx site passes nginx -t with a throwaway certificate and proxies to
# the address the unit serves on.
. "$(dirname "$0")/lib.sh"

UNIT="$ASSETS/deploy/ocop.service"
SITE="$ASSETS/deploy/nginx-ocop.conf"

test_begin "systemd unit verifies"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed"
# verify checks that ExecStart's binary exists: point it at the build
sed "s#/usr/local/bin/ocop#$OCOP#" "$UNIT" >"$E2E_DIR/ocop.service"
systemd-analyze verify "$E2E_DIR/ocop.service" >"$E2E_DIR/verify.out" 2>&1 ||
	fail "systemd-analyze verify: $(head -c 600 "$E2E_DIR/verify.out")"

test_begin "systemd unit is hardened"
for d in 'User=ocop' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
	'Restart=on-failure' 'StartLimitIntervalSec=0' 'StateDirectory=ocop' 'CapabilityBoundingSet=' \
	'ExecStart=/usr/local/bin/ocop serve --listen 127.0.0.1:8080'; do
	grep -qxF -- "$d" "$UNIT" || fail "unit lacks '$d'"
done

test_begin "nginx site passes nginx -t"
command -v nginx >/dev/null || fail "nginx is not installed"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$E2E_DIR/k.pem" -out "$E2E_DIR/c.pem" -days 1 \
	-subj /CN=ocop.example.vn 2>/dev/null || fail "openssl req failed"
sed -e "s#/etc/letsencrypt/live/ocop.example.vn/fullchain.pem#$E2E_DIR/c.pem#" \
	-e "s#/etc/letsencrypt/live/ocop.example.vn/privkey.pem#$E2E_DIR/k.pem#" \
	"$SITE" >"$E2E_DIR/site.conf"
cat >"$E2E_DIR/nginx.conf" <<CONF
pid $E2E_DIR/nginx.pid;
error_log stderr;
events {}
http { access_log off; include $E2E_DIR/site.conf; }
CONF
nginx -t -e stderr -p "$E2E_DIR" -c "$E2E_DIR/nginx.conf" >"$E2E_DIR/nginx.out" 2>&1 ||
	fail "nginx -t: $(head -c 600 "$E2E_DIR/nginx.out")"
grep -q 'proxy_pass http://127.0.0.1:8080;' "$SITE" || fail "site does not proxy to the unit's address"
grep -q 'X-Forwarded-For $proxy_add_x_forwarded_for' "$SITE" ||
	fail "site does not pass the client address"
