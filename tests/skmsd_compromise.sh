#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional test of the emergency rollover of a suspected master-secret
# compromise over real TLS: skmsctl domain rollover --now --revoke-current
# while skmsd runs. Before it, requests shaped like a deployed client's
# (Init, then KeyProv, empty bodies, no time) get the certificate and key
# sets of the current period under the old CertUri (the key set is cached
# then); after it, the same requests get the new certificate and a key set
# of the same period under the new one that validates under it; the old
# certificate is served with Revoked true (CertCache, skmsctl cert export)
# and nothing under it is issued, for the current period, the next
# (precomputed before) or the previous one (ErrorCode 40308). The option
# checks refuse without changing anything; a rollover scheduled before is
# replaced; every step is audited; purge-retired refuses while the window
# reaches the revoked secrets. skmc: a fetch that gets key sets under the
# new certificate learns the revocation, drops the key sets under the
# revoked one and fetches new ones; certcache does the same for another
# identity; a GMK signed under the revoked certificate is refused naming
# it, one signed under the new one accepted. The clock matters (a key
# period boundary must not fall inside the test): skmsd, skmsctl, skmc and
# the token minter run with their clocks started at a fixed time by
# libfaketime; curl runs on the real clock.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl xmllint "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC"

FT='@2031-03-01 12:00:00'
T0=1930132800				# FT in Unix seconds
lib=
for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 \
    /usr/local/lib/faketime/libfaketimeMT.so.1; do
	if [ -r "$f" ]; then lib=$f; break; fi
done
if [ -z "$lib" ]; then
	echo "SKIP: libfaketimeMT.so.1 not found"
	exit 77
fi
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export ASAN_OPTIONS
# then_exec COMMAND...: the shell becomes COMMAND at the faked time; started
# with &, $! is then COMMAND itself, which a kill stops. then_: in a subshell.
then_exec() {
	LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" FAKETIME="$FT" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$@"
}
then_() { (then_exec "$@"); }
if [ "$(then_ date -u +%s | cut -c1-6)" != "$(echo $T0 | cut -c1-6)" ]; then
	echo "SKIP: faketime does not move the clock here"
	exit 77
fi
cat >"$tmp/skmsd" <<EOF
#!/bin/sh
LD_PRELOAD="$lib" FAKETIME="$FT" FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$SKMSD" "\$@"
EOF
chmod +x "$tmp/skmsd"
SKMSD=$tmp/skmsd

ctl() { then_ "$CTL" --store "$tmp/store" "$@"; }
ks="$tmp/ks"
as() {	# as URI COMMAND...: skmc as that identity
	who=$1
	shift
	then_ "$SKMC" --keystore "$ks" --as "$who" "$@"
}
GMS=sip:gms@example.org
A=sip:alice@example.org
B=sip:bob@example.org
OLD=cert.kms.example.org
G1=cert.kms.example.org.g1
NEW=cert.kms.example.org.g2
PERIOD=86400
CUR=$(( (T0 + 2208988800) / PERIOD ))	# the key period of the whole test

# --- the domain (one-day key periods, its certificate from a week back) ---
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --cert-uri $OLD --key-period $PERIOD \
    --kek-file "$tmp/kek.key" --valid-from "@$((T0 - 7 * PERIOD))" &&
    ctl user add $A && ctl user add $B && ctl user add $GMS --role gms &&
    "$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/server.key" -out "$tmp/server.pem" -subj /CN=127.0.0.1 -days 7300 \
	-addext "subjectAltName=IP:127.0.0.1" &&
    chmod 0600 "$tmp/server.key" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the domain"
	exit 1
fi

C="$tmp/skms.yaml"
write_conf() {
	cat >"$C" <<EOF2
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
  issuers:
    - issuer: https://sim.example.org
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
period:
  window-past: 1
  window-future: 1
cache:
  max-entries: 1000
ratelimit:
  burst: 0
log:
  level: info
EOF2
}
start_skmsd "$C" write_conf
same "$(then_ date -u +%Y-%m-%d)" 2031-03-01 "the clock of the test"

