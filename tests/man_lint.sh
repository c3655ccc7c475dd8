#!/bin/sh
# SPDX-License-Identifier: ISC
# Every man page passes mandoc -Tlint -Wstyle. Cross references are
# resolved against the project's own pages, laid out as a manual tree.
set -u
: "${top_srcdir:=.}"
if [ -z "${MANDOC:-}" ]; then
	echo "man_lint: mandoc is not installed; install the Debian package mandoc" >&2
	exit 1
fi
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
for page in $MAN_PAGES; do
	sec=${page##*.}
	mkdir -p "$tree/man$sec"
	cp "$top_srcdir/$page" "$tree/man$sec/"
done
command -v makewhatis >/dev/null 2>&1 && makewhatis "$tree" 2>/dev/null
MANPATH="$tree:"
export MANPATH
status=0
n=0
for page in $MAN_PAGES; do
	n=$((n + 1))
	out=$("$MANDOC" -Tlint -Wstyle "$top_srcdir/$page" 2>&1) || status=1
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
echo "man_lint: $n pages checked"
exit $status
