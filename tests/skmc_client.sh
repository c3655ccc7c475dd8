#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional tests of skmc against a real skmsd over TLS on 127.0.0.1,
# with a temporary domain of 10-second key periods: init (with and without
# a client certificate), fetch of the current and next periods, status,
# keys show, certcache with an External certificate and an unchanged
# CacheNum, rollover across a period boundary with watch (and the purge
# of expired key sets), a revoked identity, a bad token, and the server
# stopped (exit 3).
set -u
. "${top_srcdir:-.}/tests/checks.sh"
wpid=
cleanup_extra() {
	[ -n "$wpid" ] && kill -9 "$wpid" 2>/dev/null
}

need_tools "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC"

ctl() { "$CTL" --store "$tmp/store" "$@"; }
A=sip:alice@example.org
B=sip:bob@example.org

# --- fixtures: a domain of 10 s key periods, a partner domain, TLS, tokens ---
PERIOD=10
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --key-period $PERIOD --kek-file "$tmp/kek.key" &&
    ctl user add $A && ctl user add $B &&
    "$CTL" --store "$tmp/partner" init --kms-uri kms.partner.example.net \
        --cert-uri cert.partner.example.net --key-period 86400 --kek-file "$tmp/kek.key" &&
    "$CTL" --store "$tmp/partner" cert export >"$tmp/partner.xml"; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the store"
	exit 1
fi
sed 's/Role="Root"/Role="External"/' "$tmp/partner.xml" >"$tmp/ext.xml"

if ! { mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkcert other /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkcert ca "/CN=skms test clients" "basicConstraints=critical,CA:true
keyUsage=keyCertSign" &&
    mkcert alice "/CN=alice" "subjectAltName=URI:$A" ca &&
    mkissuer iss &&
    "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/forger.key"; } \
    >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make keys and certificates"
	exit 1
fi

ISS=https://sim.example.org
token() {	# token FILE SUB [KEY]: a token file, mode 0600
	"$MINT" --key "${3:-$tmp/iss.key}" --iss "$ISS" --aud skms --sub "$2" --ttl 3600 >"$1" &&
	chmod 0600 "$1"
}
token "$tmp/alice.tok" $A
token "$tmp/bob.tok" $B
token "$tmp/forged.tok" $A "$tmp/forger.key"

C="$tmp/skms.yaml"
write_conf() {
	cat >"$C" <<EOF
store:
  path: $tmp/store
kek:
  file: $tmp/kek.key
server:
  listen: [127.0.0.1:$port]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  tls-client-ca: $tmp/ca.pem
  client-cert-identity: true
  workers: 2
  metrics-listen: 127.0.0.1:$mport
tokens:
  required-scope: 3gpp:seal:km
  issuers:
    - issuer: $ISS
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
period:
  window-past: 1
  window-future: 1
# How many requests a loop or a retry makes depends on the machine's
# speed: no rate limit here (skmsd_rate.sh tests it).
ratelimit:
  burst: 0
log:
  level: info
EOF
}
start() {
	start_skmsd "$C" write_conf
}
start
URL="https://127.0.0.1:$port"

ksA="$tmp/ks-alice"
skmc() { "$SKMC" --keystore "$ksA" "$@"; }
# Leaves at least 4 s before the next period boundary.
settle() {
	s=$(( ($(date +%s) + 2208988800) % PERIOD ))
	if [ $s -ge $((PERIOD - 4)) ]; then sleep $((PERIOD - s + 1)); fi
}

# --- init ---
expect 2 "init without --uri" skmc init --server "$URL"
expect 1 "init with a bad token" "$SKMC" --keystore "$tmp/ks-forged" init --server "$URL" \
    --uri $A --token-file "$tmp/forged.tok" --cacert "$tmp/server.pem"
has "HTTP 401" "$tmp/err" "bad token: the status"
has "access token refused" "$tmp/err" "bad token: the server's reason"
if [ -e "$tmp/ks-forged" ]; then bad "bad token: keystore created"; else ok; fi
expect 1 "init with the wrong CA" "$SKMC" --keystore "$tmp/ks-ca" init --server "$URL" \
    --uri $A --token-file "$tmp/alice.tok" --cacert "$tmp/other.pem"
has "certificate\|SSL\|TLS" "$tmp/err" "wrong CA: reason"
expect 0 "init" skmc init --server "$URL" --uri $A --token-file "$tmp/alice.tok" \
    --cacert "$tmp/server.pem" --client-cert "$tmp/alice.pem" --client-key "$tmp/alice.key"
has "kms-uri: kms.example.org" "$tmp/out" "init KMS"
has "^server $URL$" "$ksA/sip%3Aalice@example.org/identity" "server stored"
has "Role=\"Root\"" "$ksA/sip%3Aalice@example.org/root.xml" "Root certificate stored"

# --- fetch, status, keys show ---
# The fetch is repeated (at most 5 times) if a period boundary passed
# while it ran, so its periods are those of one moment however slow it is.
period_now() { echo $(( ($(date +%s) + 2208988800) / PERIOD )); }
try=0
while [ $try -lt 5 ]; do
	try=$((try + 1))
	settle
	cur=$(period_now)
	skmc fetch >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$(period_now)" = "$cur" ] && break
