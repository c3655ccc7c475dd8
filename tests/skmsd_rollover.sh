#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional test of a master-secret and Root certificate rollover over
# real TLS, with 60-second key periods: skmsctl domain rollover schedules
# one at the next period boundary while skmsd runs; KeyProv for the
# current period gives key sets under the old CertUri and for the next
# under the new one (a key set precomputed before the rollover is not
# served); every key set is checked with skmc import against the
# certificate its CertUri names, and against the other one, which must
# refuse it (a key set fetched before the boundary once its certificate
# is valid: skmc import refuses a certificate before its ValidFrom); Init carries the next certificate in the skms extension and
# validates against tests/data/kms-response.xsd; domain show states; after
# the boundary (waited for) Init gives the new certificate and requests
# shaped like a deployed client's (empty body, Init then KeyProv without a
# time) get the new keys; purge-retired is refused while the window still
# reaches the old secrets, and purges them once it does not; a second
# rollover two boundaries ahead has its first period precomputed with the
# new secrets and served from the cache.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl xmllint "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC"

ctl() { "$CTL" --store "$tmp/store" "$@"; }
A=sip:alice@example.org
OLD=cert.kms.example.org
NEW=cert.kms.example.org.g1

PERIOD=60
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --cert-uri $OLD --key-period $PERIOD \
    --kek-file "$tmp/kek.key" && ctl user add $A &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the store and keys"
	exit 1
fi

ISS=https://sim.example.org
TOKEN=$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub $A)
AA="Authorization: Bearer $TOKEN"

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
    - issuer: $ISS
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
period:
  window-past: 1
  window-future: 1
precompute:
  lead-time: 59s
cache:
  max-entries: 1000
ratelimit:
  burst: 0
log:
  level: info
EOF2
}
C="$tmp/skms.yaml"
start_skmsd "$C" write_conf

BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
CURL="curl -sS -g --cacert $tmp/server.pem --max-time 20"

cur_period() { echo $(( ($(date +%s) + 2208988800) / PERIOD )); }
ntp_hex() { printf '%08x00000000' $(( $1 * PERIOD + PERIOD / 2 )); }
unix_start() { echo $(( $1 * PERIOD - 2208988800 )); }

# call WHAT PATH OUT [curl arguments]: a POST to BASE/PATH that must be
# answered 200 with a KmsResponse valid against the schema, kept in OUT.
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

# checks KEYSET CERTURI WHAT: the key set passes skmc import with the
# certificate CERTURI names (exported by skmsctl) and fails with the other.
checks() {
	for u in $OLD $NEW; do
		rm -rf "$tmp/ks"
		if ! ctl cert export --cert-uri $u >"$tmp/cert.xml" 2>"$tmp/err"; then
			bad "$3: cert export $u"
			cat "$tmp/err"
			continue
		fi
		if [ $u = "$2" ]; then
			expect 0 "$3: key set checks against $u" \
			    "$SKMC" --keystore "$tmp/ks" --as $A import "$tmp/cert.xml" "$1"
		else
			expect 1 "$3: key set refused against $u" \
			    "$SKMC" --keystore "$tmp/ks" --as $A import "$tmp/cert.xml" "$1"
		fi
	done
}

# --- before the rollover: one certificate, no extension ---
# 20 s or more before the next boundary, and past the start-up precomputation.
s=$(( ($(date +%s) + 2208988800) % PERIOD ))
if [ $s -ge $((PERIOD - 25)) ]; then sleep $((PERIOD - s + 3)); fi
wait_until 30 grep -q "precompute: key sets of period" "$tmp/log" || true
cur=$(cur_period)
call "init, nothing scheduled" /init "$tmp/init0.xml" -H "$AA"
hasnt "NextKmsCertificate" "$tmp/init0.xml" "init: no next certificate yet"
same "$(certuri "$tmp/init0.xml")" $OLD "init: the certificate in force"
# The next period's key set, precomputed and cached under the old secrets.
call "next period before the rollover" "/keyprov/$A/$(ntp_hex $((cur + 1)))" \
    "$tmp/pre.xml" -H "$AA"
same "$(certuri "$tmp/pre.xml")" $OLD "next period before the rollover: old CertUri"

# --- schedule the rollover at the next boundary, skmsd running ---
expect 2 "rollover without --at" ctl domain rollover
expect 2 "rollover with a bad --cert-uri" ctl domain rollover --at "@$(date +%s)" \
    --cert-uri 'not a uri'
expect 1 "rollover in the past" ctl domain rollover --at "@$(unix_start $((cur - 1)))"
has "has begun already" "$tmp/err" "rollover in the past: reason"
expect 1 "rollover reusing the CertUri" ctl domain rollover \
    --at "@$(unix_start $((cur + 1)))" --cert-uri $OLD
