# SPDX-License-Identifier: ISC
# Shared by the functional test scripts (sourced, not run): counting checks,
# running a command and checking its exit status, grepping its output, and
# waiting for a daemon to start. The sourcing script sets pass=0, fail=0
# and tmp (a scratch directory).

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

# wait_serving PID LOG: 0 once LOG says "serving" (within 10 s), 1 if the
# process PID exits first or the time runs out.
wait_serving() {
	n=0
	while [ $n -lt 100 ]; do
		grep -q "serving" "$2" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
