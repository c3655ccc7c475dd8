# SPDX-License-Identifier: ISC
# A PostgreSQL server for the functional tests (sourced after tests/checks.sh).
# pg_start makes a cluster with initdb in a directory of its own and starts
# it on a Unix socket only (no TCP port, so nothing clashes with another
# server or another test run), with SCRAM password authentication. As root
# (CI) the server runs as an unprivileged user, since PostgreSQL refuses
# root; its directory then belongs to that user. A script calls pg_cleanup
# from its cleanup_extra.
#
# After pg_start:
#   pg_dir        the server's directory (data in $pg_dir/data)
#   pg_sock       the socket directory (libpq host=)
#   pg_pwfile     a 0600 file holding the password of the role skms
#   pg_conninfo   "host=... port=... user=skms dbname=skms" (no password)
# and PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSFILE are exported for psql.

PG_BIN=${PG_BIN:-}
if [ -z "$PG_BIN" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && PG_BIN=$d
	done
fi
pg_dir=
pg_sock=
pg_pwfile=
pg_conninfo=
pg_user=

# need_pg: skip (exit 77) when the PostgreSQL server programs are missing.
need_pg() {
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
		echo "SKIP: PostgreSQL server (initdb, pg_ctl) not installed"
		exit 77
	fi
	need_tools psql
}

# pg_as COMMAND...: runs a server program as the server's user.
pg_as() {
	if [ -n "$pg_user" ]; then
		runuser -u "$pg_user" -- "$@"
	else
		"$@"
	fi
}

# pg_start [PORT]: initdb and start; 1 on failure (the log is printed).
pg_start() {
	port=${1:-5432}
	pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/skms-pg.XXXXXX") || return 1
	pg_sock=$pg_dir/sock
	mkdir -p "$pg_sock"
	pg_user=
	if [ "$(id -u)" -eq 0 ]; then
		pg_user=nobody
		chown -R "$pg_user" "$pg_dir"
		chmod 0755 "$pg_dir"
	fi
	# The role's password: random, in a file the server user can read
	# for initdb, then kept 0600 for the clients (skmsd, psql).
	pg_pwfile=$tmp/pg.password
	"$OPENSSL" rand -hex 16 >"$pg_pwfile"
	chmod 0600 "$pg_pwfile"
	cp "$pg_pwfile" "$pg_dir/initpw"
	[ -n "$pg_user" ] && chown "$pg_user" "$pg_dir/initpw"
	if ! pg_as "$PG_BIN/initdb" -D "$pg_dir/data" -U skms --pwfile="$pg_dir/initpw" \
	    --auth=scram-sha-256 -E UTF8 --locale=C >"$pg_dir/initdb.log" 2>&1; then
		cat "$pg_dir/initdb.log"
		return 1
	fi
	rm -f "$pg_dir/initpw"
	cat >>"$pg_dir/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $port
unix_socket_directories = '$pg_sock'
unix_socket_permissions = 0777
fsync = on
max_connections = 50
EOF
	if ! pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
	    start >"$pg_dir/ctl.log" 2>&1; then
		cat "$pg_dir/ctl.log" "$pg_dir/server.log" 2>/dev/null
		return 1
	fi
	PGHOST=$pg_sock
	PGPORT=$port
	PGUSER=skms
	PGDATABASE=skms
	pg_conninfo="host=$pg_sock port=$port user=skms dbname=skms"
	# libpq's password file: host:port:db:user:password.
	printf '%s:%s:*:skms:%s\n' "$pg_sock" "$port" "$(cat "$pg_pwfile")" >"$tmp/pgpass"
	chmod 0600 "$tmp/pgpass"
	PGPASSFILE=$tmp/pgpass
	export PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE
	PGDATABASE=postgres psql -q -X -c "CREATE DATABASE skms" >/dev/null 2>&1 || {
		echo "pg_start: cannot create the database skms"
		return 1
	}
}

# pg_stop: a fast shutdown; the cluster stays for pg_restart.
pg_stop() {
	[ -n "$pg_dir" ] && [ -d "$pg_dir/data" ] &&
	    pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null 2>&1
}

# pg_restart: starts the stopped cluster again.
pg_restart() {
	pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
	    start >/dev/null 2>&1
}

# pg_cleanup: stops the server (immediately) and removes its directory.
pg_cleanup() {
	if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
		pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w -t 60 \
		    stop >/dev/null 2>&1
		rm -rf "$pg_dir"
	fi
	pg_dir=
}
