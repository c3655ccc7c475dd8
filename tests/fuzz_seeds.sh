#!/bin/sh
# SPDX-License-Identifier: ISC
# Runs every fuzz target of $FUZZ_TARGETS over its seeds in tests/data/<name>
# (where there are any) and over 3,000 inputs it makes itself from a fixed
# seed: a crash, a leak, a sanitizer report or a time-out fails the test.
# New inputs go to a temporary directory, never into the source tree.
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for prog in $FUZZ_TARGETS; do
	name=${prog#tests/fuzz_}
	seeds=
	[ -d "$top_srcdir/tests/data/$name" ] && seeds="$top_srcdir/tests/data/$name"
	mkdir -p "$tmp/$name"
	if "$top_builddir/$prog" -runs=3000 -seed=1 -max_len=4096 -timeout=30 \
	    -rss_limit_mb=2048 -artifact_prefix="$tmp/$name-" "$tmp/$name" $seeds \
	    >"$tmp/$name.log" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $prog"
		tail -n 30 "$tmp/$name.log"
	fi
done
echo "fuzz_seeds: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