has "generation 0" "$tmp/err" "CertUri in use: reason"
# One second after the last boundary: the first period starting at or
# after it is the next one.
expect 0 "rollover" ctl domain rollover --at "@$(( $(unix_start "$cur") + 1 ))"
cp "$tmp/out" "$tmp/rollover.out"
has "^cert-uri: $NEW$" "$tmp/rollover.out" "rollover: derived CertUri"
has "^effective-period: $((cur + 1))$" "$tmp/rollover.out" "rollover: next period"
expect 1 "second rollover while one is scheduled" ctl domain rollover \
    --at "@$(unix_start $((cur + 2)))" --cert-uri cert2.kms.example.org
has "already scheduled" "$tmp/err" "second rollover: reason"
expect 0 "audit" ctl audit
has "domain rollover" "$tmp/out" "rollover audited"
expect 0 "domain show" ctl domain show
cp "$tmp/out" "$tmp/show.out"
same "$(grep -A2 "^certificate: $OLD$" "$tmp/show.out" | grep '^state:')" "state: current" \
    "show: old certificate current"
same "$(grep -A2 "^certificate: $NEW$" "$tmp/show.out" | grep '^state:')" "state: next" \
    "show: new certificate next"
has "^effective-period: $((cur + 1))$" "$tmp/show.out" "show: effective period"
expect 0 "purge-retired with nothing retired" ctl domain purge-retired
has "^purged: 0$" "$tmp/out" "nothing purged"

# --- Init and KeyProv before the boundary ---
call "init, rollover scheduled" /init "$tmp/init1.xml" -H "$AA"
same "$(certuri "$tmp/init1.xml")" $OLD "init: still the old certificate in force"
has '<skms:NextKmsCertificate xmlns:skms="urn:skms:kms-ext:1">' "$tmp/init1.xml" \
    "init: extension element"
same "$(sed -n '/NextKmsCertificate/,/\/skms:NextKmsCertificate/p' "$tmp/init1.xml" |
    sed -n 's|.*<CertUri>\([^<]*\)<.*|\1|p')" $NEW "init: next certificate's CertUri"
same "$(sed -n '/NextKmsCertificate/,/\/skms:NextKmsCertificate/p' "$tmp/init1.xml" |
    sed -n 's|.*<ValidFrom>\([^<]*\)<.*|\1|p')" \
    "$(sed -n 's/^effective-from: //p' "$tmp/rollover.out")" "init: next ValidFrom is the boundary"
ctl cert export --cert-uri $NEW >"$tmp/new.xml" 2>/dev/null
same "$(sed -n '/NextKmsCertificate/,/\/skms:NextKmsCertificate/p' "$tmp/init1.xml" |
    grep -o '<PubEncKey>[^<]*')" "$(grep -o '<PubEncKey>[^<]*' "$tmp/new.xml")" \
    "init: next certificate's Z is the exported one"
call "keyprov, current period" "/keyprov/$A/$(ntp_hex "$cur")" "$tmp/k0.xml" -H "$AA"
same "$(certuri "$tmp/k0.xml")" $OLD "current period: old CertUri"
checks "$tmp/k0.xml" $OLD "current period"
call "keyprov, next period" "/keyprov/$A/$(ntp_hex $((cur + 1)))" "$tmp/k1.xml" -H "$AA"
same "$(certuri "$tmp/k1.xml")" $NEW "next period: new CertUri"
has "<KeyPeriodNo>$((cur + 1))</KeyPeriodNo>" "$tmp/k1.xml" "next period: number"
# skmc import refuses a certificate before its ValidFrom: this key set is
# checked after the boundary.
has "rollover: 1 new generation of master secrets loaded" "$tmp/log" "skmsd logged the rollover"
# A deployed client: Init and KeyProv, empty bodies, no time.
call "deployed init before" /init "$tmp/d0.xml" -H "$AA" --data-binary ''
same "$(certuri "$tmp/d0.xml")" $OLD "deployed init before: old certificate"
call "deployed keyprov before" "/keyprov/$A" "$tmp/d1.xml" -H "$AA" --data-binary ''
if [ "$(cur_period)" = "$cur" ]; then
	same "$(certuri "$tmp/d1.xml")" $OLD "deployed keyprov before: old CertUri"
	checks "$tmp/d1.xml" $OLD "deployed keyprov before"
fi

