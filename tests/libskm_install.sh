#!/bin/sh
# SPDX-License-Identifier: ISC
# The installed libskm as an integrator sees it: make install into a
# staging directory gives the shared library with SONAME libskm.so.1, the
# headers under include/skm, skm.pc and the man pages; the library
# exports exactly the functions of its version script (SKM_1) and needs
# neither LMDB nor libevent. The example of contrib/libskm-example is
# built against the staged install with pkg-config alone and accepts GMK
# I_MESSAGEs made by skmc for a member whose keys come from files (the
# same GMK-ID and GUK-ID as skmc's own accept), with and without hidden
# identities, and refuses a message for another member naming the check.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools make cc nm readelf pkg-config
need_built "$CTL" "$SKMC"

stage="$tmp/stage"
# The sub-makes must not join the jobserver of the make running the tests.
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }

# --- make install into a staging directory ---
if ! submake -C "$top_builddir" install DESTDIR="$stage" >"$tmp/install.log" 2>&1; then
	tail -n 30 "$tmp/install.log"
	echo "FAIL: make install DESTDIR"
	exit 1
fi
so=$(find "$stage" -name 'libskm.so.1' | head -n 1)
pc=$(find "$stage" -name skm.pc | head -n 1)
[ -n "$so" ] && ok || bad "no libskm.so.1 installed"
[ -n "$pc" ] && ok || bad "no skm.pc installed"
if [ -z "$so" ] || [ -z "$pc" ]; then
	echo "$pass passed, $fail failed"
	exit 1
fi
libdir=$(dirname "$so")
[ -L "$libdir/libskm.so" ] && ok || bad "no libskm.so development link"
[ "$(dirname "$pc")" = "$libdir/pkgconfig" ] && ok || bad "skm.pc not in libdir/pkgconfig"
for h in skm err uid kms sakke eccsi gmk; do
	[ -n "$(find "$stage" -path "*/include/skm/$h.h")" ] && ok || bad "no skm/$h.h"
done
for m in skm skm_uid skm_kms skm_sakke skm_eccsi skm_gmk; do
	[ -n "$(find "$stage" -path "*/man3/$m.3")" ] && ok || bad "no man page $m.3"
done

# --- the ELF interface: SONAME, needed libraries, exported symbols ---
readelf -d "$so" >"$tmp/dyn"
has "SONAME.*\[libskm.so.1\]" "$tmp/dyn" "SONAME"
hasnt "NEEDED.*\(lmdb\|event\|yaml\|curl\|jwt\|p11-kit\|jansson\)" "$tmp/dyn" "needed libraries"
# nm shows each dynamic symbol as NAME@@VERSION: all must be in SKM_1
nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | sort >"$tmp/versioned"
sed 's/@@SKM_1$//' "$tmp/versioned" >"$tmp/exported"
sed -n '/global:/,/local:/p' "$top_srcdir/src/libskm/skm.map" |
    sed -n 's/^[[:space:]]*\(skm_[a-z0-9_]*\);$/\1/p' | sort >"$tmp/map"
[ "$(wc -l <"$tmp/map")" -gt 40 ] && ok || bad "the version script lists too few symbols"
if cmp -s "$tmp/exported" "$tmp/map"; then ok; else
	bad "exported symbols differ from skm.map"
	diff "$tmp/map" "$tmp/exported" | head -n 20
fi
if grep -v '@@SKM_1$' "$tmp/versioned" >"$tmp/unversioned"; then
	bad "symbols outside the SKM_1 version node: $(head -n 3 "$tmp/unversioned" | tr '\n' ' ')"
else ok; fi
# every exported function is declared in an installed header
for f in $(cat "$tmp/map"); do
	grep -q "\b$f(" $(find "$stage" -path '*/include/skm/*.h') || bad "$f not declared"
done

# --- the example, built with pkg-config against the staged install ---
mkdir -p "$tmp/example"
cp "$top_srcdir/contrib/libskm-example/gmk-accept.c" \
    "$top_srcdir/contrib/libskm-example/Makefile" "$tmp/example/"
xflags="-O2 -Wall -Wextra -Werror"
# a sanitized build's library needs the sanitizer runtime in the program too
nm -D "$so" | grep -q __asan_init && xflags="$xflags -fsanitize=address,undefined"
if PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$stage" \
    submake -C "$tmp/example" CFLAGS="$xflags" >"$tmp/build.log" 2>&1; then ok; else
	bad "the example does not build against the staged install"
	sed 's/^/  | /' "$tmp/build.log" | tail -n 20
