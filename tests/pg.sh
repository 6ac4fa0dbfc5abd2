#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: Unix socket only, in a temporary
# directory, run by the postgres user (initdb refuses root).
#
#   tests/pg.sh start           initdb + start; prints the socket directory
#   tests/pg.sh stop DIR        stop the cluster of DIR and remove DIR
#   tests/pg.sh replica DIR     a streaming replica of DIR's server, started;
#                               prints its socket directory
#   tests/pg.sh halt DIR        stop DIR's server, keeping DIR (a primary
#                               that fails: 'stop DIR' removes it later)
#   tests/pg.sh promote DIR     make DIR's replica the primary
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

# new_dir: a temporary directory the postgres user owns
new_dir() {
	local dir
	dir=$(mktemp -d /tmp/ocop-pg.XXXXXX)
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	echo "$dir"
}

# serve DIR: start the cluster of DIR/data on the socket in DIR
serve() {
	as_pg "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories=$1 \
-c synchronous_commit=on -c max_connections=200 \
-c shared_buffers=64MB" start >/dev/null || {
		cat "$1/server.log" >&2
		exit 1
	}
}

case "${1:-}" in
start)
	bin=$(bindir)
	dir=$(new_dir)
	as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	serve "$dir"
	echo "$dir"
	;;
replica)
	primary=${2:?usage: pg.sh replica DIR}
	bin=$(bindir)
	dir=$(new_dir)
	# a base backup that streams on from the primary (-R: standby.signal
	# and primary_conninfo; trust auth takes replication connections)
	as_pg "$bin/pg_basebackup" -h "$primary" -U postgres -D "$dir/data" \
		-R -X stream >"$dir/basebackup.log" 2>&1 || {
		cat "$dir/basebackup.log" >&2
		exit 1
	}
	serve "$dir"
	echo "$dir"
	;;
halt)
	dir=${2:?usage: pg.sh halt DIR}
	bin=$(bindir)
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
	;;
promote)
	dir=${2:?usage: pg.sh promote DIR}
	bin=$(bindir)
	as_pg "$bin/pg_ctl" -D "$dir/data" -w promote >/dev/null
	;;
stop)
	dir=${2:?usage: pg.sh stop DIR}
	bin=$(bindir)
	# a server already stopped (halt) is removed all the same
	[ -d "$dir/data" ] &&
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
		true
	rm -rf "$dir"
	;;
*)
	echo "usage: tests/pg.sh start | stop DIR | replica DIR | halt DIR | promote DIR" >&2
	exit 2
	;;
esac