for who in $GMS $A $B; do
	name=${who#sip:}
	then_ "$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms \
	    --sub "$who" >"$tmp/$name.token" 2>"$tmp/err" || bad "mint $who"
	chmod 0600 "$tmp/$name.token"
done
AA="Authorization: Bearer $(cat "$tmp/alice@example.org.token")"
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
CURL="curl -sS -g --cacert $tmp/server.pem --max-time 20"

# call WHAT PATH OUT [curl arguments]: a POST to BASE/PATH answered 200 with a
# KmsResponse valid against the schema, kept in OUT.
call() {
	what=$1
	path=$2
	out=$3
	shift 3
	code=$($CURL -o "$out" -w '%{http_code}' -X POST "$@" "$BASE$path" 2>"$tmp/cerr")
	if [ "$code" = 200 ]; then ok; else
		bad "$what: HTTP $code"
		sed 's/^/  | /' "$out" "$tmp/cerr" | head -n 20
		return
	fi
	if xmllint --noout --schema "$XSD" "$out" >"$tmp/xmllint" 2>&1; then ok; else
		bad "$what: not valid against kms-response.xsd"
		sed 's/^/  | /' "$tmp/xmllint" | head -n 10
	fi
}
certuri() { sed -n 's|.*<CertUri>\([^<]*\)</CertUri>.*|\1|p' "$1" | head -n 1; }
ntp_hex() { printf '%08x00000000' $(( $1 * PERIOD + PERIOD / 2 )); }

# validates KEYSET CERTURI WHAT: the key set passes skmc import with the
# certificate CERTURI names, as skmsctl exports it.
validates() {
	rm -rf "$tmp/imp"
	if ! ctl cert export --cert-uri "$2" >"$tmp/cert.xml" 2>"$tmp/err"; then
		bad "$3: cert export $2"
		cat "$tmp/err"
		return
	fi
	expect 0 "$3: the key set validates under $2" \
	    then_ "$SKMC" --keystore "$tmp/imp" --as $A import "$tmp/cert.xml" "$1"
}

# --- skmc: both identities initialise and fetch; the GMS signs a GMK ---
for who in $GMS $A $B; do
	name=${who#sip:}
	expect 0 "init $who" then_ "$SKMC" --keystore "$ks" init \
	    --server "https://127.0.0.1:$port" --uri "$who" --token-file "$tmp/$name.token" \
	    --cacert "$tmp/server.pem"
	expect 0 "fetch $who" as "$who" fetch
done
expect 0 "alice's profile names the GMS" as $A group add g1 --gms $GMS
expect 0 "a GMK under the old certificate" as $GMS gmk make --group g1 --to $A \
    --out "$tmp/gmk_old"
[ -s "$tmp/gmk_old/sip_alice@example.org.xml" ] && ok || bad "no message for alice"

# bob's skmc watch holds both key sets and asks for revocations every second.
printf 'retry-min = 1\nretry-max = 1\n' >"$tmp/w.conf"
then_exec "$SKMC" --config "$tmp/w.conf" --keystore "$ks" --as $B watch 2>"$tmp/watch.log" &
wpid=$!
cleanup_extra() { kill "$wpid" 2>/dev/null; }
if wait_until 60 grep -q -e "period $((CUR + 1)) is stored" -e "next check for a rollover" \
    "$tmp/watch.log"; then ok; else
	bad "watch: both periods not stored"
	cat "$tmp/watch.log"
fi

# --- before: a deployed client's Init and KeyProv ---
call "init before" /init "$tmp/i0.xml" -H "$AA" --data-binary ''
same "$(certuri "$tmp/i0.xml")" $OLD "init before: the old certificate"
call "keyprov before" /keyprov/$A "$tmp/k0.xml" -H "$AA" --data-binary ''
same "$(certuri "$tmp/k0.xml")" $OLD "keyprov before: old CertUri"
has "<KeyPeriodNo>$CUR</KeyPeriodNo>" "$tmp/k0.xml" "keyprov before: the current period"
validates "$tmp/k0.xml" $OLD "keyprov before"
cp "$tmp/cert.xml" "$tmp/old_cert.xml"
call "next period before" "/keyprov/$A/$(ntp_hex $((CUR + 1)))" "$tmp/n0.xml" -H "$AA"
same "$(certuri "$tmp/n0.xml")" $OLD "next period before: old CertUri"
hit0=$(metric_value "$mport" 'skms_cache_lookups_total{result="hit"}')
call "keyprov before, again" /keyprov/$A "$tmp/k0b.xml" -H "$AA" --data-binary ''
same "$(metric_value "$mport" 'skms_cache_lookups_total{result="hit"}')" $((hit0 + 1)) \
    "keyprov before: the key set is cached"

# --- the option checks refuse and change nothing ---
expect 2 "--revoke-current without --now" ctl domain rollover --revoke-current
has "only with --now" "$tmp/err" "--revoke-current alone: reason"
expect 2 "--now without --revoke-current" ctl domain rollover --now
has "only with --revoke-current" "$tmp/err" "--now alone: reason"
expect 2 "--now with --at" ctl domain rollover --now --revoke-current --at "@$T0"
has "not with --at" "$tmp/err" "--now with --at: reason"
expect 0 "domain show after the refusals" ctl domain show
same "$(grep -c '^certificate: ' "$tmp/out")" 1 "refusals: one certificate"

# --- a rollover scheduled at the next boundary, then the emergency ---
expect 0 "scheduled rollover" ctl domain rollover --at "@$((T0 + PERIOD / 2))"
has "^cert-uri: $G1$" "$tmp/out" "scheduled: its CertUri"
call "init, rollover scheduled" /init "$tmp/i1.xml" -H "$AA" --data-binary ''
has "NextKmsCertificate" "$tmp/i1.xml" "init: the scheduled certificate announced"
# a copy of alice's keystore takes the scheduled certificate up as the next one
mkdir "$tmp/ks3"
cp -Rp "$ks/sip%3Aalice@example.org" "$tmp/ks3/"
expect 0 "copy: fetch --next" then_ "$SKMC" --keystore "$tmp/ks3" --as $A fetch --next
has "^next-cert-uri: $G1$" "$tmp/out" "copy: the scheduled certificate held as next"
expect 0 "emergency rollover" ctl domain rollover --now --revoke-current
cp "$tmp/out" "$tmp/emergency.out"
has "^generation: 2$" "$tmp/emergency.out" "emergency: generation"
has "^cert-uri: $NEW$" "$tmp/emergency.out" "emergency: CertUri"
has "^effective-period: $CUR$" "$tmp/emergency.out" "emergency: from the current period"
has "^revoked: $OLD$" "$tmp/emergency.out" "emergency: the revoked certificate"
expect 0 "audit" ctl audit
has "domain rollover --now --revoke-current" "$tmp/out" "emergency audited"
has "revoking generation 0 ($OLD)" "$tmp/out" "audit: the revoked generation"
has "replacing scheduled generation 1 ($G1)" "$tmp/out" "audit: the replaced one"
expect 0 "domain show" ctl domain show
cp "$tmp/out" "$tmp/show.out"
has "^cert-uri: $NEW$" "$tmp/show.out" "show: the new certificate in force"
same "$(grep -A3 "^certificate: $OLD$" "$tmp/show.out" | grep '^revoked:')" \
    "revoked: true" "show: old certificate revoked"
same "$(grep -A2 "^certificate: $OLD$" "$tmp/show.out" | grep '^state:')" \
    "state: retired" "show: old certificate retired"
same "$(grep -A3 "^certificate: $NEW$" "$tmp/show.out" | grep '^revoked:')" \
    "revoked: false" "show: new certificate not revoked"
hasnt "^certificate: $G1$" "$tmp/show.out" "show: the scheduled one is gone"
expect 0 "cert export of the old certificate" ctl cert export --cert-uri $OLD
has "<Revoked>true</Revoked>" "$tmp/out" "export: Revoked true"

# --- after: the same requests, to the running skmsd ---
call "init after" /init "$tmp/i2.xml" -H "$AA" --data-binary ''
same "$(certuri "$tmp/i2.xml")" $NEW "init after: the new certificate"
hasnt "NextKmsCertificate" "$tmp/i2.xml" "init after: nothing scheduled"
has "<Revoked>false</Revoked>" "$tmp/i2.xml" "init after: not revoked"
call "keyprov after" /keyprov/$A "$tmp/k2.xml" -H "$AA" --data-binary ''
same "$(certuri "$tmp/k2.xml")" $NEW "keyprov after: new CertUri"
has "<KeyPeriodNo>$CUR</KeyPeriodNo>" "$tmp/k2.xml" "keyprov after: the same period"
validates "$tmp/k2.xml" $NEW "keyprov after"
if [ "$(grep -o '<UserDecryptKey[^>]*>[^<]*' "$tmp/k0.xml")" != \
    "$(grep -o '<UserDecryptKey[^>]*>[^<]*' "$tmp/k2.xml")" ]; then ok; else
	bad "keyprov after: the cached key set of the old secrets was served"
fi
call "next period after" "/keyprov/$A/$(ntp_hex $((CUR + 1)))" "$tmp/n2.xml" -H "$AA"
same "$(certuri "$tmp/n2.xml")" $NEW "next period after: new CertUri, not $OLD or $G1"
code=$($CURL -o "$tmp/p2.xml" -w '%{http_code}' -X POST -H "$AA" \
    "$BASE/keyprov/$A/$(ntp_hex $((CUR - 1)))" 2>"$tmp/cerr")
same "$code" 403 "previous period under the revoked certificate: refused"
has "<ErrorCode>40308</ErrorCode>" "$tmp/p2.xml" "previous period: error code"
call "certcache" /certcache "$tmp/cc.xml" -H "$AA" --data-binary ''
has "<CertUri>$OLD</CertUri>" "$tmp/cc.xml" "certcache: the old certificate"
has "<Revoked>true</Revoked>" "$tmp/cc.xml" "certcache: Revoked true"
hasnt "<CertUri>$NEW</CertUri>" "$tmp/cc.xml" "certcache: not the one in force"
hasnt 'CacheNum="0"' "$tmp/cc.xml" "certcache: CacheNum moved"
has "rollover: 1 new generation of master secrets loaded" "$tmp/log" \
    "skmsd took the emergency rollover up"
has "rollover: [0-9]* cached key sets of other generations dropped" "$tmp/log" \
    "skmsd dropped the cached key sets of the old secrets"

# --- purge-retired: the window still reaches the revoked secrets ---
expect 1 "purge-retired while the window reaches them" \
    then_ "$CTL" --config "$C" domain purge-retired
has "still reaches" "$tmp/err" "purge refused: reason"
expect 0 "domain show after the refused purge" ctl domain show
has "^certificate: $OLD$" "$tmp/out" "the revoked certificate kept"

# --- offline: importing the CertCache response into a copy of alice's keystore ---
mkdir "$tmp/ks2"
cp -Rp "$ks/sip%3Aalice@example.org" "$tmp/ks2/"
expect 0 "import of the CertCache response" then_ "$SKMC" --keystore "$tmp/ks2" \
    --as $A import "$tmp/cc.xml"
has "^revoked: $OLD$" "$tmp/out" "import: revocation taken up"
has "^dropped: 2 key sets$" "$tmp/out" "import: the old key sets dropped"
same "$(ls "$tmp/ks2/sip%3Aalice@example.org/keys" | grep -c '\.xml$')" 0 \
    "import: no key set left"
expect 1 "import: the revoked Root refuses GMK messages" then_ "$SKMC" \
    --keystore "$tmp/ks2" --as $A gmk accept --no-fetch \
    "$tmp/gmk_old/sip_alice@example.org.xml"
has "certificate $OLD is revoked by the KMS" "$tmp/err" "import: the refusal names it"
expect 1 "import: the revoked certificate, as exported before, is no Root again" \
    then_ "$SKMC" --keystore "$tmp/ks2" --as $A import "$tmp/old_cert.xml"
has "certificate $OLD was revoked by the KMS" "$tmp/err" "import: the Root refused"

# --- skmc: alice's fetch learns the revocation ---
expect 0 "alice's status before she learns it" as $A status
has "^certificate-revoked: no$" "$tmp/out" "status: not known yet"
expect 0 "alice fetches" as $A fetch
f="$ks/sip%3Aalice@example.org"
has "<CertUri>$NEW</CertUri>" "$f/root.xml" "alice: the new Root"
has "<CertUri>$NEW</CertUri>" "$f/keys/$CUR.xml" "alice: the current key set is new"
has "<CertUri>$NEW</CertUri>" "$f/keys/$((CUR + 1)).xml" "alice: the next key set is new"
same "$(grep -l "<CertUri>$OLD</CertUri>" "$f"/keys/*.xml 2>/dev/null | wc -l)" 0 \
    "alice: no key set under the revoked certificate"
ls "$f"/revoked/*.xml >/dev/null 2>&1 && ok || bad "alice: the revoked certificate kept"
expect 0 "alice's status" as $A status
has "^certificate-revoked: no$" "$tmp/out" "status: the new Root is not revoked"
has "^revoked: $OLD$" "$tmp/out" "status: the revocation listed"
has "^certificate: $NEW current" "$tmp/out" "status: the new certificate in force"
hasnt "^certificate: $OLD " "$tmp/out" "status: the revoked one out of the set"

# --- the copy that held the scheduled certificate: withdrawn by the emergency ---
expect 0 "copy: fetch after the emergency" then_ "$SKMC" --keystore "$tmp/ks3" --as $A fetch
expect 0 "copy: status" then_ "$SKMC" --keystore "$tmp/ks3" --as $A status
has "^next-cert-uri: none$" "$tmp/out" "copy: the withdrawn certificate is no next one"
same "$(grep -c '^certificate: ' "$tmp/out")" 1 "copy: one certificate held"
has "^certificate: $NEW current $CUR $((CUR + 1))$" "$tmp/out" \
    "copy: the new certificate with both key sets"
has "^revoked: $OLD$" "$tmp/out" "copy: the revocation listed"

# --- bob's watch learns it at its next check ---
if wait_until 60 grep -q "certificate $OLD was revoked by the KMS" "$tmp/watch.log"; then
	ok
else
	bad "watch: the revocation not taken up"
	cat "$tmp/watch.log"
fi
has "certificate $NEW taken up" "$tmp/watch.log" "watch: the new certificate"
fb="$ks/sip%3Abob@example.org"
if wait_until 60 grep -q "<CertUri>$NEW</CertUri>" "$fb/keys/$CUR.xml"; then ok; else
	bad "watch: no key set of the current period under the new certificate"
	cat "$tmp/watch.log"
fi
has "fetched period $CUR" "$tmp/watch.log" "watch: fetched the current period again"
hasnt "failed" "$tmp/watch.log" "watch: no failure"

# --- the GMK signed under the revoked certificate is refused ---
expect 1 "GMK under the revoked certificate" as $A gmk accept \
    "$tmp/gmk_old/sip_alice@example.org.xml"
has "signed under certificate $OLD, which the KMS revoked" "$tmp/out" \
    "GMK refused: the revocation named"

# --- the GMS learns it from certcache, then signs under the new certificate ---
expect 0 "GMS certcache" as $GMS certcache
has "^revoked: $OLD$" "$tmp/out" "certcache: revocation taken up"
has "^dropped: 2 key sets$" "$tmp/out" "certcache: the old key sets dropped"
has "^root: $NEW$" "$tmp/out" "certcache: the new Root"
has "^fetched: period $CUR$" "$tmp/out" "certcache: new key sets fetched"
expect 0 "a GMK under the new certificate" as $GMS gmk make --group g1 --to $A \
    --out "$tmp/gmk_new"
expect 0 "alice accepts it" as $A gmk accept "$tmp/gmk_new/sip_alice@example.org.xml"
has "^result: success" "$tmp/out" "GMK under the new certificate accepted"

echo "skmsd_compromise: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