fi
has "skm" "$tmp/build.log" "the build used pkg-config's flags"
example() { LD_LIBRARY_PATH="$libdir" "$tmp/example/gmk-accept" "$@"; }
LD_LIBRARY_PATH="$libdir" ldd "$tmp/example/gmk-accept" >"$tmp/ldd" 2>&1
has "libskm.so.1 => $libdir/libskm.so.1" "$tmp/ldd" "the example runs on the staged library"

# --- a domain mid-period (the key period cannot end during the test) ---
ctl() { "$CTL" --store "$tmp/store" "$@"; }
ks="$tmp/ks"
skmc() { "$SKMC" --keystore "$ks" "$@"; }
GMS=sip:gms@example.org
A=sip:alice@example.org
B=sip:bob@example.org
now=$(date +%s)
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --key-period 86400 \
    --key-offset $(( (now + 43200) % 86400 )) --kek-file "$tmp/kek.key" \
    --valid-from "@$((now - 86400))" &&
    ctl user add $A && ctl user add $B && ctl user add $GMS --role gms &&
    ctl cert export >"$tmp/cert.xml" &&
    ctl keyset derive $A --at "@$now" --out "$tmp/alice.xml" &&
    ctl keyset derive $B --at "@$now" --out "$tmp/bob.xml" &&
    ctl keyset derive $GMS --at "@$now" --out "$tmp/gms.xml" &&
    skmc --as $GMS import "$tmp/cert.xml" "$tmp/gms.xml" &&
    skmc --as $A import "$tmp/cert.xml" "$tmp/alice.xml" &&
    skmc --as $A group add g1 --gms $GMS; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the domain"
	exit 1
fi
field() { sed -n "s/^$1: //p" "$tmp/out" | head -n 1; }

# --- a GMK made by skmc, accepted through the public API ---
expect 0 "skmc gmk make" skmc --as $GMS gmk make --group g1 --to $A --out "$tmp/m1"
msg="$tmp/m1/sip_alice@example.org.xml"
expect 0 "example accepts" example "$tmp/cert.xml" "$tmp/alice.xml" $A "$msg"
has "^result: accepted" "$tmp/out" "example result"
lib_gmk=$(field gmk-id)
lib_guk=$(field guk-id)
same "$(field initiator)" "$GMS" "initiator"
same "$(field groups)" "g1" "groups"
expect 0 "skmc accepts the same message" skmc --as $A gmk accept "$msg"
same "$lib_gmk" "$(field gmk-id)" "GMK-ID through libskm and skmc"
same "$lib_guk" "$(field guk-id)" "GUK-ID through libskm and skmc"
[ -n "$lib_gmk" ] && ok || bad "no GMK-ID"

# --- refusals naming their check ---
expect 1 "another member's message" example "$tmp/cert.xml" "$tmp/bob.xml" $B "$msg"
has "^reason: check 2 receiver" "$tmp/out" "wrong receiver"
expect 1 "a key set of another member" example "$tmp/cert.xml" "$tmp/bob.xml" $A "$msg"
has "key set" "$tmp/err" "key set refused"
head -c 200 "$msg" >"$tmp/trunc.xml"
expect 1 "a truncated document" example "$tmp/cert.xml" "$tmp/alice.xml" $A "$tmp/trunc.xml"
has "^reason: check 1 message" "$tmp/out" "truncated document"

# --- hidden identities: accepted only from a GMS the receiver names ---
expect 0 "skmc gmk make hidden" skmc --as $GMS gmk make --group g1 --to $A --out "$tmp/m2" \
    --hide-identities
msg2="$tmp/m2/sip_alice@example.org.xml"
expect 1 "hidden initiator unknown" example "$tmp/cert.xml" "$tmp/alice.xml" $A "$msg2"
has "^reason: check 3 signature" "$tmp/out" "hidden initiator refused"
expect 0 "hidden initiator named" example "$tmp/cert.xml" "$tmp/alice.xml" $A "$msg2" \
    sip:other@example.org $GMS
same "$(field initiator)" "$GMS" "hidden initiator resolved"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
