# SPDX-License-Identifier: ISC
# Shared by the functional test scripts (sourced, not run, right after the
# script's 'set -u'): the programs under test, a scratch directory ($tmp)
# removed at exit with the daemon $pid (a script adds its own clean-up as
# cleanup_extra), the pass and fail counters; required tools and programs,
# test certificates, counting checks, running a command and checking its
# exit status, grepping its output, waiting for conditions, and starting
# skmsd on a free port. A script may set SKMSD (and the others) first.
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
SKMSD=${SKMSD:-$top_builddir/src/skmsd/skmsd}
MINT=${MINT:-$top_builddir/contrib/skms-mint-token}
CTL=${CTL:-$top_builddir/src/skmsctl/skmsctl}
SKMC=${SKMC:-$top_builddir/src/skmc/skmc}
XSD="$top_srcdir/tests/data/kms-response.xsd"
OPENSSL=${OPENSSL:-openssl}
tmp=$(mktemp -d)
pid=
pass=0
fail=0
cleanup_extra() { :; }
cleanup() {
	cleanup_extra
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# need_tools TOOL...: the script cannot run without these (exit 77, skip).
need_tools() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "SKIP: $tool not installed"
			exit 77
		fi
	done
}

# need_built PROGRAM...: the project's own programs must exist (exit 1).
need_built() {
	for prog in "$@"; do
		if [ ! -x "$prog" ]; then
			echo "FAIL: $prog not built"
			exit 1
		fi
	done
}

# mkcert NAME SUBJECT EXT [CA]: an EC P-256 key and certificate in $tmp,
# self-signed or signed by CA; uses $OPENSSL.
mkcert() {
	"$OPENSSL" req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$tmp/$1.key" -out "$tmp/$1.csr" -subj "$2" >/dev/null 2>&1 &&
	printf '%s\n' "$3" >"$tmp/$1.ext" &&
	if [ $# -ge 4 ]; then
		"$OPENSSL" x509 -req -in "$tmp/$1.csr" -CA "$tmp/$4.pem" -CAkey "$tmp/$4.key" \
		    -CAcreateserial -days 2 -extfile "$tmp/$1.ext" -out "$tmp/$1.pem" >/dev/null 2>&1
	else
		"$OPENSSL" x509 -req -in "$tmp/$1.csr" -signkey "$tmp/$1.key" -days 2 \
		    -extfile "$tmp/$1.ext" -out "$tmp/$1.pem" >/dev/null 2>&1
	fi && chmod 0600 "$tmp/$1.key"
}

# mkissuer NAME: a token issuer's EC P-256 key pair, $tmp/NAME.key (private,
# for the token minter) and $tmp/NAME.pub (for skmsd); uses $OPENSSL.
mkissuer() {
	"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1.key" &&
	"$OPENSSL" pkey -in "$tmp/$1.key" -pubout -out "$tmp/$1.pub"
}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect STATUS DESCRIPTION COMMAND...: runs COMMAND (stdout to $tmp/out,
# stderr to $tmp/err) and checks its exit status.
expect() {
	want=$1
	what=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$what: exit $got, expected $want"
		sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -n 20
	fi
}

# has PATTERN FILE DESCRIPTION / hasnt PATTERN FILE DESCRIPTION
has() {
	if grep -q -e "$1" "$2"; then ok; else bad "$3: no '$1'"; sed 's/^/  | /' "$2" | head -n 20; fi
}
hasnt() {
	if grep -q -e "$1" "$2"; then bad "$3: unexpected '$1'"; sed 's/^/  | /' "$2" | head -n 20; else ok; fi
}

# same GOT WANT DESCRIPTION
same() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: '$1', expected '$2'"; fi
}

# wait_until SECONDS COMMAND...: 0 as soon as COMMAND succeeds, 1 when
# SECONDS of wall-clock time pass first. The bound is only there to end a
# test that would otherwise hang; verdicts never rest on it being short.
wait_until() {
	wu_end=$(( $(date +%s) + $1 ))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$wu_end" ] || return 1
		sleep 0.1
	done
}

# log_count PATTERN FILE: how many lines of FILE match PATTERN (0 if none).
log_count() {
	grep -c -e "$1" "$2" 2>/dev/null || true
}

# log_more PATTERN FILE N: succeeds once more than N lines of FILE match.
log_more() {
	[ "$(log_count "$1" "$2")" -gt "$3" ]
}

# wait_log PATTERN FILE N [SECONDS]: waits (up to SECONDS, 60 by default)
# until more than N lines of FILE match PATTERN; reports a failure if not.
wait_log() {
	if wait_until "${4:-60}" log_more "$1" "$2" "$3"; then ok; else
		bad "no new '$1' in $(basename "$2")"
		sed 's/^/  | /' "$2" | tail -n 20
	fi
}

# wait_serving PID LOG: 0 once LOG says "serving", 1 if the process PID
# exits first or a minute passes.
ws_done() {
	grep -q "serving" "$2" || ! kill -0 "$1" 2>/dev/null
}
wait_serving() {
	wait_until 60 ws_done "$1" "$2"
	grep -q "serving" "$2" && kill -0 "$1" 2>/dev/null
}

# metric_value PORT NAME: the value of metric NAME (its name and labels as
# printed) on the metrics listener at 127.0.0.1:PORT, 0 when absent.
metric_value() {
	curl -sS --max-time 10 "http://127.0.0.1:$1/metrics" 2>/dev/null |
	    awk -v m="$2" 'index($0, m " ") == 1 { print $2; f = 1 } END { if (!f) print 0 }'
}

# start_skmsd CONF WRITE [ARGS...]: starts $SKMSD -c CONF in the background
# on a free loopback port. Each try sets port (and mport, port + 1), runs
# WRITE ARGS to write CONF for it, and starts skmsd (with 'ulimit -n
# $NOFILE' when NOFILE is set); a port in use moves on to the next try.
# Sets pid; prints the log and exits 1 when skmsd does not start.
start_skmsd() {
	sk_conf=$1
	sk_write=$2
	shift 2
	tries=0
	while [ $tries -lt 20 ]; do
		tries=$((tries + 1))
		port=$(( ($$ * 7 + tries * 131 + $(date +%S | sed "s/^0//")) % 20000 + 30000 ))
		mport=$((port + 1))
		"$sk_write" "$@"
		# Emptied here, not by the redirection in the child: wait_serving
		# must not find the "serving" of the previous daemon.
		: >"$tmp/log"
		if [ -n "${NOFILE:-}" ]; then
			sh -c 'ulimit -n "$1" && shift && exec "$@"' sh "$NOFILE" \
			    "$SKMSD" -c "$sk_conf" >"$tmp/log" 2>&1 &
		else
			"$SKMSD" -c "$sk_conf" >"$tmp/log" 2>&1 &
		fi
		pid=$!
		wait_serving "$pid" "$tmp/log" && return 0
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
		grep -q "in use" "$tmp/log" || break
	done
	cat "$tmp/log"
	echo "FAIL: skmsd did not start"
	exit 1
}