# --- across the boundary ---
after() { [ "$(cur_period)" -gt "$cur" ]; }
if wait_until 90 after; then ok; else bad "the boundary did not come"; fi
checks "$tmp/k1.xml" $NEW "next period, fetched before the boundary"
call "init after" /init "$tmp/init2.xml" -H "$AA" --data-binary ''
same "$(certuri "$tmp/init2.xml")" $NEW "init after: new certificate"
hasnt "NextKmsCertificate" "$tmp/init2.xml" "init after: nothing scheduled"
call "deployed keyprov after" "/keyprov/$A" "$tmp/d2.xml" -H "$AA" --data-binary ''
same "$(certuri "$tmp/d2.xml")" $NEW "deployed keyprov after: new CertUri"
checks "$tmp/d2.xml" $NEW "deployed keyprov after"
call "previous period after" "/keyprov/$A/$(ntp_hex "$cur")" "$tmp/k2.xml" -H "$AA"
same "$(certuri "$tmp/k2.xml")" $OLD "previous period after: old CertUri"
checks "$tmp/k2.xml" $OLD "previous period after"
expect 0 "domain show after" ctl domain show
same "$(grep -A2 "^certificate: $OLD$" "$tmp/out" | grep '^state:')" "state: retired" \
    "show after: old certificate retired"
same "$(grep -A2 "^certificate: $NEW$" "$tmp/out" | grep '^state:')" "state: current" \
    "show after: new certificate current"
has "^cert-uri: $NEW$" "$tmp/out" "show after: certificate in force"

# --- purge-retired ---
expect 1 "purge-retired while the window reaches the old secrets" \
    "$CTL" --config "$C" domain purge-retired
has "still reaches" "$tmp/err" "purge refused: reason"
expect 0 "old certificate still listed" ctl domain show
has "^certificate: $OLD$" "$tmp/out" "old certificate kept"
# With no past periods in the window nothing reaches them any more.
sed 's/window-past: 1/window-past: 0/' "$C" >"$tmp/nopast.yaml"
expect 0 "purge-retired, window without past periods" \
    "$CTL" --config "$tmp/nopast.yaml" domain purge-retired
has "^purged: 1$" "$tmp/out" "one generation purged"
expect 0 "domain show after purge" ctl domain show
hasnt "^certificate: $OLD$" "$tmp/out" "old certificate gone"
expect 1 "purged certificate cannot be exported" ctl cert export --cert-uri $OLD
expect 0 "audit" ctl audit
has "domain purge-retired" "$tmp/out" "purge audited"
call "keyprov after the purge" "/keyprov/$A" "$tmp/d3.xml" -H "$AA"
same "$(certuri "$tmp/d3.xml")" $NEW "after the purge: new CertUri"

# --- precomputation derives a period with its own generation ---
# A second rollover two boundaries ahead: the precomputation of its first
# period, one second into the period before it, must use the new secrets,
# and a KeyProv for that period is then served from the cache.
c1=$(cur_period)
G2=cert.kms.example.org.g2
expect 0 "second rollover" ctl domain rollover --at "@$(unix_start $((c1 + 2)))"
has "^cert-uri: $G2$" "$tmp/out" "second rollover: suffix replaced"
has "^effective-period: $((c1 + 2))$" "$tmp/out" "second rollover: period"
if wait_until 90 grep -q "precompute: key sets of period $((c1 + 2)) ready" "$tmp/log"; then
	ok
else
	bad "period $((c1 + 2)) was not precomputed"
	tail -n 20 "$tmp/log"
fi
hit0=$(metric_value "$mport" 'skms_cache_lookups_total{result="hit"}')
der0=$(metric_value "$mport" skms_keysets_derived_total)
call "keyprov, precomputed period of the next generation" \
    "/keyprov/$A/$(ntp_hex $((c1 + 2)))" "$tmp/k3.xml" -H "$AA"
same "$(certuri "$tmp/k3.xml")" $G2 "precomputed: new CertUri"
same "$(metric_value "$mport" 'skms_cache_lookups_total{result="hit"}')" $((hit0 + 1)) \
    "precomputed: served from the cache"
same "$(metric_value "$mport" skms_keysets_derived_total)" "$der0" "precomputed: nothing derived"
# The same keys as skmsctl derives for that period, and not under the
# certificate in force.
ctl keyset derive $A --period $((c1 + 2)) --out "$tmp/k3ctl.xml" >/dev/null 2>&1
same "$(grep -o '<UserDecryptKey[^>]*>[^<]*' "$tmp/k3.xml")" \
    "$(grep -o '<UserDecryptKey[^>]*>[^<]*' "$tmp/k3ctl.xml")" "precomputed: the period's own RSK"
rm -rf "$tmp/ks"
ctl cert export --cert-uri $NEW >"$tmp/cert.xml" 2>/dev/null
expect 1 "precomputed: refused against the certificate in force" \
    "$SKMC" --keystore "$tmp/ks" --as $A import "$tmp/cert.xml" "$tmp/k3.xml"

echo "skmsd_rollover: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
