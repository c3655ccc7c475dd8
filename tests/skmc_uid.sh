#!/bin/sh
# SPDX-License-Identifier: ISC
# skmc uid through the built binary: the TS 33.180 F.2.1 vector, --at in
# both time forms, and every class of bad argument (exit 2 with a message
# and the usage line), --help and --version.
set -u
: "${top_builddir:=.}"
skmc="$top_builddir/src/skmc/skmc"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0

uid_vec=74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4
base="sip:user@example.org --kms-uri kms.example.org --key-period 2592000 --key-offset 0"

# expect STATUS STDOUT-PATTERN ARGS...: exit status and a grep pattern for stdout
expect() {
	want=$1 pat=$2
	shift 2
	n=$((n + 1))
	"$skmc" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: skmc $*: exit $got, want $want"; cat "$tmp/err"; fail=1; return
	fi
	if [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/out"; then
		echo "FAIL: skmc $*: stdout lacks '$pat'"; cat "$tmp/out"; fail=1
	fi
}

# usage errors: exit 2, "skmc: uid: what: why" and the usage line on stderr
bad() {
	expect 2 "" "$@"
	[ "$got" -eq 2 ] || return
	if ! grep -q '^skmc: uid: .*: ' "$tmp/err" || ! grep -q '^usage: skmc uid ' "$tmp/err"; then
		echo "FAIL: skmc $*: no message or usage on stderr"; cat "$tmp/err"; fail=1
	fi
	if [ -s "$tmp/out" ]; then
		echo "FAIL: skmc $*: wrote to stdout"; fail=1
	fi
}

# shellcheck disable=SC2086
{
expect 0 "^$uid_vec\$" uid $base --period-no 1
expect 0 "^$uid_vec\$" uid --period-no=1 --key-offset=0 --key-period=2592000 \
    --kms-uri=kms.example.org sip:user@example.org
expect 0 "^$uid_vec\$" uid --kms-uri kms.example.org --key-period 2592000 \
    --key-offset 0 --period-no 1 -- sip:user@example.org

# period 1 of 2592000 s from NTP 0 starts at NTP 2592000 = 1900-01-31
expect 0 "^$uid_vec\$" uid $base --at 1900-01-31T00:00:00Z
expect 0 "^$uid_vec\$" uid $base --at 1900-03-01T23:59:59Z
expect 0 "^$uid_vec\$" uid $base --at @-2206396800
expect 0 "^$uid_vec\$" uid $base --at 1900-01-31

# both --at forms pick the same period
expect 0 "" uid $base --at 2026-11-27T20:44:11Z
cp "$tmp/out" "$tmp/iso"
expect 0 "" uid $base --at @1795812251
cmp -s "$tmp/iso" "$tmp/out" || { echo "FAIL: --at forms differ"; fail=1; }
expect 0 "" uid $base --at 2026-11-27T20:44:11.250+00:00
cmp -s "$tmp/iso" "$tmp/out" || { echo "FAIL: --at fraction differs"; fail=1; }
# ... and the number it stands for: (1795812251 + 2208988800) / 2592000 = 1545
expect 0 "" uid $base --period-no 1545
cmp -s "$tmp/iso" "$tmp/out" || { echo "FAIL: --at and --period-no differ"; fail=1; }
expect 0 "" uid $base --period-no 1546
cmp -s "$tmp/iso" "$tmp/out" && { echo "FAIL: periods 1545 and 1546 agree"; fail=1; }

bad uid
bad uid --kms-uri kms.example.org --key-period 2592000 --key-offset 0 --period-no 1
bad uid "" --kms-uri kms.example.org --key-period 2592000 --key-offset 0 --period-no 1
bad uid sip:a --key-period 2592000 --key-offset 0 --period-no 1
bad uid sip:a --kms-uri "" --key-period 2592000 --key-offset 0 --period-no 1
bad uid sip:a --kms-uri k --key-offset 0 --period-no 1
bad uid sip:a --kms-uri k --key-period 2592000 --period-no 1
bad uid $base
bad uid $base --period-no 1 --at @0
bad uid $base --period-no 1 --period-no 2
bad uid $base --kms-uri other --period-no 1
bad uid $base --period-no
bad uid $base --period-no x1
bad uid $base --period-no -1
bad uid $base --period-no 1.5
bad uid $base --period-no " 1"
bad uid $base --period-no 18446744073709551616
bad uid sip:a --kms-uri k --key-period 0 --key-offset 0 --period-no 1
bad uid sip:a --kms-uri k --key-period -5 --key-offset 0 --period-no 1
bad uid sip:a --kms-uri k --key-period 99999999999999999999 --key-offset 0 --period-no 1
bad uid sip:a --kms-uri k --key-period 10 --key-offset abc --period-no 1
bad uid sip:a --kms-uri k --key-period 10 --key-offset 4000000000 --at 2026-01-01
bad uid $base --at 1899-12-31T23:59:59Z
bad uid $base --at 2026-13-01
bad uid $base --at 2026-02-30T00:00:00Z
bad uid $base --at 2026-11-27T20:44:11+01:00
bad uid $base --at 2026-11-27T20:44:11Zjunk
bad uid $base --at yesterday
bad uid $base --at @12x
bad uid $base --period-no 1 --frobnicate
bad uid $base --period-no 1 extra
bad uid $base --period-no 1 -x

expect 0 "^usage: skmc uid URI" uid --help
expect 0 "^usage: skmc uid URI" uid $base --help
expect 0 "uid" --help
expect 0 "^skmc [0-9]" --version
expect 2 "" frobnicate
expect 2 "" --frobnicate
expect 2 ""
}

# a failed write to stdout is a failure, not success
if [ -w /dev/full ]; then
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$skmc" uid $base --period-no 1 >/dev/full 2>"$tmp/err"
	got=$?
	if [ "$got" -ne 1 ] || ! grep -q '^skmc: uid: stdout: ' "$tmp/err"; then
		echo "FAIL: write error: exit $got"; cat "$tmp/err"; fail=1
	fi
fi

echo "skmc_uid: $n cases"
exit $fail
