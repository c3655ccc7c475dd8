#!/bin/sh
# SPDX-License-Identifier: ISC
# Runs each constant-time program under memcheck. The programs mark their
# secrets undefined; any branch or memory index that depends on a secret is
# a memcheck error, and any error fails this test.
set -u
: "${top_builddir:=.}"
: "${VALGRIND:=valgrind}"
if [ -z "${CT_PROGRAMS:-}" ]; then
	echo "ct.sh: no constant-time programs configured" >&2
	exit 1
fi
status=0
for p in $CT_PROGRAMS; do
	log="$top_builddir/$p.ct.log"
	if "$VALGRIND" --tool=memcheck --error-exitcode=99 --track-origins=yes \
	    --log-file="$log" "$top_builddir/$p"; then
		echo "ct: $p: no secret-dependent branches or indices"
	else
		echo "ct: $p: FAILED (memcheck report in $log)"
		sed -n '1,80p' "$log"
		status=1
	fi
done
exit $status
