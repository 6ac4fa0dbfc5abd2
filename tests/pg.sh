#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: Unix socket only, in a temporary
# directory, run by the postgres user (initdb refuses root).
#
#   tests/pg.sh start     initdb + start; prints the socket directory
#   tests/pg.sh stop DIR  stop the cluster of DIR and remove DIR
#
# Clients connect with trust auth as user postgres:
#   postgresql:///DBNAME?host=DIR&user=postgres
set -eu

bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	echo "pg.sh: no PostgreSQL server (Debian package postgresql)" >&2
	return 1
}

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "${1:-}" in
start)
	bin=$(bindir)
	dir=$(mktemp -d /tmp/ocop-pg.XXXXXX)
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories=$dir \
-c synchronous_commit=on -c max_connections=200 \
-c shared_buffers=64MB" start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
	echo "$dir"
	;;
stop)
	dir=${2:?usage: pg.sh stop DIR}
	bin=$(bindir)
	[ -d "$dir/data" ] &&
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
	rm -rf "$dir"
	;;
*)
	echo "usage: tests/pg.sh start | stop DIR" >&2
	exit 2
	;;
esac
