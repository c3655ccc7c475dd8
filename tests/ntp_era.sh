#!/bin/sh
# SPDX-License-Identifier: ISC
# NTP era 1: skmsd, skmsctl, the token minter and skmc run with their
# clocks started at 2036-03-01 12:00:00 UTC (libfaketime), after the
# 32-bit NTP seconds wrapped on 2036-02-07. A /keyprov/<uri>/<time> path
# with a time of the current period is served, and a GMK I_MESSAGE whose
# T payload carries the sending time in its 32 bits of seconds is
# accepted. curl, which checks nothing against the time but the server
# certificate, runs on the real clock. Skipped without faketime.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC"

# Each program's clock starts at FT and runs on from there.
FT='@2036-03-01 12:00:00'
T0=2087985600				# FT in Unix seconds
NTP0=$((T0 + 2208988800))		# in NTP seconds, era 1: over 2^32
[ "$NTP0" -gt 4294967295 ] || { echo "FAIL: $NTP0 is not in NTP era 1"; exit 1; }
# libfaketime is preloaded directly rather than through the faketime
# program: that wrapper makes a named semaphore from its pid, and a stale
# one left in /dev/shm (a reused pid in a container) makes it fail. The
# daemon has worker threads, hence the multi-threaded library, used for
# every program alike.
lib=
for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 \
    /usr/local/lib/faketime/libfaketimeMT.so.1; do
	if [ -r "$f" ]; then lib=$f; break; fi
done
if [ -z "$lib" ]; then
	echo "SKIP: libfaketimeMT.so.1 not found"
	exit 77
fi
# A sanitizer build wants its runtime first in the preload list; libfaketime
# only replaces clock calls, so the order does not matter here.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
in2036() {
	LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" FAKETIME="$FT" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"
}
if [ "$(in2036 date -u +%Y)" != 2036 ]; then
	echo "SKIP: faketime does not move the clock here"
	exit 77
fi
cat >"$tmp/skmsd" <<EOF
#!/bin/sh
LD_PRELOAD="$lib" FAKETIME="$FT" FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$SKMSD" "\$@"
EOF
chmod +x "$tmp/skmsd"

ctl() { in2036 "$CTL" --store "$tmp/store" "$@"; }
ks="$tmp/ks"
as() {	# as URI COMMAND...: skmc as that identity, in 2036
	who=$1
	shift
	in2036 "$SKMC" --keystore "$ks" --as "$who" "$@"
}
field() { sed -n "s/^$1: //p" "$tmp/out" | head -n 1; }

GMS=sip:gms@example.org
A=sip:alice@example.org

# --- the domain, made in 2036 (one-day key periods), and TLS valid then ---
# Its certificate from a week back: the day before is asked for below.
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --key-period 86400 --kek-file "$tmp/kek.key" \
    --valid-from "@$((T0 - 7 * 86400))" &&
    ctl user add $A && ctl user add $GMS --role gms &&
    "$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/server.key" -out "$tmp/server.pem" -subj /CN=127.0.0.1 -days 7300 \
	-addext "subjectAltName=IP:127.0.0.1" &&
    chmod 0600 "$tmp/server.key" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the domain"
	exit 1
fi

conf="$tmp/skms.yaml"
write_conf() {
	cat >"$conf" <<EOF2
store:
  path: $tmp/store
kek:
  file: $tmp/kek.key
server:
  listen: [127.0.0.1:$port]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  workers: 2
  metrics-listen: 127.0.0.1:$mport
tokens:
  required-scope: 3gpp:seal:km
  issuers:
    - issuer: https://sim.example.org
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
# How many requests a loop or a retry makes depends on the machine's
# speed: no rate limit here (skmsd_rate.sh tests it).
ratelimit:
  burst: 0
log:
  level: info
EOF2
}
SKMSD="$tmp/skmsd" start_skmsd "$conf" write_conf

mint() {	# mint SUB: a token minted in 2036
	in2036 "$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms \
	    --sub "$1" --ttl 3600
}

# --- skmsd: the 32-bit seconds of a /keyprov time are read in era 1 ---
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
AA="Authorization: Bearer $(mint $A)"
cur=$((NTP0 / 86400))	# noon: the daemon stays in this period for 12 hours
post() {	# post PATH: the HTTP status; the body in $tmp/b
	curl -sS -g --cacert "$tmp/server.pem" --max-time 20 -o "$tmp/b" -w '%{http_code}' \
	    -X POST -H "$AA" "$BASE$1" 2>"$tmp/cerr"
}
same "$(post /keyprov)" 200 "keyprov now"
has "<KeyPeriodNo>$cur</KeyPeriodNo>" "$tmp/b" "skmsd runs in 2036"
# The time on the wire: its NTP seconds modulo 2^32, fraction 0.
t32=$(printf '%08x00000000' $(( (NTP0 + 60) % 4294967296 )))
same "$(post "/keyprov/$A/$t32")" 200 "keyprov at a time of this period ($t32)"
has "<KeyPeriodNo>$cur</KeyPeriodNo>" "$tmp/b" "keyprov at a time: the current period"
t32=$(printf '%08X00000000' $(( (NTP0 - 86400) % 4294967296 )))
same "$(post "/keyprov/$A/$t32")" 200 "keyprov a day earlier ($t32)"
has "<KeyPeriodNo>$((cur - 1))</KeyPeriodNo>" "$tmp/b" "keyprov a day earlier: previous period"
# The TS 33.179 D.2 example, 2014, is 22 years ago: outside the window.
same "$(post "/keyprov/$A/D6B4323200000000")" 403 "keyprov in 2014"

# --- skmc: a GMK I_MESSAGE sent and accepted in 2036 ---
for who in $GMS $A; do
	name=${who#sip:}
	mint "$who" >"$tmp/$name.token" 2>"$tmp/err" || bad "mint $who"
	chmod 0600 "$tmp/$name.token"
	expect 0 "init $who" in2036 "$SKMC" --keystore "$ks" init \
	    --server "https://127.0.0.1:$port" --uri "$who" --token-file "$tmp/$name.token" \
	    --cacert "$tmp/server.pem"
	expect 0 "fetch $who" as "$who" fetch
done
expect 0 "group add" as $A group add g1 --gms $GMS
expect 0 "gms create" as $GMS gms create g1
expect 0 "gms add" as $GMS gms add g1 $A
expect 0 "gms rekey" as $GMS gms rekey g1 --out "$tmp/out1"
gmk1=$(field gmk-id)
expect 0 "alice accepts a GMK sent in 2036" as $A gmk accept "$tmp/out1/sip_alice@example.org.xml"
same "$(field gmk-id)" "$gmk1" "accepted GMK-ID"
hasnt "outside the window" "$tmp/out" "T payload read in era 1"

echo "ntp_era: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
