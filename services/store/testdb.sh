#!/usr/bin/env bash
# testdb.sh: a throwaway PostgreSQL server for the services' tests.
#
#   testdb.sh install          install PostgreSQL from Debian's packages if it is missing
#   testdb.sh run CMD [ARG…]   start a private server, run CMD with
#                              TIERCHAIN_TEST_POSTGRES_DSN pointing at it, stop the
#                              server, and exit with CMD's status
#   testdb.sh start DIR        start a server with its data in DIR; print its DSN
#   testdb.sh stop DIR         stop that server and remove DIR
#
# The server listens on 127.0.0.1 only, on a free port, with its socket in DIR,
# trusts local connections (it holds nothing but test schemas) and runs with
# fsync off, for speed. PostgreSQL refuses to run as root, so as root the
# server runs as the "postgres" user that Debian's package creates.
set -euo pipefail

readonly PG_SUPERUSER=tierchain
readonly DSN_VAR=TIERCHAIN_TEST_POSTGRES_DSN

die() { echo "testdb.sh: $*" >&2; exit 1; }

# bindir prints the directory holding initdb and pg_ctl, or fails.
bindir() {
	local d
	if d="$(command -v initdb 2>/dev/null)" && [ -x "$(dirname "$d")/pg_ctl" ]; then
		dirname "$(readlink -f "$d")"
		return 0 # explicit: a bare return in a trap handler returns the trapped status
	fi
	# Debian installs the server binaries off PATH, one directory per major version.
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
	[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || return 1
	echo "$d"
	return 0
}

install_pg() {
	bindir >/dev/null && return 0
	[ "$(id -u)" = 0 ] || die "PostgreSQL is not installed and installing it needs root"
	echo "testdb.sh: installing PostgreSQL from Debian's packages" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
	bindir >/dev/null || die "PostgreSQL still not found after installing it"
}

# as_pg runs a command as the unprivileged user that owns the server.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start_pg() {
	local dir="$1" bin port
	case "$dir" in /*) ;; *) die "start: DIR must be absolute" ;; esac
	case "$dir" in *[[:space:]]*) die "start: DIR must not contain spaces" ;; esac
	bin="$(bindir)" || die "PostgreSQL is not installed (run: $0 install)"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
	fi
	mkdir -p "$dir"
	chmod 700 "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U "$PG_SUPERUSER" --auth=trust --no-sync \
		-E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
	local attempt
	for attempt in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
			"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
			start >/dev/null 2>&1; then
			echo "postgres://$PG_SUPERUSER@127.0.0.1:$port/postgres?sslmode=disable"
			return 0
		fi
		# Most likely the port was taken; try another.
	done
	cat "$dir/server.log" >&2 2>/dev/null || true
	die "could not start PostgreSQL"
}

stop_pg() {
	local dir="$1" bin
	if [ -f "$dir/data/postmaster.pid" ] && bin="$(bindir)"; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}

run_with_pg() {
	[ $# -gt 0 ] || die "run: no command"
	if [ -n "${!DSN_VAR:-}" ]; then
		exec "$@" # a server was given; use it
	fi
	local status=0
	# Global, not local: the EXIT trap runs after this function has returned.
	pg_run_dir="$(mktemp -d "${TMPDIR:-/tmp}/tierchain-pg.XXXXXX")"
	trap 'stop_pg "$pg_run_dir"' EXIT
	trap 'exit 130' INT TERM
	export "$DSN_VAR"
	printf -v "$DSN_VAR" '%s' "$(start_pg "$pg_run_dir")"
	echo "testdb.sh: PostgreSQL for tests at ${!DSN_VAR}" >&2
	"$@" || status=$?
	return "$status"
}

case "${1:-}" in
install) install_pg ;;
run) shift; run_with_pg "$@" ;;
start) [ $# -eq 2 ] || die "usage: $0 start DIR"; start_pg "$2" ;;
stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop_pg "$2" ;;
*) die "usage: $0 install | run CMD [ARG…] | start DIR | stop DIR" ;;
esac