done
same "$rc" 0 "fetch"
has "fetched: period $cur$" "$tmp/out" "fetched the current period"
has "fetched: period $((cur + 1))$" "$tmp/out" "fetched the next period"
expect 0 "status" skmc status
has "periods:.* $cur $((cur + 1))" "$tmp/out" "status: both periods"
has "server: $URL" "$tmp/out" "status: server"
expect 0 "status --json" skmc status --json
has "\"next_fetch_unix\":[0-9]" "$tmp/out" "json next fetch"
expect 0 "keys show" skmc keys show --period $((cur + 1))
has "^period: $((cur + 1))$" "$tmp/out" "keys show period"
hasnt "^ssk\|^rsk" "$tmp/out" "keys show: no private parts"
expect 0 "fetch --next" skmc fetch --next
expect 0 "fetch --period" skmc fetch --period "$cur"
expect 1 "fetch outside the server's window" skmc fetch --period $((cur + 50))
has "HTTP 403" "$tmp/err" "outside window: status"

# --- certcache ---
expect 0 "certcache, empty" skmc certcache
has "certificates: 0" "$tmp/out" "certcache empty"
expect 0 "external add" ctl external add "$tmp/ext.xml"
expect 0 "certcache with an External certificate" skmc certcache
has "changed: yes" "$tmp/out" "certcache changed"
has "external: kms.partner.example.net" "$tmp/out" "certcache external"
num=$(sed -n 's/^cache-num: //p' "$tmp/out")
expect 0 "certcache again" skmc certcache
has "changed: no" "$tmp/out" "certcache unchanged"
has "cache-num: $num$" "$tmp/out" "certcache CacheNum kept"
has "certificates: 1" "$tmp/out" "certcache still holds the certificate"

# --- a revoked identity ---
expect 0 "init bob" "$SKMC" --keystore "$tmp/ks-bob" init --server "$URL" --uri $B \
    --token-file "$tmp/bob.tok" --cacert "$tmp/server.pem"
expect 0 "revoke bob" ctl user revoke $B
expect 1 "fetch for a revoked identity" "$SKMC" --keystore "$tmp/ks-bob" fetch
has "revoked" "$tmp/err" "revoked: reason"
n=$(find "$tmp/ks-bob" -path '*/keys/*' -type f | wc -l)
if [ "$n" -eq 0 ]; then ok; else bad "revoked: $n key sets stored"; fi

# --- rollover with watch: the next period fetched before its boundary ---
printf 'watch-window = 50\nretry-min = 1\nretry-max = 2\npurge-grace = 0\n' >"$tmp/w.conf"
"$SKMC" --config "$tmp/w.conf" --keystore "$ksA" watch 2>"$tmp/watch.log" &
wpid=$!
# Waits for the fetch of a next period and then for the rollover into it.
rolled() {
	fetched=$(sed -n 's/.*fetched period \([0-9]*\), .*/\1/p' "$tmp/watch.log" | head -n 1)
	[ -n "$fetched" ] && grep -q "rollover: period $fetched is current" "$tmp/watch.log"
}
wait_until 120 rolled
has "next fetch: period [0-9]* at " "$tmp/watch.log" "watch: fetch planned"
has "fetched period [0-9]*, [0-9]* s before its start" "$tmp/watch.log" \
    "watch: fetched before the boundary"
has "rollover: period" "$tmp/watch.log" "watch: rollover logged"
roll=$(sed -n 's/.*rollover: period \([0-9]*\) is current/\1/p' "$tmp/watch.log" | tail -n 1)
if [ -n "$fetched" ] && [ "$fetched" = "$roll" ]; then ok; else
	bad "watch fetched period '$fetched', rolled over to '$roll'"
fi
has "purged" "$tmp/watch.log" "watch: expired key sets purged"
kill -TERM "$wpid"
wait "$wpid"
rc=$?
wpid=
if [ "$rc" -eq 0 ]; then ok; else bad "watch exit $rc after SIGTERM"; fi
has "stopping" "$tmp/watch.log" "watch: stop logged"
has "^[0-9-]*T[0-9:]*Z skmc: watch: " "$tmp/watch.log" "watch: timestamps"
expect 0 "status after rollover" skmc status
hasnt "periods:.* $cur " "$tmp/out" "status: the expired period is gone"
has "periods:.* $fetched" "$tmp/out" "status: the watched period"

# --- the server stopped: unreachable ---
kill -TERM "$pid"
wait "$pid" 2>/dev/null
pid=
expect 3 "fetch with the server stopped" skmc fetch --next
has "fetch" "$tmp/err" "unreachable: reason"
expect 3 "certcache with the server stopped" skmc certcache
expect 3 "init with the server stopped" "$SKMC" --keystore "$tmp/ks-none" init \
    --server "$URL" --uri $A --token-file "$tmp/alice.tok" --cacert "$tmp/server.pem"

echo "skmc_client: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
