#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional tests of skmsd's KMS API over real TLS on 127.0.0.1, with a
# temporary domain (60-second key periods), tokens from skms-mint-token
# and a store managed with skmsctl while the daemon runs: every endpoint,
# XML validity against tests/data/kms-response.xsd, deployed-client
# requests, the authorisation matrix, the period window, client
# certificates, enrolment, the audit log, the cache, precomputation, and
# a list of malformed requests each answered with its own refusal.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
nbad=0

need_tools curl xmllint "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL"

ctl() { "$CTL" --store "$tmp/store" "$@"; }

# --- fixtures: domain, identities, TLS and client certificates, issuer keys ---
PERIOD=60
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
future=$(( $(date +%s) + 86400 ))
# The certificate from a day back: the previous period is asked for below,
# and no key set of a period wholly before ValidFrom is issued.
if ! { ctl init --kms-uri kms.example.org --key-period $PERIOD --kek-file "$tmp/kek.key" \
    --valid-from "@$(( future - 2 * 86400 ))" &&
    ctl user add sip:alice@example.org &&
    ctl user add sip:bob@example.org &&
    ctl user add sip:carol@example.org &&
    ctl user add sip:frank@example.org &&
    ctl user add sip:erin@example.org --valid-from "@$future" &&
    ctl user add https://gms.example.org --role gms; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the store"
	exit 1
fi
# Identities allowed in the next period: alice, bob, carol, frank, the GMS.
NACTIVE=5

if ! { mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkcert ca "/CN=skms test clients" "basicConstraints=critical,CA:true
keyUsage=keyCertSign" &&
    mkcert alice "/CN=alice" "subjectAltName=URI:sip:alice@example.org" ca &&
    mkcert nouri "/CN=nouri" "subjectAltName=DNS:client.example.org" ca &&
    mkissuer iss &&
    "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/forger.key" &&
    "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa.key"; } \
    >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make keys and certificates"
	exit 1
fi

ISS=https://sim.example.org
mint() {	# mint SUB [skms-mint-token options]
	sub=$1
	shift
	"$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub "$sub" "$@"
}

write_conf() {	# write_conf [enroll]
	cat >"$C" <<EOF2
store:
  path: ${STORE:-$tmp/store}
  map-size: ${MAPSIZE:-1G}
kek:
  file: $tmp/kek.key
server:
  listen: [127.0.0.1:$port]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  tls-client-ca: $tmp/ca.pem
  client-cert-identity: true
  enroll-on-first-token: ${1:-false}
  workers: 2
  max-body-size: 64K
  metrics-listen: 127.0.0.1:$mport
  user: "${SKUSER:-}"
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
precompute:
  lead-time: 59s
  batch-size: 2
cache:
  max-entries: ${CACHEMAX:-1000}
ratelimit:
  burst: 0
audit:
  group-commit: true
  commit-window-ms: ${WINDOW:-20}
log:
  level: info
EOF2
}

C="$tmp/skms.yaml"
start() {
	start_skmsd "$C" write_conf
}
start

BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
CURL="curl -sS -g --cacert $tmp/server.pem --max-time 20"
XML="Content-Type: application/xml"

metric() {	# metric NAME-PATTERN: its value, 0 when absent
	curl -sS --max-time 5 "http://127.0.0.1:$mport/metrics" |
	    awk -v m="$1" 'index($0, m " ") == 1 { print $2; f = 1 } END { if (!f) print 0 }'
}

# The current key period (NTP seconds / PERIOD, offset 0) and a time inside period p.
cur_period() { echo $(( ($(date +%s) + 2208988800) / PERIOD )); }
ntp_hex() { printf '%08x00000000' $(( $1 * PERIOD + PERIOD / 2 )); }
ntp_HEX() { printf '%08X00000000' $(( $1 * PERIOD + PERIOD / 2 )); }
# Waits until a period-sensitive block has 15 s before the next boundary and
# the precomputation of the next period (1 s after a boundary) has run.
settle() {
	s=$(( ($(date +%s) + 2208988800) % PERIOD ))
	if [ $s -ge $((PERIOD - 15)) ]; then sleep $((PERIOD - s + 3)); fi
	if [ $s -lt 3 ]; then sleep $((3 - s)); fi
}

validate() {	# validate FILE WHAT: well-formed and valid KmsResponse
	if xmllint --noout --schema "$XSD" "$1" >"$tmp/xmllint" 2>&1; then ok; else
		bad "$2: not valid against kms-response.xsd"
		sed 's/^/  | /' "$tmp/xmllint" | head -n 10
	fi
}

# call WANT WHAT PATH [curl arguments]: a POST (unless the arguments say
# otherwise) to BASE/PATH; checks the status, validates an XML body, and
# for a refusal checks the KmsError code when WANT is a 5-digit ErrorCode.
call() {
	want=$1
	what=$2
	path=$3
	shift 3
	status=${want%??}
	[ ${#want} -eq 3 ] && status=$want
	code=$($CURL -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' --path-as-is -X POST "$@" \
	    "$BASE$path" 2>"$tmp/cerr")
	if [ "$code" = "$status" ]; then ok; else
		bad "$what: HTTP $code, expected $status"
		sed 's/^/  | /' "$tmp/b" "$tmp/cerr" | head -n 20
		return
	fi
	if grep -q '^<?xml' "$tmp/b" 2>/dev/null; then
		validate "$tmp/b" "$what"
		has "^Content-Type: application/xml" "$tmp/h" "$what: content type"
	fi
	has "^Cache-Control: no-store" "$tmp/h" "$what: no-store"
	if [ ${#want} -eq 5 ]; then
		has "<ErrorCode>$want</ErrorCode>" "$tmp/b" "$what: ErrorCode"
	fi
}
# refuse WANT WHAT PATH [curl arguments]: one kind of bad input.
refuse() {
	nbad=$((nbad + 1))
	call "$@"
}

ALICE=$(mint sip:alice@example.org --jti alice-jti-1)
BOB=$(mint sip:bob@example.org)
CAROL=$(mint sip:carol@example.org)
FRANK=$(mint sip:frank@example.org)
ERIN=$(mint sip:erin@example.org)
DAVE=$(mint sip:dave@example.org)
GMS=$(mint https://gms.example.org)
AA="Authorization: Bearer $ALICE"

# --- precomputation: with a 59 s lead, the next period is derived at start-up ---
derived_all() { [ "$(metric skms_keysets_derived_total)" -ge $NACTIVE ]; }
wait_until 60 derived_all
same "$(metric skms_keysets_derived_total)" "$NACTIVE" "next period precomputed, no request made"
same "$(metric 'skms_cache_lookups_total{result="miss"}')" 0 "no lookups before requests"
has "precompute: key sets of period" "$tmp/log" "precompute logged"
# The gauge names that period, or a later one if another run has ended since.
ready=$(sed -n 's/.*precompute: key sets of period \([0-9]*\) ready.*/\1/p' "$tmp/log" | head -n 1)
precomputed_gauge() { [ "$(metric skms_precomputed_period)" -ge "${ready:-1}" ]; }
if [ -n "$ready" ] && wait_until 60 precomputed_gauge; then ok; else
	bad "skms_precomputed_period $(metric skms_precomputed_period), expected at least ${ready:-a period}"
fi

# --- every endpoint, valid XML ---
call 200 "init" /init -H "$AA"
has "<KmsCertificate Role=\"Root\" Version=\"1.1.0\">" "$tmp/b" "init: Root certificate"
has "<UserUri>sip:alice@example.org</UserUri>" "$tmp/b" "init: UserUri is the caller"
has "<KmsUri>kms.example.org</KmsUri>" "$tmp/b" "init: KmsUri"
same "$(grep -c '<KmsUri>kms.example.org</KmsUri>' "$tmp/b")" 2 "init: KmsUri byte-identical twice"
has "<ClientReqUrl>https://127.0.0.1:$port/keymanagement/identity/v1/init</ClientReqUrl>" \
    "$tmp/b" "init: ClientReqUrl"
has "<UserKeyPeriod>$PERIOD</UserKeyPeriod>" "$tmp/b" "init: key period"
cp "$tmp/b" "$tmp/init.xml"
call 200 "certcache" /certcache -H "$AA"
has 'KmsCertCache CacheNum="0" Version="1.0.0"' "$tmp/b" "certcache: CacheNum 0"
call 200 "certcache/0" /certcache/0 -H "$AA"
ctl cert export >"$tmp/ext.xml" 2>/dev/null
sed -e 's/Role="Root"/Role="External"/' -e 's|<KmsUri>kms.example.org<|<KmsUri>kms.partner.example<|' \
    -e 's|<CertUri>[^<]*</CertUri>||' "$tmp/ext.xml" |
    sed 's|<KmsUri>kms.partner.example</KmsUri>|<CertUri>cert.partner.example</CertUri><KmsUri>kms.partner.example</KmsUri>|' \
    >"$tmp/partner.xml"
if ctl external add "$tmp/partner.xml" >"$tmp/out" 2>&1; then ok; else bad "external add"; cat "$tmp/out"; fi
call 200 "certcache after an External certificate" /certcache -H "$AA"
has 'CacheNum="1"' "$tmp/b" "certcache: CacheNum 1"
has 'Role="External"' "$tmp/b" "certcache: External certificate"
has "kms.partner.example" "$tmp/b" "certcache: partner KMS"
call 200 "certcache/1 is current" /certcache/1 -H "$AA"
hasnt "<KmsCertificate" "$tmp/b" "certcache/1: nothing new"
call 200 "certcache/0 is stale" /certcache/0 -H "$AA"
has "kms.partner.example" "$tmp/b" "certcache/0: full cache"

# --- key provisioning, the cache, the deployed client ---
settle
cur=$(cur_period)
call 200 "keyprov" /keyprov -H "$AA"
has "<KeyPeriodNo>$cur</KeyPeriodNo>" "$tmp/b" "keyprov: current period"
has "<UserUri>sip:alice@example.org</UserUri>" "$tmp/b" "keyprov: own identity"
has "<UserID>[0-9a-f]\{64\}</UserID>" "$tmp/b" "keyprov: UserID"
same "$(grep -c '<KmsKeySet' "$tmp/b")" 1 "keyprov: one key set"
same "$(grep -o '<UserDecryptKey[^>]*>[0-9A-F]*<' "$tmp/b" | sed 's/.*>//; s/<//' | tr -d '\n' | wc -c)" \
    514 "keyprov: RSK on one line, 257 octets"
cp "$tmp/b" "$tmp/ks1.xml"
# The previous period was never precomputed: the first request derives it,
# the second (as the deployed client sends it: empty body, raw URI,
# lower-case time, Accept and Content-Type) is served from the cache.
miss0=$(metric 'skms_cache_lookups_total{result="miss"}')
hit0=$(metric 'skms_cache_lookups_total{result="hit"}')
der0=$(metric skms_keysets_derived_total)
call 200 "previous period, first request" "/keyprov/sip%3Aalice%40example.org/$(ntp_HEX $((cur - 1)))" \
    -H "$AA"
has "<KeyPeriodNo>$((cur - 1))</KeyPeriodNo>" "$tmp/b" "previous period number"
cp "$tmp/b" "$tmp/ks0.xml"
same "$(metric 'skms_cache_lookups_total{result="miss"}')" $((miss0 + 1)) "first request misses"
same "$(metric skms_keysets_derived_total)" $((der0 + 1)) "first request derives"
call 200 "deployed-client request" "/keyprov/sip:alice@example.org/$(ntp_hex $((cur - 1)))" \
    -H "$AA" -H "$XML" -H "Accept: application/xml" --data-binary ''
same "$(metric 'skms_cache_lookups_total{result="hit"}')" $((hit0 + 1)) "second request hits the cache"
same "$(metric skms_keysets_derived_total)" $((der0 + 1)) "second request derives nothing"
same "$(grep -v -e '<Time>' -e '<ClientReqUrl>' "$tmp/b" | cksum)" \
    "$(grep -v -e '<Time>' -e '<ClientReqUrl>' "$tmp/ks0.xml" | cksum)" "cached reply equals the derived one"
call 200 "percent-encoded URI, upper-case time" \
    "/keyprov/sip%3Aalice%40example.org/$(ntp_HEX "$cur")" -H "$AA"
has "<KeyPeriodNo>$cur</KeyPeriodNo>" "$tmp/b" "encoded: period"
call 200 "KmsRequest body (Version 1.0.0, local time)" /keyprov -H "$AA" -H "$XML" --data-binary \
    '<?xml version="1.0"?><KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.0.0" Id="kmsRequest"><UserUri>sip:alice@example.org</UserUri><KmsUri>kms.example.org</KmsUri><Time>2026-01-01T10:00:00</Time><ClientReqUrl>https://kms.example.org/keymanagement/identity/v1/keyprov</ClientReqUrl></KmsRequest>'
# A deployed client writes its server base URL as KmsUri in signed requests (kmsreq.h).
call 200 "KmsRequest with the server base URL as KmsUri" /keyprov -H "$AA" -H "$XML" --data-binary \
    '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.0.0" Id="kmsRequest"><UserUri>sip:alice@example.org</UserUri><KmsUri>https://kms.example.org:8443</KmsUri><Time>2026-01-01T10:00:00</Time></KmsRequest>'
has "<KmsUri>kms.example.org</KmsUri>" "$tmp/b" "base URL KmsUri: answered with the KMS URI"
# A SignedKmsRequest is verified (skmsd_tk.sh): one without signature is refused.
refuse 40023 "SignedKmsRequest without Signature-ID or signature" /keyprov -H "$AA" -H "$XML" \
    --data-binary '<SignedKmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsRequest Version="1.0.0" Id="kmsRequest"><UserUri>sip:alice@example.org</UserUri><KmsUri>https://kms.example.org:8443</KmsUri><Time>2026-01-01T10:00:00</Time></KmsRequest></SignedKmsRequest>'
call 200 "KmsRequest with the server base URL and a slash as KmsUri" /init -H "$AA" -H "$XML" \
    --data-binary '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsUri>https://kms.example.org/</KmsUri></KmsRequest>'
# --- the period window ---
call 200 "previous period" "/keyprov/sip:alice@example.org/$(ntp_hex $((cur - 1)))" -H "$AA"
has "<KeyPeriodNo>$((cur - 1))</KeyPeriodNo>" "$tmp/b" "previous period number"
hit1=$(metric 'skms_cache_lookups_total{result="hit"}')
der1=$(metric skms_keysets_derived_total)
call 200 "next period (precomputed)" "/keyprov/sip:alice@example.org/$(ntp_hex $((cur + 1)))" -H "$AA"
has "<KeyPeriodNo>$((cur + 1))</KeyPeriodNo>" "$tmp/b" "next period number"
same "$(metric 'skms_cache_lookups_total{result="hit"}')" $((hit1 + 1)) "next period served from the precomputed cache"
same "$(metric skms_keysets_derived_total)" "$der1" "next period not derived on request"
# The batched derivation of the precomputation equals the single one of skmsctl.
keyfields() {
	grep -o -e '<UserID>[0-9a-f]*<' -e '<UserDecryptKey[^>]*>[0-9A-Fa-f]*<' \
	    -e '<UserSigningKeySSK[^>]*>[0-9A-Fa-f]*<' -e '<UserPubTokenPVT[^>]*>[0-9A-Fa-f]*<' "$1"
}
if ctl keyset derive sip:alice@example.org --period $((cur + 1)) --out "$tmp/offline.xml" \
    >"$tmp/out" 2>&1; then ok; else bad "keyset derive"; cat "$tmp/out"; fi
keyfields "$tmp/b" >"$tmp/served.keys"
keyfields "$tmp/offline.xml" >"$tmp/offline.keys"
same "$(wc -l <"$tmp/served.keys" | tr -d ' ')" 4 "precomputed key set has UID, RSK, SSK, PVT"
if cmp -s "$tmp/served.keys" "$tmp/offline.keys"; then ok; else
	bad "precomputed key set differs from skmsctl keyset derive"
	diff "$tmp/served.keys" "$tmp/offline.keys" | head -n 8
fi
refuse 40306 "two periods back" "/keyprov/sip:alice@example.org/$(ntp_hex $((cur - 2)))" -H "$AA"
refuse 40306 "two periods ahead" "/keyprov/sip:alice@example.org/$(ntp_hex $((cur + 2)))" -H "$AA"
refuse 40306 "far future" "/keyprov/sip:alice@example.org/FFFFFFFF00000000" -H "$AA"
refuse 40306 "1900" "/keyprov/sip:alice@example.org/0000000000000000" -H "$AA"

# --- the authorisation matrix ---
refuse 40302 "another identity's keys" /keyprov/sip:bob@example.org -H "$AA"
refuse 40302 "another identity, encoded" /keyprov/sip%3Abob%40example.org -H "$AA"
refuse 40302 "same user, other spelling" /keyprov/sip:Alice@example.org -H "$AA"
call 200 "bob's own keys" /keyprov/sip:bob@example.org -H "Authorization: Bearer $BOB"
call 200 "the GMS for its own URI (raw)" /keyprov/https://gms.example.org -H "Authorization: Bearer $GMS"
has "<UserUri>https://gms.example.org</UserUri>" "$tmp/b" "GMS key set"
call 200 "the GMS for its own URI (encoded)" "/keyprov/https%3A%2F%2Fgms.example.org/$(ntp_hex "$cur")" \
    -H "Authorization: Bearer $GMS"
refuse 40302 "the GMS for a user" /keyprov/sip:alice@example.org -H "Authorization: Bearer $GMS"
refuse 40303 "unknown identity" /keyprov -H "Authorization: Bearer $DAVE"
refuse 40305 "identity not yet valid" /keyprov -H "Authorization: Bearer $ERIN"
call 200 "init needs no registration" /init -H "Authorization: Bearer $DAVE"
if ctl user revoke sip:frank@example.org --period "$cur" --reason lost >"$tmp/out" 2>&1; then ok; else
	bad "period revoke"; cat "$tmp/out"; fi
refuse 40304 "revoked period" /keyprov -H "Authorization: Bearer $FRANK"
call 200 "next period of a period-revoked identity" \
    "/keyprov/sip:frank@example.org/$(ntp_hex $((cur + 1)))" -H "Authorization: Bearer $FRANK"
call 200 "carol before revocation" /keyprov -H "Authorization: Bearer $CAROL"
if ctl user revoke sip:carol@example.org --reason "device lost" >"$tmp/out" 2>&1; then ok; else
	bad "revoke"; cat "$tmp/out"; fi
refuse 40304 "carol at the next request after revocation" /keyprov -H "Authorization: Bearer $CAROL"
refuse 40304 "carol's next period (cached) after revocation" \
    "/keyprov/sip:carol@example.org/$(ntp_hex $((cur + 1)))" -H "Authorization: Bearer $CAROL"
ctl user reinstate sip:carol@example.org >/dev/null 2>&1
call 200 "carol reinstated" /keyprov -H "Authorization: Bearer $CAROL"

# --- tokens ---
refuse 40101 "no token" /keyprov
has '^WWW-Authenticate: Bearer realm="skms"' "$tmp/h" "no token: challenge"
hasnt 'error=' "$tmp/h" "no token: no error code (RFC 6750 3.1)"
refuse 40101 "Basic credentials" /keyprov -H "Authorization: Basic YWxpY2U6c2VjcmV0"
refuse 40102 "malformed token" /keyprov -H "Authorization: Bearer abc.def"
has 'error="invalid_token"' "$tmp/h" "malformed: invalid_token"
tokcase() {	# tokcase DESCRIPTION REASON TOKEN: the reason is logged, never sent
	refuse 40102 "$1" /keyprov -H "Authorization: Bearer $3"
	has "^WWW-Authenticate: Bearer realm=\"skms\", error=\"invalid_token\", error_description=\"access token refused\"" \
	    "$tmp/h" "$1: challenge"
	hasnt "$2" "$tmp/h" "$1: reason not in the headers"
	hasnt "$2" "$tmp/b" "$1: reason not in the body"
}
tokcase "expired token" "token expired" "$(mint sip:alice@example.org --exp-offset -3600)"
tokcase "token without exp" "token expired" "$(mint sip:alice@example.org --no-exp)"
tokcase "token not yet valid" "token not yet valid" "$(mint sip:alice@example.org --nbf-offset 3600)"
tokcase "wrong issuer" "token issuer unknown" \
    "$("$MINT" --key "$tmp/iss.key" --iss https://evil.example.org --aud skms --sub sip:alice@example.org)"
tokcase "wrong audience" "token audience is not this KMS" \
    "$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud other --sub sip:alice@example.org)"
tokcase "wrong scope" "token lacks the key management scope" "$(mint sip:alice@example.org --scope openid)"
tokcase "no scope" "token lacks the key management scope" "$(mint sip:alice@example.org --scope '')"
tokcase "forged signature" "token signature does not verify" \
    "$("$MINT" --key "$tmp/forger.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)"
tokcase "RS256 where only ES256 is allowed" "token algorithm not allowed" \
    "$("$MINT" --key "$tmp/rsa.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)"
tokcase "no identity" "token names no valid identity URI" "$(mint 'not a uri')"
b64url() { "$OPENSSL" base64 -A | tr '+/' '-_' | tr -d '='; }
payload=$(echo "$ALICE" | cut -d. -f2)
# An unsigned token is refused as such or as malformed (empty signature).
tokcase "alg none" "\(token algorithm not allowed\|malformed token\)" \
    "$(printf '{"alg":"none","typ":"JWT"}' | b64url).$payload."
tokcase "signature swapped from another token" "token signature does not verify" \
    "$(echo "$ALICE" | cut -d. -f1).$(echo "$BOB" | cut -d. -f2).$(echo "$ALICE" | cut -d. -f3)"
refuse 40102 "empty bearer token" /keyprov -H "Authorization: Bearer "
refuse 40102 "token too large" /keyprov -H "Authorization: Bearer $(head -c 6000 /dev/zero | tr '\0' a)"

# --- client certificates ---
CC="--cert $tmp/alice.pem --key $tmp/alice.key"
call 200 "client certificate alone" /keyprov $CC
has "<UserUri>sip:alice@example.org</UserUri>" "$tmp/b" "certificate identity"
call 200 "client certificate and matching token" /keyprov $CC -H "$AA"
refuse 40301 "client certificate and another identity's token" /keyprov $CC \
    -H "Authorization: Bearer $BOB"
refuse 40101 "client certificate without a URI" /keyprov --cert "$tmp/nouri.pem" --key "$tmp/nouri.key"

# --- malformed requests, each with its own refusal ---
for m in GET PUT DELETE; do
	refuse 40501 "method $m" /init -X "$m" -H "$AA"
	has "^Allow: POST" "$tmp/h" "method $m: Allow"
done
code=$($CURL -o /dev/null -w '%{http_code}' --head "$BASE/init" 2>/dev/null)
nbad=$((nbad + 1))
same "$code" 405 "method HEAD"
# Methods the HTTP layer does not know at all are its own 501.
for m in OPTIONS PATCH FROB; do
	nbad=$((nbad + 1))
	code=$($CURL -o /dev/null -w '%{http_code}' -X "$m" -H "$AA" "$BASE/init" 2>/dev/null)
	case "$code" in 405|501) ok ;; *) bad "method $m: HTTP $code" ;; esac
done
refuse 40401 "unknown endpoint" /frobnicate -H "$AA"
refuse 40401 "endpoint case" /Init -H "$AA"
refuse 40401 "KMS Cert (not served)" /cert -H "$AA"
refuse 40401 "tree root" / -H "$AA"
refuse 40402 "init with a segment" /init/extra -H "$AA"
refuse 40402 "keyprov with three segments" "/keyprov/sip:alice@example.org/$(ntp_hex "$cur")/x" -H "$AA"
refuse 40402 "certcache with two segments" /certcache/1/2 -H "$AA"
refuse 40403 "double slash" //init -H "$AA"
refuse 40403 "keyprov with a trailing slash" /keyprov/ -H "$AA"
refuse 40001 "truncated escape" /keyprov/sip%3 -H "$AA"
refuse 40001 "non-hex escape" /keyprov/sip%zzalice@example.org -H "$AA"
refuse 40002 "encoded NUL" /keyprov/sip:alice%00@example.org -H "$AA"
refuse 40003 "encoded slash" /keyprov/sip:alice%2F..%2F@example.org -H "$AA"
refuse 40004 "encoded CR LF (header injection)" "/keyprov/sip:alice%0D%0ASet-Cookie:%20x@example.org" -H "$AA"
refuse 40004 "encoded space" /keyprov/sip:alice%20@example.org -H "$AA"
refuse 40004 "invalid UTF-8" /keyprov/sip:alice%C3@example.org -H "$AA"
refuse 40004 "unknown URI scheme" /keyprov/ftp:alice -H "$AA"
refuse 40005 "identity URI too long" "/keyprov/sip:$(head -c 1100 /dev/zero | tr '\0' a)@example.org" -H "$AA"
refuse 40018 "raw double quote" '/keyprov/sip:a"b@example.org' -H "$AA"
refuse 40018 "raw backslash" '/keyprov/sip:a\b@example.org' -H "$AA"
refuse 40018 "raw curly brace" '/keyprov/sip:a{b}@example.org' -H "$AA"
refuse 40006 "time of 8 hex digits" /keyprov/sip:alice@example.org/D6B43232 -H "$AA"
refuse 40006 "time of 17 hex digits" /keyprov/sip:alice@example.org/D6B432320000000000 -H "$AA"
refuse 40007 "non-hex time" /keyprov/sip:alice@example.org/D6B4323Z00000000 -H "$AA"
refuse 40009 "negative CacheNum" /certcache/-1 -H "$AA"
refuse 40009 "CacheNum with a leading zero" /certcache/01 -H "$AA"
refuse 40009 "hex CacheNum" /certcache/0x1 -H "$AA"
refuse 40010 "CacheNum beyond 64 bits" /certcache/18446744073709551616 -H "$AA"
refuse 40011 "query string" "/init?debug=1" -H "$AA"
refuse 40012 "Host with a path" /init -H "$AA" -H "Host: evil.example.org/phish"
refuse 40012 "Host with a quote" /init -H "$AA" -H 'Host: a"b'
refuse 41501 "text/plain body" /init -H "$AA" -H "Content-Type: text/plain" --data-binary hello
refuse 41501 "form body" /init -H "$AA" --data-binary 'a=b'
refuse 40014 "body that is not XML" /init -H "$AA" -H "$XML" --data-binary 'hello'
refuse 40014 "truncated XML" /init -H "$AA" -H "$XML" --data-binary '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0">'
refuse 40015 "wrong namespace" /init -H "$AA" -H "$XML" \
    --data-binary '<KmsRequest xmlns="urn:example:other"><UserUri>sip:alice@example.org</UserUri></KmsRequest>'
refuse 40015 "wrong root element" /init -H "$AA" -H "$XML" \
    --data-binary '<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"/>'
refuse 40015 "XXE" /init -H "$AA" -H "$XML" --data-binary \
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>&x;</UserUri></KmsRequest>'
refuse 40015 "entity expansion" /init -H "$AA" -H "$XML" --data-binary \
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>&b;</UserUri></KmsRequest>'
refuse 40016 "KmsRequest for another user" /keyprov -H "$AA" -H "$XML" --data-binary \
    '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.1.0"><UserUri>sip:bob@example.org</UserUri></KmsRequest>'
refuse 40017 "KmsRequest for another KMS" /keyprov -H "$AA" -H "$XML" --data-binary \
    '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.1.0"><UserUri>sip:alice@example.org</UserUri><KmsUri>kms.evil.example</KmsUri></KmsRequest>'
refuse 40017 "KmsRequest for a base URL with a path" /keyprov -H "$AA" -H "$XML" --data-binary \
    '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsUri>https://kms.example.org:8443/kms</KmsUri></KmsRequest>'
refuse 40017 "KmsRequest for an http base URL" /keyprov -H "$AA" -H "$XML" --data-binary \
    '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><KmsUri>http://kms.example.org</KmsUri></KmsRequest>'
head -c 70000 /dev/zero | tr '\0' ' ' >"$tmp/big"
nbad=$((nbad + 1))
code=$($CURL -o /dev/null -w '%{http_code}' -X POST -H "$AA" -H "$XML" \
    --data-binary "@$tmp/big" "$BASE/init" 2>/dev/null)
case "$code" in 413|000) ok ;; *) bad "oversized body: HTTP $code" ;; esac
if [ "$nbad" -ge 40 ]; then ok; else bad "only $nbad kinds of bad input"; fi
call 200 "still serving after the bad input" /keyprov -H "$AA"
if kill -0 "$pid" 2>/dev/null; then ok; else bad "skmsd died"; fi

# --- enrolment on first token (SIGHUP) ---
refuse 40303 "newcomer before enrolment" /keyprov -H "Authorization: Bearer $(mint sip:new@example.org)"
write_conf true
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" 0
call 200 "newcomer enrolled on first token" /keyprov -H "Authorization: Bearer $(mint sip:new@example.org)"
ctl user show sip:new@example.org >"$tmp/out" 2>&1
has "active" "$tmp/out" "newcomer registered"
refuse 40101 "certificate alone does not enrol" /keyprov --cert "$tmp/nouri.pem" --key "$tmp/nouri.key"

# --- the audit log: each issued key set, client address, token id, no key bytes ---
ctl audit >"$tmp/audit" 2>&1
has "action: keyprov" "$tmp/audit" "audit: keyprov entries"
has "identity: sip:alice@example.org" "$tmp/audit" "audit: alice"
has "identity: https://gms.example.org" "$tmp/audit" "audit: the GMS"
has "client 127.0.0.1:[0-9]" "$tmp/audit" "audit: client address"
has "jti alice-jti-1" "$tmp/audit" "audit: token id"
has "certificate uri-san" "$tmp/audit" "audit: certificate caller"
has "period $cur" "$tmp/audit" "audit: period"
has "action: user enroll" "$tmp/audit" "audit: enrolment"
ssk=$(sed -n 's:.*<UserSigningKeySSK[^>]*>\([0-9A-F]*\)<.*:\1:p' "$tmp/ks1.xml")
hasnt "$ssk" "$tmp/audit" "audit: no key bytes"
hasnt "$(echo "$ssk" | tr 'A-F' 'a-f')" "$tmp/audit" "audit: no key bytes (lower case)"
ok200=$(curl -sS --max-time 5 "http://127.0.0.1:$mport/metrics" |
    sed -n 's/^skms_requests_total{endpoint="keyprov",status="200"} //p')
# The records reach the store from the audit journal (every 200 ms).
all_issued() { issued=$(ctl audit | grep -c "action: keyprov"); [ "$issued" = "$ok200" ]; }
wait_until 60 all_issued
same "$issued" "$ok200" "one audit entry per issued key set"
# Those records reached the disk in at least one journal write, and in no
# more writes than there are records.
disk_writes() { w=$(metric skms_audit_disk_writes_total); [ "$w" -ge 1 ]; }
wait_until 10 disk_writes
if [ "$w" -ge 1 ] && [ "$w" -le "$(ctl audit | grep -c "action: ")" ]; then ok; else
	bad "skms_audit_disk_writes_total $w: not between 1 and the records"
fi

# --- metrics and shutdown ---
if kill -0 "$pid" 2>/dev/null; then ok; else bad "skmsd died"; fi
kill -TERM "$pid"
n=0
while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if kill -0 "$pid" 2>/dev/null; then bad "skmsd did not stop on SIGTERM"; else
	wait "$pid"
	rc=$?
	same "$rc" 0 "exit status after SIGTERM"
fi
pid=
hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" "sanitizers quiet"

# --- audit archive while skmsd serves: a key set issued during an archive
# is audited once, in the archive or in the store; the usage gauges. Then
# a full store: once the audit records no longer fit, key sets are
# withheld (503); skmsd warns as the store passes 80%, and an archive lets
# it serve again without a restart. On a copy of the store, so that the
# sections below find it as they left it ---
halt() {	# SIGTERM the daemon and wait for it to exit
	kill -TERM "$pid"
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	wait "$pid" 2>/dev/null
	pid=
}
ctlc() { "$CTL" --config "$C" "$@"; }
keyprovs() {	# keyprov entries in the store and in the archive $1
	echo $(( $(ctlc audit | grep -c "action: keyprov") + $(grep -c '"action":"keyprov"' "$1") ))
}
ctl backup "$tmp/copy.mdb" >/dev/null 2>&1
"$CTL" --store "$tmp/copy" restore "$tmp/copy.mdb" >/dev/null 2>&1
STORE=$tmp/copy start
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
n=0
while [ "$(metric skms_store_map_size_bytes)" = 0 ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
same "$(metric skms_store_map_size_bytes)" 1073741824 "store map size gauge"
used=$(metric skms_store_used_bytes)
if [ "$used" -gt 0 ] && [ "$used" -lt 1073741824 ]; then ok; else bad "store used gauge: $used"; fi
before=$(ctlc audit | grep -c "action: keyprov")
urls=
for i in $(seq 1 500); do urls="$urls $BASE/keyprov"; done
$CURL -X POST -H "$AA" -w '\ncode=%{http_code}\n' $urls 2>/dev/null | grep '^code=' >"$tmp/codes" &
cpid=$!
n=0
while [ "$(ctlc audit | grep -c "action: keyprov")" -le "$before" ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
expect 0 "audit archive while skmsd serves" \
    ctlc audit archive --before "@$(( $(date +%s) + 3600 ))" --out "$tmp/served.jsonl"
wait "$cpid"
same "$(grep -c '^code=200' "$tmp/codes")" 500 "500 key sets issued during the archive"
ok200=$(metric 'skms_requests_total{endpoint="keyprov",status="200"}')
n=0
while [ "$(keyprovs "$tmp/served.jsonl")" != $((before + ok200)) ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
same "$(keyprovs "$tmp/served.jsonl")" $((before + ok200)) \
    "archive while serving: each key set audited once, archived or in the store"
halt
STORE=$tmp/copy MAPSIZE=1M WINDOW=0 start
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
before=$(ctlc audit | grep -c "action: keyprov")
urls=
for i in $(seq 1 1000); do urls="$urls $BASE/keyprov"; done
: >"$tmp/codes"
n=0
while ! grep -q '^code=503' "$tmp/codes" && [ $n -lt 20 ]; do
	$CURL -X POST -H "$AA" -w '\ncode=%{http_code}\n' $urls 2>/dev/null | grep '^code=' >>"$tmp/codes"
	n=$((n + 1))
done
has "^code=503" "$tmp/codes" "small store: key sets withheld once full"
has "store [0-9]*% full" "$tmp/log" "small store: the warning at 80%"
same "$(grep -c "store [0-9]*% full" "$tmp/log")" 1 "small store: one warning, not one per refresh"
n=0
while [ $(( $(metric skms_store_used_bytes) * 100 / 1048576 )) -lt 80 ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
same "$(metric skms_store_map_size_bytes)" 1048576 "small store: map size gauge"
if [ $(( $(metric skms_store_used_bytes) * 100 / 1048576 )) -ge 80 ]; then ok; else
	bad "small store: used gauge $(metric skms_store_used_bytes) under 80%"; fi
expect 0 "archive of a full store" \
    ctlc audit archive --before "@$(( $(date +%s) + 3600 ))" --out "$tmp/full.jsonl"
n=0
while code=$($CURL -o /dev/null -w '%{http_code}' -X POST -H "$AA" "$BASE/keyprov" 2>/dev/null);
    [ "$code" != 200 ] && [ $n -lt 150 ]; do
	sleep 0.2
	n=$((n + 1))
done
same "$code" 200 "after the archive, key sets are served again"
n=0
while [ $(( $(metric skms_store_used_bytes) * 100 / 1048576 )) -ge 50 ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
if [ $(( $(metric skms_store_used_bytes) * 100 / 1048576 )) -lt 50 ]; then ok; else
	bad "after the archive, used gauge $(metric skms_store_used_bytes)"; fi
ok200=$(metric 'skms_requests_total{endpoint="keyprov",status="200"}')
n=0
while [ "$(keyprovs "$tmp/full.jsonl")" != $((before + ok200)) ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
same "$(keyprovs "$tmp/full.jsonl")" $((before + ok200)) \
    "full store: each key set served audited once, archived or in the store"
halt
hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" "sanitizers quiet (archive)"

# --- started as root with server.user, skmsd still audits: the journal,
# in the store directory of the store's owner, is opened before the switch
# (it was opened after it, and skmsd did not start) ---
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	before=$(ctl audit | grep -c "action: keyprov")
	SKUSER=nobody
	start
	SKUSER=
	BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
	same "$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")" "$(id -u nobody)" \
	    "running as server.user nobody"
	call 200 "keyprov as server.user" /keyprov -H "$AA"
	halt
	same "$(ctl audit | grep -c "action: keyprov")" "$((before + 1))" \
	    "the key set served as server.user is audited"
else
	echo "note: not root: the server.user case does not apply (CI runs it as root)"
fi

# --- audit unavailable: a store that cannot grow refuses the audit records
# moving in from the journal; from then on key sets are withheld (503)
# while everything else is served. With no commit window not one key set
# leaves unaudited: those served before the refusal wait in the journal and
# move into the store once it has room ---
stop() {	# SIGTERM the daemon and wait for it to exit
	kill -TERM "$pid"
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	wait "$pid" 2>/dev/null
	pid=
}
seq 1 12000 | sed 's/^/sip:filler-&@example.org/' >"$tmp/ids"
if ctl user import "$tmp/ids" >"$tmp/out" 2>&1; then ok; else bad "user import"; cat "$tmp/out"; fi
before=$(ctl audit | grep -c "action: keyprov")
MAPSIZE=1M CACHEMAX=0 WINDOW=0 start
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
# fill N: key-set requests in rounds of N on one connection until the first
# 503, at most 200 rounds; every status code in $tmp/codes. How many are
# served before the store refuses depends on when the importer next runs
# (every 200 ms), so the rounds go on until it has, however fast they are.
fill() {
	urls=
	for i in $(seq 1 "$1"); do urls="$urls $BASE/keyprov"; done
	: >"$tmp/codes"
	rounds=0
	while [ $rounds -lt 200 ] && ! grep -q '^code=503' "$tmp/codes"; do
		rounds=$((rounds + 1))
		$CURL -X POST -H "$AA" -w '\ncode=%{http_code}\n' $urls 2>/dev/null |
		    grep '^code=' >>"$tmp/codes"
	done
	sent=$((rounds * $1))
}
fill 100
served=$(grep -c '^code=200' "$tmp/codes")
echo "full store: $served of $sent served before the store refused their records"
same "$(wc -l <"$tmp/codes" | tr -d ' ')" "$sent" "full store: every request answered"
has "^code=503" "$tmp/codes" "full store: key sets withheld"
hasnt "^code=[^25]" "$tmp/codes" "full store: only 200 or 503"
call 50302 "full store: the refusal" /keyprov -H "$AA"
call 200 "full store: init still served" /init -H "$AA"
has "cannot move records into the store" "$tmp/log" "full store: the refusal is logged"
same "$(ctl audit | grep -c "action: keyprov")" "$before" "full store: nothing moved in"
stop
hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" "sanitizers quiet (full store)"
# A start with room: the journal moves in before anything is served.
CACHEMAX=0 WINDOW=0 start
same "$(ctl audit | grep -c "action: keyprov")" $((before + served)) \
    "full store: every issued key set audited, from the journal"
stop

# --- the same inside a commit window: a reply may precede its failed
# record, but it is counted, and the window closes after the failure ---
before=$(ctl audit | grep -c "action: keyprov")
MAPSIZE=1M CACHEMAX=0 WINDOW=1000 start
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
fill 30
served=$(grep -c '^code=200' "$tmp/codes")
lost=$(metric skms_audit_unrecorded_total)
same "$(wc -l <"$tmp/codes" | tr -d ' ')" "$sent" "window, full store: every request answered"
has "^code=503" "$tmp/codes" "window, full store: key sets withheld"
if [ "$(metric skms_audit_early_replies_total)" -ge "$lost" ]; then ok; else bad "window, full store: more lost than sent early"; fi
# The window closes at the first failure: from the first 503 on, no key set
# leaves (the round that saw it included).
if sed -n '/^code=503/,$p' "$tmp/codes" | grep -q '^code=200'; then
	bad "window, full store: a key set sent after the first refusal"
else ok; fi
call 50302 "window, full store: still refused" /keyprov -H "$AA"
stop
hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" "sanitizers quiet (window, full store)"
CACHEMAX=0 WINDOW=0 start
same $(( $(ctl audit | grep -c "action: keyprov") + lost )) $((before + served)) \
    "window, full store: every issued key set audited or counted as unrecorded"
stop

# --- token and header refusals (one block, kept apart from the rest) ---
# A refused token gets one reply whatever its fault: the body (but its
# Time) and the challenge of an unknown issuer's token are those of a
# configured issuer's token with a bad signature, and of every other
# fault. The precise reason, escaped, is in the log only. A repeated
# Authorization, Content-Type or Content-Length is a 400 with its reason.
start
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
reply401() {	# reply401 NAME TOKEN: status, challenge and body of a refusal into $tmp/r.NAME
	$CURL -o "$tmp/r.$1.b" -D "$tmp/r.$1.h" -w '%{http_code}\n' -X POST \
	    -H "Authorization: Bearer $2" "$BASE/keyprov" >"$tmp/r.$1" 2>"$tmp/cerr"
	grep -i '^WWW-Authenticate:' "$tmp/r.$1.h" >>"$tmp/r.$1"
	sed 's:<Time>[^<]*</Time>::' "$tmp/r.$1.b" >>"$tmp/r.$1"
	has "<ErrorCode>40102</ErrorCode>" "$tmp/r.$1" "401 reply ($1)"
}
hdr=$(printf '{"alg":"ES256","typ":"JWT"}' | b64url)
dup=$(printf '{"iss":"%s","aud":"skms","sub":"sip:alice@example.org","sub":"sip:bob@example.org","exp":%s,"scope":"3gpp:seal:km"}' \
    "$ISS" $(( $(date +%s) + 300 )) | b64url)
reply401 unknown-issuer "$("$MINT" --key "$tmp/iss.key" --iss https://evil.example.org --aud skms --sub sip:alice@example.org)"
reply401 bad-signature "$("$MINT" --key "$tmp/forger.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)"
reply401 expired "$(mint sip:alice@example.org --exp-offset -3600)"
reply401 audience "$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud other --sub sip:alice@example.org)"
reply401 malformed "abc.def.ghi"
reply401 duplicate "$hdr.$dup.c2ln"
for k in bad-signature expired audience malformed duplicate; do
	if cmp -s "$tmp/r.unknown-issuer" "$tmp/r.$k"; then ok; else
		bad "401 reply of an unknown issuer differs from that of $k"
		diff "$tmp/r.unknown-issuer" "$tmp/r.$k" | head -n 6
	fi
done
has 'error_description="access token refused"' "$tmp/r.unknown-issuer" "401: one description"
has 'access token refused: token issuer unknown: "https://evil.example.org"' "$tmp/log" "log: unknown issuer named"
has 'access token refused: token signature does not verify' "$tmp/log" "log: bad signature"
has 'access token refused: token audience is not this KMS' "$tmp/log" "log: wrong audience"
has 'access token refused: token payload: duplicate object key near .*sub' "$tmp/log" \
    "log: duplicate claim named"
dup400() {	# dup400 WHAT REASON [curl arguments]: a repeated field is a 400
	what=$1
	reason=$2
	shift 2
	code=$($CURL -o "$tmp/b" -w '%{http_code}' -X POST "$@" "$BASE/keyprov" 2>"$tmp/cerr")
	same "$code" 400 "$what: status"
	has "<ErrorCode>40019</ErrorCode>" "$tmp/b" "$what: ErrorCode"
	has "refused request: HTTP 400: $reason" "$tmp/log" "$what: logged"
}
sed -i 's/^  level: info/  level: debug/' "$C"
reloaded=$(log_count "configuration reloaded" "$tmp/log")
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" "$reloaded"
dup400 "two Authorization fields" "Authorization field repeated" -H "$AA" -H "$AA"
dup400 "two Content-Type fields" "Content-Type field repeated" -H "$AA" \
    -H "Content-Type: application/xml" -H "Content-Type: text/plain" --data-binary '<a/>'
dup400 "two equal Content-Length fields" "Content-Length field repeated" -H "$AA" \
    -H "Content-Length: 0" -H "Content-Length: 0"
call 200 "one Authorization field" /keyprov -H "$AA"
stop
hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" "sanitizers quiet (refusals)"

# ======================================================================
# Revocation and hostile octets (kept apart from the blocks above).
# ======================================================================
CACHEMAX=1000 WINDOW=0 start
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"

# --- a revoked identity gets no key set of any period, cached or not;
# skmsctl keyset derive still gives the administrator a period that ended
# before the revocation ---
if ctl user add sip:grace@example.org >"$tmp/out" 2>&1; then ok; else bad "add grace"; cat "$tmp/out"; fi
GRACE="Authorization: Bearer $(mint sip:grace@example.org)"
settle
cur=$(cur_period)
call 200 "grace: previous period before revocation" \
    "/keyprov/sip:grace@example.org/$(ntp_hex $((cur - 1)))" -H "$GRACE"
call 200 "grace: current period before revocation" /keyprov -H "$GRACE"
call 200 "grace: next period before revocation" \
    "/keyprov/sip:grace@example.org/$(ntp_hex $((cur + 1)))" -H "$GRACE"
hit0=$(metric 'skms_cache_lookups_total{result="hit"}')
call 200 "grace: previous period again, from the cache" \
    "/keyprov/sip:grace@example.org/$(ntp_hex $((cur - 1)))" -H "$GRACE"
same "$(metric 'skms_cache_lookups_total{result="hit"}')" $((hit0 + 1)) "grace: previous period cached"
if ctl user revoke sip:grace@example.org --reason "device stolen" >"$tmp/out" 2>&1; then ok; else
	bad "revoke grace"; cat "$tmp/out"; fi
call 40304 "grace revoked: current period" /keyprov -H "$GRACE"
call 40304 "grace revoked: previous period (window-past, cached)" \
    "/keyprov/sip:grace@example.org/$(ntp_hex $((cur - 1)))" -H "$GRACE"
call 40304 "grace revoked: next period (precomputed or cached)" \
    "/keyprov/sip:grace@example.org/$(ntp_hex $((cur + 1)))" -H "$GRACE"
expect 0 "grace revoked: skmsctl keyset derive of the previous period" \
    ctl keyset derive sip:grace@example.org --period $((cur - 1))
has "<UserDecryptKey" "$tmp/out" "grace revoked: offline key set derived"
expect 1 "grace revoked: skmsctl keyset derive of the current period" \
    ctl keyset derive sip:grace@example.org --period "$cur"

# --- any octets in the path or the Host header: the KmsError is
# well-formed and valid, ClientReqUrl is the full URL in ASCII, and the log
# shows the octets escaped ---
# raw REQUEST: sends REQUEST (printf format) as it is over TLS; the reply in
# $tmp/raw, its body in $tmp/b.
raw() {
	printf "$1" | timeout 20 "$OPENSSL" s_client -quiet -connect "127.0.0.1:$port" \
	    >"$tmp/raw" 2>/dev/null
	sed '1,/^\r$/d' "$tmp/raw" >"$tmp/b"
}
# hostile STATUS WHAT TARGET HOST URL: one request, checked whole.
hostile() {
	raw "POST $3 HTTP/1.1\r\nHost: $4\r\nAuthorization: Bearer $ALICE\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	has "^HTTP/1.1 $1 " "$tmp/raw" "$2: status"
	validate "$tmp/b" "$2"
	has "<ClientReqUrl>$5</ClientReqUrl>" "$tmp/b" "$2: ClientReqUrl"
	if LC_ALL=C grep -q '[^ -~]' "$tmp/b"; then bad "$2: body not ASCII"; else ok; fi
}
K=/keymanagement/identity/v1
H="127.0.0.1:$port"
hostile 404 "0xFF 0xFE outside the tree" '/\377\376' "$H" "https://$H/%FF%FE"
hostile 400 "0xFF 0xFE in the identity" "$K/keyprov/\377\376" "$H" "https://$H$K/keyprov/%FF%FE"
hostile 400 "0x01 in the path" "$K/keyprov/a\001b" "$H" "https://kms.example.org$K/keyprov/a%01b"
hostile 400 "overlong '/' in the path" "$K/keyprov/sip:a\300\257@example.org" "$H" \
    "https://$H$K/keyprov/sip:a%C0%AF@example.org"
hostile 400 "encoded NUL in the path" "$K/keyprov/sip:alice%%00@example.org" "$H" \
    "https://$H$K/keyprov/sip:alice%00@example.org"
hostile 400 "stray percent sign" "$K/keyprov/a%%zz" "$H" "https://$H$K/keyprov/a%25zz"
hostile 400 "0xFF 0xFE in Host" "$K/init" '\377\376' "https://kms.example.org$K/init"
hostile 400 "0x01 in Host" "$K/init" 'a\001b' "https://kms.example.org$K/init"
hostile 400 "overlong UTF-8 in Host" "$K/init" '\300\256' "https://kms.example.org$K/init"
hostile 400 "encoded NUL in Host" "$K/init" 'a%%00b' "https://kms.example.org$K/init"
has "\\\\xff\\\\xfe" "$tmp/log" "log: 0xFF 0xFE escaped"
has "\\\\xc0\\\\xaf" "$tmp/log" "log: overlong form escaped"
if LC_ALL=C grep -q '[^ -~]' "$tmp/log"; then
	bad "log: octets outside printable ASCII"
	LC_ALL=C grep -n '[^ -~]' "$tmp/log" | cat -v | head -n 5
else ok; fi
call 200 "still serving after the hostile octets" /init -H "$AA"
stop
hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" "sanitizers quiet (revocation, octets)"

echo "skmsd_api: $pass passed, $fail failed, $nbad kinds of bad input"
[ "$fail" -eq 0 ]
