#!/bin/sh
# SPDX-License-Identifier: ISC
# The units in contrib/systemd, as make built them: systemd-analyze verify
# finds nothing to say about any (an unknown directive is only a warning
# for it, so its output must be empty), and systemd-analyze security
# scores skmsd.service and an instance of skmc-watch@.service at 2.0 or
# lower ("OK"). ExecStart points at the built programs, since verify wants
# them to exist. systemd-analyze works offline: no running systemd is
# needed. Skipped without systemd-analyze.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

SA=${SYSTEMD_ANALYZE:-}
[ -n "$SA" ] || SA=$(command -v systemd-analyze || true)
if [ -z "$SA" ]; then
	echo "SKIP: systemd-analyze not installed"
	exit 77
fi
need_built "$SKMSD" "$SKMC"
units=$top_builddir/contrib/systemd
for u in skmsd.service skmc-watch@.service skmc-watch.service; do
	if [ -f "$units/$u" ]; then ok; else bad "$u not built"; fi
done
abs_skmsd=$(cd "$(dirname "$SKMSD")" && pwd)/skmsd
abs_skmc=$(cd "$(dirname "$SKMC")" && pwd)/skmc
mkdir -p "$tmp/system" "$tmp/user" "$tmp/run"
chmod 0700 "$tmp/run"
built() {
	sed -e "s|^ExecStart=[^ ]*/skmsd |ExecStart=$abs_skmsd |" \
	    -e "s|^ExecStart=[^ ]*/skmc |ExecStart=$abs_skmc |" "$units/$1" >"$2"
}
built skmsd.service "$tmp/system/skmsd.service"
built skmc-watch@.service "$tmp/system/skmc-watch@test.service"
built skmc-watch.service "$tmp/user/skmc-watch.service"
has "^ExecStart=$abs_skmsd " "$tmp/system/skmsd.service" "skmsd.service runs the built skmsd"

# verify: exit 0 and not a word (warnings are errors here)
for u in "$tmp/system/skmsd.service" "$tmp/system/skmc-watch@test.service"; do
	expect 0 "verify $(basename "$u")" "$SA" verify --man=no "$u"
	same "$(cat "$tmp/out" "$tmp/err")" "" "verify $(basename "$u") says nothing"
done
# A user manager needs a runtime directory of its own, even offline.
expect 0 "verify --user skmc-watch.service" \
    env XDG_RUNTIME_DIR="$tmp/run" "$SA" --user verify --man=no "$tmp/user/skmc-watch.service"
same "$(cat "$tmp/out" "$tmp/err")" "" "verify skmc-watch.service says nothing"

# The check itself: a misspelt directive must make verify speak.
sed 's/^LockPersonality=/LockPersonalty=/' "$tmp/system/skmsd.service" >"$tmp/bad.service"
"$SA" verify --man=no "$tmp/bad.service" >"$tmp/out" 2>&1
has "LockPersonalty" "$tmp/out" "verify names a misspelt directive"

# security: the overall exposure, 2.0 or lower (--threshold is in tenths)
for u in "$tmp/system/skmsd.service" "$tmp/system/skmc-watch@test.service"; do
	expect 0 "security $(basename "$u") at 2.0 or lower" \
	    "$SA" security --offline=true --threshold=20 "$u"
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$tmp/out")
	echo "exposure of $(basename "$u"): $score"
	case "$score" in
	[01].[0-9] | 2.0) ok ;;
	*) bad "exposure of $(basename "$u"): '$score'" ;;
	esac
done
# The threshold bites: the same unit without its sandbox fails it.
grep -v -e '^Protect' -e '^Private' -e '^SystemCall' -e '^Restrict' -e '^Capability' \
    -e '^NoNewPrivileges' -e '^MemoryDeny' "$tmp/system/skmsd.service" >"$tmp/open.service"
expect 1 "security of an unsandboxed skmsd.service over 2.0" \
    "$SA" security --offline=true --threshold=20 "$tmp/open.service"

# What the sandbox promises operators (README.Debian explains each).
for d in Type=notify 'ExecReload=/bin/kill -HUP $MAINPID' User=skms LimitCORE=0 \
    'CapabilityBoundingSet=$' 'SystemCallFilter=@system-service' ProtectSystem=strict \
    'ReadWritePaths=.*/lib/skms$' 'ConditionPathExists=.*/lib/skms/data.mdb$'; do
	has "^$d" "$tmp/system/skmsd.service" "skmsd.service: $d"
done
# LimitNOFILE fits the default server.max-connections, an eighth more and
# the 32 spare descriptors (skmsd(8)).
nofile=$(sed -n 's/^LimitNOFILE=//p' "$tmp/system/skmsd.service")
maxc=$(awk '/^  max-connections:/ { print $2 }' "$top_srcdir/etc/skms.yaml.sample")
if [ -n "$nofile" ] && [ -n "$maxc" ] && [ "$nofile" -ge $((maxc + maxc / 8 + 64)) ]; then
	ok
else
	bad "LimitNOFILE '$nofile' does not fit max-connections '$maxc'"
fi

echo "systemd_units: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
