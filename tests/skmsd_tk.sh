#!/bin/sh
# SPDX-License-Identifier: ISC
# The security extension of TS 33.180 D.1 against a real skmsd over TLS:
# Transport and Integrity Keys set with skmsctl; responses to a request
# carrying a TrK-ID are SignedKmsResponses whose signature the xmlsec1
# tool verifies independently and whose key material, unwrapped with the
# openssl tool (RFC 5649), equals the plain response's; SignedKmsRequests
# made by the xmlsec1 tool are accepted; a TrK-ID of another identity, a
# modified signed request, a wrong Reference, a missing Signature-ID and
# a wrong key each get their own KmsError; a TrK rotation delivers
# NewTransportKey and the next request works under the new TrK. Two
# devices of one identity with TrKs of their own are each served under
# theirs; rotating one leaves the other, and a device removed is refused.
# Plain requests keep plain responses.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
nbad=0

need_tools curl xmllint xmlsec1 base64 "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC"

ctl() { "$CTL" --store "$tmp/store" --config "$tmp/ctl.yaml" "$@"; }
A=sip:alice@example.org
B=sip:bob@example.org
NS=urn:3gpp:ns:mcsecKMSInterface:1.0
C="$tmp/skms.yaml"

head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { "$CTL" --store "$tmp/store" init --kms-uri kms.example.org --key-period 86400 \
    --kek-file "$tmp/kek.key" && "$CTL" --store "$tmp/store" user add $A &&
    "$CTL" --store "$tmp/store" user add $B &&
    "$CTL" --store "$tmp/store" user add sip:carol@example.org &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" && mkissuer iss; } \
    >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the store"
	exit 1
fi

ISS=https://sim.example.org
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
  require-transport-key: ${REQUIRE:-false}
tokens:
  issuers:
    - issuer: $ISS
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
ratelimit:
  burst: 0
log:
  level: info
EOF2
}
# skmsctl unseals the keys with the configuration's kek.file, as skmsd does.
printf 'store:\n  path: %s\nkek:\n  file: %s\n' "$tmp/store" "$tmp/kek.key" >"$tmp/ctl.yaml"

# --- keys: alice a TrK (generated into a file), bob another ---
expect 0 "trk set generates a key file" ctl trk set $A --id tk.1 --key-file "$tmp/tk1.key"
same "$(wc -c <"$tmp/tk1.key" | tr -d ' ')" 32 "TrK file of 32 octets"
same "$(stat -c %a "$tmp/tk1.key")" 600 "TrK file mode 0600"
head -c 32 /dev/urandom >"$tmp/tkb.key"
chmod 0600 "$tmp/tkb.key"
expect 0 "trk set imports a key file" ctl trk set $B --id tk.bob --key-file "$tmp/tkb.key"
chmod 0644 "$tmp/tkb.key"
expect 1 "a key file readable by others is refused" ctl trk set $B --id tk.x \
    --key-file "$tmp/tkb.key"
chmod 0600 "$tmp/tkb.key"
head -c 31 /dev/urandom >"$tmp/short.key"
chmod 0600 "$tmp/short.key"
expect 1 "a key file of 31 octets is refused" ctl trk set $B --id tk.x --key-file "$tmp/short.key"
expect 1 "an unregistered identity is refused" ctl trk set sip:nobody@example.org \
    --id tk.n --key-file "$tmp/tkb.key"
expect 2 "an ID with a space is a usage error" ctl trk set $A --id "tk 1" --key-file "$tmp/tk1.key"
expect 1 "an InK needs a TrK" ctl ink set sip:carol@example.org --id x --key-file "$tmp/ikx.key"
expect 0 "trk list" ctl trk list
has "trk-id: tk.1" "$tmp/out" "trk list names the ID"
K1=$(od -An -tx1 "$tmp/tk1.key" | tr -d ' \n')
if grep -rqi "$K1" "$tmp/out" || ctl audit 2>/dev/null | grep -qi "$K1"; then
	bad "a TrK appears in clear in the output or the audit"
else ok; fi
expect 0 "the audit names the ID" ctl audit
has "trk set" "$tmp/out" "audit: trk set"

start_skmsd "$C" write_conf
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
CURL="curl -sS -g --cacert $tmp/server.pem --max-time 20"
mint() { "$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub "$1"; }
AA="Authorization: Bearer $(mint $A)"
XML="Content-Type: application/xml"

# post WANT WHAT PATH [BODYFILE]: HTTP status (3 digits) or KmsError code (5).
post() {
	want=$1
	what=$2
	path=$3
	status=${want%??}
	[ ${#want} -eq 3 ] && status=$want
	if [ $# -ge 4 ]; then
		code=$($CURL -o "$tmp/b" -w '%{http_code}' -X POST -H "$AA" -H "$XML" \
		    --data-binary "@$4" "$BASE$path" 2>"$tmp/cerr")
	else
		code=$($CURL -o "$tmp/b" -w '%{http_code}' -X POST -H "$AA" "$BASE$path" \
		    2>"$tmp/cerr")
	fi
	if [ "$code" = "$status" ]; then ok; else
		bad "$what: HTTP $code, expected $status"
		sed 's/^/  | /' "$tmp/b" "$tmp/cerr" | head -n 20
		return
	fi
	if [ ${#want} -eq 5 ]; then
		has "<ErrorCode>$want</ErrorCode>" "$tmp/b" "$what: ErrorCode"
	fi
}
refuse() {
	nbad=$((nbad + 1))
	post "$@"
}

# request FILE [TRKID] [SIGID]: a KmsRequest; with SIGID a template to sign.
request() {
	{
		[ -n "${3:-}" ] && printf '<SignedKmsRequest xmlns="%s">' $NS
		printf '<KmsRequest xmlns="%s" Id="kmsRequest" Version="1.0.0">' $NS
		printf '<UserUri>%s</UserUri><KmsUri>https://kms.example.org/</KmsUri>' "${RQ_URI:-$A}"
		printf '<Time>%s</Time>' "$(date +%Y-%m-%dT%H:%M:%S)"
		[ -n "${2:-}" ] && printf '<TrK-ID>%s</TrK-ID>' "$2"
		[ -n "${3:-}" ] && [ "$3" != - ] && printf '<Signature-ID>%s</Signature-ID>' "$3"
		printf '</KmsRequest>'
		if [ -n "${3:-}" ]; then
			printf '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
			printf '<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="%s"/>' \
			    http://www.w3.org/TR/2001/REC-xml-c14n-20010315
			printf '<ds:SignatureMethod Algorithm="%s"/>' \
			    http://www.w3.org/2001/04/xmldsig-more#hmac-sha256
			printf '<ds:Reference URI="#kmsRequest"><ds:DigestMethod Algorithm="%s"/>' \
			    http://www.w3.org/2001/04/xmlenc#sha256
			printf '<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>'
			printf '<ds:KeyInfo><ds:KeyName>%s</ds:KeyName></ds:KeyInfo>' "$3"
			printf '</ds:Signature></SignedKmsRequest>'
		fi
	} >"$1"
}
# xsign IN OUT NAME KEYFILE: signed by the xmlsec1 tool.
xsign() {
	xmlsec1 --sign --hmackey:"$3" "$4" --id-attr:Id "$NS:KmsRequest" --output "$2" "$1" \
	    >"$tmp/xerr" 2>&1 || { cat "$tmp/xerr"; bad "xmlsec1 cannot sign $1"; }
}
# xverify FILE NAME KEYFILE: the xmlsec1 tool verifies a SignedKmsResponse.
xverify() {
	xmlsec1 --verify --hmackey:"$2" "$3" --id-attr:Id "$NS:KmsResponse" "$1" \
	    >"$tmp/xerr" 2>&1
}
xpath() { xmllint --xpath "string($2)" "$1" 2>/dev/null; }
# unwrap FILE ELEMENT KEYFILE: the key in ELEMENT, RFC 5649-unwrapped, in hex.
unwrap() {
	xpath "$1" "//*[local-name()='$2']//*[local-name()='CipherValue']" | base64 -d \
	    >"$tmp/wrapped" 2>/dev/null &&
	"$OPENSSL" enc -d -id-aes256-wrap-pad -iv A65959A6 \
	    -K "$(od -An -tx1 "$3" | tr -d ' \n')" -in "$tmp/wrapped" 2>/dev/null |
	    od -An -tx1 | tr -d ' \n' | tr a-f A-F
}
plainkey() { xpath "$1" "//*[local-name()='$2']" | tr -d ' \n'; }

# --- a plain request keeps its plain response ---
post 200 "plain keyprov" /keyprov
cp "$tmp/b" "$tmp/plain.xml"
has "<KmsResponse" "$tmp/plain.xml" "plain: KmsResponse"
hasnt "SignedKmsResponse\|EncKeyContentType\|TrK-ID" "$tmp/plain.xml" "plain: no extension"
RSK=$(plainkey "$tmp/plain.xml" UserDecryptKey)
SSK=$(plainkey "$tmp/plain.xml" UserSigningKeySSK)
PVT=$(plainkey "$tmp/plain.xml" UserPubTokenPVT)
same "${#RSK}" 514 "plain RSK of 257 octets"

# --- TrK only: a TrK-ID in the request ---
request "$tmp/r1.xml" tk.1
post 200 "keyprov with TrK-ID" /keyprov "$tmp/r1.xml"
cp "$tmp/b" "$tmp/enc.xml"
has "<SignedKmsResponse" "$tmp/enc.xml" "TrK: SignedKmsResponse"
same "$(grep -c 'xsi:type="EncKeyContentType"' "$tmp/enc.xml")" 3 "TrK: three encrypted keys"
has "http://www.w3.org/2009/xmlenc11#kw-aes-256-pad" "$tmp/enc.xml" "TrK: XML Enc 1.1 URI"
has "<TrK-ID>tk.1</TrK-ID>" "$tmp/enc.xml" "TrK: TrK-ID"
has "<Signature-ID>tk.1</Signature-ID>" "$tmp/enc.xml" "TrK: signed with the TrK"
has "<ds:KeyName>tk.1</ds:KeyName>" "$tmp/enc.xml" "TrK: KeyName"
hasnt "$RSK" "$tmp/enc.xml" "TrK: no RSK in clear"
if xverify "$tmp/enc.xml" tk.1 "$tmp/tk1.key"; then ok; else
	bad "xmlsec1 does not verify the TrK-signed response"; cat "$tmp/xerr"; fi
if xverify "$tmp/enc.xml" tk.1 "$tmp/tkb.key"; then
	bad "xmlsec1 verifies the response under another key"; else ok; fi
same "$(unwrap "$tmp/enc.xml" UserDecryptKey "$tmp/tk1.key")" "$RSK" "TrK: RSK unwraps"
same "$(unwrap "$tmp/enc.xml" UserSigningKeySSK "$tmp/tk1.key")" "$SSK" "TrK: SSK unwraps"
same "$(unwrap "$tmp/enc.xml" UserPubTokenPVT "$tmp/tk1.key")" "$PVT" "TrK: PVT unwraps"
same "$(unwrap "$tmp/enc.xml" UserDecryptKey "$tmp/tkb.key")" "" "TrK: another key does not unwrap"
post 200 "init with TrK-ID" /init "$tmp/r1.xml"
if xverify "$tmp/b" tk.1 "$tmp/tk1.key"; then ok; else bad "init: xmlsec1 refuses"; fi
post 200 "certcache with TrK-ID" /certcache "$tmp/r1.xml"
if xverify "$tmp/b" tk.1 "$tmp/tk1.key"; then ok; else bad "certcache: xmlsec1 refuses"; fi

# --- a SignedKmsRequest made by the xmlsec1 tool, TrK only ---
request "$tmp/t2.xml" tk.1 tk.1
xsign "$tmp/t2.xml" "$tmp/s2.xml" tk.1 "$tmp/tk1.key"
post 200 "xmlsec1-signed request" /keyprov "$tmp/s2.xml"
if xverify "$tmp/b" tk.1 "$tmp/tk1.key"; then ok; else bad "signed keyprov: xmlsec1 refuses"; fi

# --- refusals, each with its own KmsError ---
request "$tmp/r3.xml" tk.bob
refuse 40311 "a TrK-ID of another identity" /keyprov "$tmp/r3.xml"
request "$tmp/r3.xml" tk.none
refuse 40311 "an unknown TrK-ID" /keyprov "$tmp/r3.xml"
sed 's|<Time>[^<]*</Time>|<Time>2001-01-01T00:00:00Z</Time>|' "$tmp/s2.xml" >"$tmp/m.xml"
refuse 40309 "a signed request modified after signing" /keyprov "$tmp/m.xml"
sed 's|URI="#kmsRequest"|URI="#elsewhere"|' "$tmp/s2.xml" >"$tmp/m.xml"
refuse 40021 "a Reference to another Id" /keyprov "$tmp/m.xml"
sed 's|URI="#kmsRequest"|URI=""|' "$tmp/s2.xml" >"$tmp/m.xml"
refuse 40021 "a Reference to the whole document" /keyprov "$tmp/m.xml"
request "$tmp/t4.xml" tk.1 -
sed 's|<ds:KeyName>-</ds:KeyName>|<ds:KeyName>tk.1</ds:KeyName>|' "$tmp/t4.xml" >"$tmp/t4b.xml"
xsign "$tmp/t4b.xml" "$tmp/s4.xml" tk.1 "$tmp/tk1.key"
refuse 40023 "a SignedKmsRequest without Signature-ID" /keyprov "$tmp/s4.xml"
xsign "$tmp/t2.xml" "$tmp/s5.xml" tk.1 "$tmp/tkb.key"
refuse 40309 "a request signed with another key" /keyprov "$tmp/s5.xml"
request "$tmp/t6.xml" tk.1 tk.bob
xsign "$tmp/t6.xml" "$tmp/s6.xml" tk.bob "$tmp/tkb.key"
refuse 40310 "a Signature-ID of another identity" /keyprov "$tmp/s6.xml"
sed 's|TR/2001/REC-xml-c14n-20010315|2001/10/xml-exc-c14n#|' "$tmp/t2.xml" >"$tmp/t7.xml"
xsign "$tmp/t7.xml" "$tmp/s7.xml" tk.1 "$tmp/tk1.key"
refuse 40022 "exclusive canonicalisation" /keyprov "$tmp/s7.xml"
post 200 "still serving, plain" /keyprov
hasnt "SignedKmsResponse" "$tmp/b" "plain after refusals"

# --- TrK + InK: the InK signs ---
expect 0 "ink set" ctl ink set $A --id ik.1 --key-file "$tmp/ik1.key"
post 200 "keyprov with TrK-ID, InK provisioned" /keyprov "$tmp/r1.xml"
has "<Signature-ID>ik.1</Signature-ID>" "$tmp/b" "InK: Signature-ID"
if xverify "$tmp/b" ik.1 "$tmp/ik1.key"; then ok; else
	bad "xmlsec1 does not verify the InK-signed response"; cat "$tmp/xerr"; fi
same "$(unwrap "$tmp/b" UserDecryptKey "$tmp/tk1.key")" "$RSK" "InK: RSK still under the TrK"
request "$tmp/t8.xml" tk.1 ik.1
xsign "$tmp/t8.xml" "$tmp/s8.xml" ik.1 "$tmp/ik1.key"
post 200 "request signed with the InK" /keyprov "$tmp/s8.xml"
if xverify "$tmp/b" ik.1 "$tmp/ik1.key"; then ok; else bad "InK request: xmlsec1 refuses"; fi
refuse 40310 "signed with the TrK while an InK exists" /keyprov "$tmp/s2.xml"

# --- rotation: NewTransportKey under the current TrK, then the new one works ---
expect 0 "trk rotate" ctl trk rotate $A --id tk.2 --key-file "$tmp/tk2.key"
post 200 "keyprov delivering a new TrK" /keyprov "$tmp/r1.xml"
cp "$tmp/b" "$tmp/rot.xml"
has 'xsi:type="KmsKeyProvTkIkType"' "$tmp/rot.xml" "rotation: KmsKeyProvTkIkType"
has "<xenc:CarriedKeyName>tk.2</xenc:CarriedKeyName>" "$tmp/rot.xml" "rotation: CarriedKeyName"
same "$(unwrap "$tmp/rot.xml" NewTransportKey "$tmp/tk1.key")" \
    "$(od -An -tx1 "$tmp/tk2.key" | tr -d ' \n' | tr a-f A-F)" "rotation: the new TrK unwraps"
if xverify "$tmp/rot.xml" ik.1 "$tmp/ik1.key"; then ok; else bad "rotation: xmlsec1 refuses"; fi
request "$tmp/r9.xml" tk.2
post 200 "keyprov under the new TrK" /keyprov "$tmp/r9.xml"
has "<TrK-ID>tk.2</TrK-ID>" "$tmp/b" "new TrK: TrK-ID"
hasnt "NewTransportKey" "$tmp/b" "new TrK: nothing more to deliver"
same "$(unwrap "$tmp/b" UserDecryptKey "$tmp/tk2.key")" "$RSK" "new TrK: RSK unwraps"

# --- skmc, TrK only: init and fetch signed and encrypted, offline import ---
URL="https://127.0.0.1:$port"
mint $B >"$tmp/bob.tok"
chmod 0600 "$tmp/bob.tok"
skmcb() { "$SKMC" --keystore "$tmp/ks-bob" "$@"; }
expect 2 "skmc init: --trk-id without --trk-file" skmcb init --server "$URL" --uri $B \
    --token-file "$tmp/bob.tok" --cacert "$tmp/server.pem" --trk-id tk.bob
expect 1 "skmc init with the wrong TrK" "$SKMC" --keystore "$tmp/ks-wrong" init \
    --server "$URL" --uri $B --token-file "$tmp/bob.tok" --cacert "$tmp/server.pem" \
    --trk-file "$tmp/tk1.key" --trk-id tk.bob
has "signature does not verify" "$tmp/err" "wrong TrK: the reason"
expect 0 "skmc init with a TrK" skmcb init --server "$URL" --uri $B \
    --token-file "$tmp/bob.tok" --cacert "$tmp/server.pem" --trk-file "$tmp/tkb.key" \
    --trk-id tk.bob
has "trk-id: tk.bob" "$tmp/out" "skmc init: the TrK named"
same "$(stat -c %a "$tmp/ks-bob/sip%3Abob@example.org/tk")" 600 "skmc: key file 0600"
expect 0 "skmc fetch with a TrK" skmcb fetch
# The server's answer to bob, for the offline imports below.
AA="Authorization: Bearer $(cat "$tmp/bob.tok")"
request "$tmp/rb.xml" tk.bob
sed -i "s|$A|$B|" "$tmp/rb.xml"
post 200 "bob: keyprov with TrK-ID" /keyprov "$tmp/rb.xml"
cp "$tmp/b" "$tmp/bob-enc.xml"
expect 0 "skmc import of a signed, encrypted KeyProv" skmcb import \
    --trk-file "$tmp/tkb.key" --trk-id tk.bob "$tmp/bob-enc.xml"
expect 1 "skmc import of a signed document without keys" skmcb import "$tmp/bob-enc.xml"
has "needs --trk-file" "$tmp/err" "import without keys: the reason"
expect 1 "skmc import with the wrong TrK" skmcb import --trk-file "$tmp/tk1.key" \
    --trk-id tk.bob "$tmp/bob-enc.xml"
has "signature does not verify" "$tmp/err" "import, wrong TrK: the reason"
# A CipherValue altered: the signature no longer verifies ...
cv=$(xpath "$tmp/bob-enc.xml" "//*[local-name()='UserPubTokenPVT']//*[local-name()='CipherValue']")
# Its first character replaced by another: A, or B where it was A (a value
# starting "BA" came out unchanged from the earlier substitution pair).
rest=${cv#?}
if [ "${cv%"$rest"}" = A ]; then alt=B$rest; else alt=A$rest; fi
[ -n "$cv" ] && [ "$alt" != "$cv" ] && ok || bad "tampered CipherValue: no CipherValue to alter"
sed "s|$cv|$alt|" "$tmp/bob-enc.xml" >"$tmp/tampered.xml"
expect 1 "skmc import of a tampered CipherValue" skmcb import --trk-file "$tmp/tkb.key" \
    --trk-id tk.bob "$tmp/tampered.xml"
has "signature does not verify" "$tmp/err" "tampered CipherValue: the signature"
# ... and re-signed by the xmlsec1 tool, the wrap itself refuses it.
resign() {	# resign IN OUT NAME KEYFILE: a SignedKmsResponse signed again by xmlsec1
	sed 's|<ds:DigestValue>[^<]*</ds:DigestValue>|<ds:DigestValue/>|;
	    s|<ds:SignatureValue>[^<]*</ds:SignatureValue>|<ds:SignatureValue/>|' "$1" \
	    >"$tmp/unsigned.xml"
	xmlsec1 --sign --hmackey:"$3" "$4" --id-attr:Id "$NS:KmsResponse" --output "$2" \
	    "$tmp/unsigned.xml" >"$tmp/xerr" 2>&1 || { cat "$tmp/xerr"; bad "xmlsec1 resign"; }
}
resign "$tmp/tampered.xml" "$tmp/tampered-signed.xml" tk.bob "$tmp/tkb.key"
expect 1 "skmc import of a tampered CipherValue, re-signed" skmcb import \
    --trk-file "$tmp/tkb.key" --trk-id tk.bob "$tmp/tampered-signed.xml"
has "UserPubTokenPVT: does not unwrap under TrK tk.bob" "$tmp/err" "tampered CipherValue: the wrap"
resign "$tmp/bob-enc.xml" "$tmp/xmlsec-signed.xml" tk.bob "$tmp/tkb.key"
expect 0 "skmc import of a response signed by the xmlsec1 tool" skmcb import \
    --trk-file "$tmp/tkb.key" --trk-id tk.bob "$tmp/xmlsec-signed.xml"
sed 's|URI="#kmsResponse"|URI="#other"|' "$tmp/bob-enc.xml" >"$tmp/wrongref.xml"
expect 1 "skmc import: a wrong Reference" skmcb import --trk-file "$tmp/tkb.key" \
    --trk-id tk.bob "$tmp/wrongref.xml"
has "Reference" "$tmp/err" "wrong Reference: the reason"

# --- skmc, TrK + InK, and a rotation taken over by the client ---
C3=sip:carol@example.org
mint $C3 >"$tmp/carol.tok"
chmod 0600 "$tmp/carol.tok"
expect 0 "carol: trk set" ctl trk set $C3 --id tk.c1 --key-file "$tmp/tkc1.key"
expect 0 "carol: ink set" ctl ink set $C3 --id ik.c1 --key-file "$tmp/ikc1.key"
skmcc() { "$SKMC" --keystore "$tmp/ks-carol" "$@"; }
expect 0 "skmc init with TrK and InK" skmcc init --server "$URL" --uri $C3 \
    --token-file "$tmp/carol.tok" --cacert "$tmp/server.pem" --trk-file "$tmp/tkc1.key" \
    --trk-id tk.c1 --ink-file "$tmp/ikc1.key" --ink-id ik.c1
has "ink-id: ik.c1" "$tmp/out" "skmc init: the InK named"
expect 0 "skmc fetch with TrK and InK" skmcc fetch
expect 0 "skmc certcache with TrK and InK" skmcc certcache
expect 0 "carol: trk rotate" ctl trk rotate $C3 --id tk.c2 --key-file "$tmp/tkc2.key"
expect 0 "carol: ink rotate" ctl ink rotate $C3 --id ik.c2 --key-file "$tmp/ikc2.key"
expect 0 "skmc fetch takes over the new keys" skmcc fetch
KF="$tmp/ks-carol/sip%3Acarol@example.org/tk"
has "^trk-id tk.c2$" "$KF" "skmc: the new TrK saved"
has "^ink-id ik.c2$" "$KF" "skmc: the new InK saved"
same "$(sed -n 's/^trk //p' "$KF")" "$(od -An -tx1 "$tmp/tkc2.key" | tr -d ' \n' | tr a-f A-F)" \
    "skmc: the saved TrK is the rotated one"
# A second rotation drops tk.c1: only a client that switched to tk.c2 gets through.
expect 0 "carol: trk rotate again" ctl trk rotate $C3 --id tk.c3 --key-file "$tmp/tkc3.key"
expect 0 "skmc fetch under the new TrK" skmcc fetch
has "^trk-id tk.c3$" "$KF" "skmc: the third TrK saved"

# --- server.require-transport-key: an identity with a TrK must name it ---
AA="Authorization: Bearer $(mint $A)"
REQUIRE=true write_conf
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" 0
refuse 40312 "a plain request from an identity with a TrK, required" /keyprov
request "$tmp/rp.xml"
refuse 40312 "a KmsRequest without TrK-ID from an identity with a TrK, required" /keyprov \
    "$tmp/rp.xml"
post 200 "a TrK-ID request, required" /keyprov "$tmp/r9.xml"
expect 0 "skmc fetch, required" skmcc fetch
expect 0 "skmc certcache, required" skmcc certcache
AA="Authorization: Bearer $(mint sip:dave@example.org)"
expect 0 "dave: user add" ctl user add sip:dave@example.org
post 200 "a plain request from an identity without TrK, required" /keyprov
AA="Authorization: Bearer $(mint $A)"
REQUIRE=false write_conf
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" 1

# --- devices: each its own keys, selected by the TrK-ID or Signature-ID ---
E=sip:erin@example.org
expect 0 "erin: user add" ctl user add $E
expect 0 "erin: trk set for device phone" ctl trk set $E --device phone --id tk.ephone \
    --key-file "$tmp/tke1.key"
has "device: phone" "$tmp/out" "trk set names the device"
expect 0 "erin: trk set for device radio" ctl trk set $E --device radio --id tk.eradio \
    --key-file "$tmp/tke2.key"
expect 0 "erin: ink set for device radio" ctl ink set $E --device radio --id ik.eradio \
    --key-file "$tmp/ike2.key"
expect 1 "erin: an ID of device phone refused for device tablet" ctl trk set $E \
    --device tablet --id tk.ephone --key-file "$tmp/tke3.key"
has "tk.ephone: already names a key of device phone of the identity" "$tmp/err" \
    "a second use of an ID: names the device"
expect 1 "erin: an ID of a device refused for the identity's own keys" ctl trk set $E \
    --id ik.eradio --key-file "$tmp/tke3.key"
expect 2 "a device name with a space is a usage error" ctl trk set $E --device "a b" \
    --id tk.x --key-file "$tmp/tke3.key"
expect 1 "an InK for a device without a TrK is refused" ctl ink set $E --device tablet \
    --id ik.t --key-file "$tmp/ike3.key"
expect 1 "removing the keys of a device that has none" ctl trk remove $E --device tablet
has "tablet: no transport key for this device" "$tmp/err" "remove: names the device"
expect 0 "trk list of erin" ctl trk list $E
has "device: phone" "$tmp/out" "trk list: device phone"
has "device: radio" "$tmp/out" "trk list: device radio"
has "ink-id: ik.eradio" "$tmp/out" "trk list: the radio's InK"
hasnt "tk.1\|tk.bob" "$tmp/out" "trk list URI: only erin's keys"
expect 0 "the audit names the device" ctl audit
has "device phone id tk.ephone" "$tmp/out" "audit: device and ID"
AA="Authorization: Bearer $(mint $E)"
post 200 "erin: plain keyprov" /keyprov
ERSK=$(plainkey "$tmp/b" UserDecryptKey)
RQ_URI=$E request "$tmp/e1.xml" tk.ephone
post 200 "erin: keyprov with the phone's TrK-ID" /keyprov "$tmp/e1.xml"
cp "$tmp/b" "$tmp/e1r.xml"
has "<TrK-ID>tk.ephone</TrK-ID>" "$tmp/e1r.xml" "phone: TrK-ID"
has "<Signature-ID>tk.ephone</Signature-ID>" "$tmp/e1r.xml" "phone: signed with its TrK"
if xverify "$tmp/e1r.xml" tk.ephone "$tmp/tke1.key"; then ok; else
	bad "phone: xmlsec1 does not verify"; cat "$tmp/xerr"; fi
same "$(unwrap "$tmp/e1r.xml" UserDecryptKey "$tmp/tke1.key")" "$ERSK" "phone: RSK unwraps"
same "$(unwrap "$tmp/e1r.xml" UserDecryptKey "$tmp/tke2.key")" "" \
    "phone: the radio's TrK does not unwrap"
RQ_URI=$E request "$tmp/e2.xml" tk.eradio
post 200 "erin: keyprov with the radio's TrK-ID" /keyprov "$tmp/e2.xml"
cp "$tmp/b" "$tmp/e2r.xml"
has "<Signature-ID>ik.eradio</Signature-ID>" "$tmp/e2r.xml" "radio: signed with its InK"
if xverify "$tmp/e2r.xml" ik.eradio "$tmp/ike2.key"; then ok; else
	bad "radio: xmlsec1 does not verify"; cat "$tmp/xerr"; fi
same "$(unwrap "$tmp/e2r.xml" UserDecryptKey "$tmp/tke2.key")" "$ERSK" "radio: RSK unwraps"
RQ_URI=$E request "$tmp/e3.xml" "" ik.eradio
xsign "$tmp/e3.xml" "$tmp/e3s.xml" ik.eradio "$tmp/ike2.key"
post 200 "erin: signed by the radio's InK, no TrK-ID" /keyprov "$tmp/e3s.xml"
has "<Signature-ID>ik.eradio</Signature-ID>" "$tmp/b" "radio signed request: InK signs"
RQ_URI=$E request "$tmp/e4.xml" tk.ephone ik.eradio
xsign "$tmp/e4.xml" "$tmp/e4s.xml" ik.eradio "$tmp/ike2.key"
refuse 40310 "the phone's TrK-ID with the radio's InK signature" /keyprov "$tmp/e4s.xml"
RQ_URI=$E request "$tmp/e5.xml" tk.1
refuse 40311 "erin: alice's TrK-ID" /keyprov "$tmp/e5.xml"
expect 0 "bob: trk set for a device" ctl trk set $B --device pager --id tk.bpager \
    --key-file "$tmp/tkbp.key"
RQ_URI=$E request "$tmp/e6.xml" tk.bpager
refuse 40311 "erin: the TrK-ID of bob's device" /keyprov "$tmp/e6.xml"
# rotating the phone's TrK leaves the radio's
expect 0 "erin: trk rotate for device phone" ctl trk rotate $E --device phone \
    --id tk.ephone2 --key-file "$tmp/tke1b.key"
post 200 "erin: radio after the phone's rotation" /keyprov "$tmp/e2.xml"
hasnt "NewTransportKey\|CarriedKeyName" "$tmp/b" "radio: no rotation delivered"
same "$(unwrap "$tmp/b" UserDecryptKey "$tmp/tke2.key")" "$ERSK" "radio: still its TrK"
post 200 "erin: phone after its rotation" /keyprov "$tmp/e1.xml"
has "<xenc:CarriedKeyName>tk.ephone2</xenc:CarriedKeyName>" "$tmp/b" \
    "phone: the new TrK delivered"
same "$(unwrap "$tmp/b" NewTransportKey "$tmp/tke1.key")" \
    "$(od -An -tx1 "$tmp/tke1b.key" | tr -d ' \n' | tr a-f A-F)" \
    "phone: NewTransportKey under its current TrK"
RQ_URI=$E request "$tmp/e7.xml" tk.ephone2
post 200 "erin: phone under its new TrK" /keyprov "$tmp/e7.xml"
same "$(unwrap "$tmp/b" UserDecryptKey "$tmp/tke1b.key")" "$ERSK" "phone: new TrK unwraps"
# removing the phone's keys: its TrK-IDs refused, the radio still served
expect 0 "erin: trk remove for device phone" ctl trk remove $E --device phone
refuse 40311 "erin: the removed phone's TrK-ID" /keyprov "$tmp/e7.xml"
refuse 40311 "erin: the removed phone's earlier TrK-ID" /keyprov "$tmp/e1.xml"
post 200 "erin: radio after the phone's removal" /keyprov "$tmp/e2.xml"
same "$(unwrap "$tmp/b" UserDecryptKey "$tmp/tke2.key")" "$ERSK" "radio: served after removal"
expect 0 "trk list of erin after the removal" ctl trk list $E
hasnt "device: phone" "$tmp/out" "trk list: the phone gone"
expect 0 "erin: the phone's ID is free again" ctl trk set $E --device tablet \
    --id tk.ephone --key-file "$tmp/tke3.key"
RQ_URI=$E request "$tmp/e8.xml" tk.ephone
post 200 "erin: the freed ID now names the tablet's TrK" /keyprov "$tmp/e8.xml"
same "$(unwrap "$tmp/b" UserDecryptKey "$tmp/tke3.key")" "$ERSK" "tablet: its TrK"
# removing the user takes its keys and every device's with it: a user of
# the same URI added later has none of them
expect 0 "erin: user remove" ctl user remove $E
expect 0 "erin: user add again" ctl user add $E
expect 0 "trk list of the new erin" ctl trk list $E
hasnt "tk.e\|ik.e\|device:" "$tmp/out" "the new erin: no keys of the removed one"
refuse 40311 "the new erin: the removed radio's TrK-ID" /keyprov "$tmp/e2.xml"
AA="Authorization: Bearer $(mint $A)"

# --- removal: the TrK-ID is unknown again, plain requests still plain ---
expect 0 "trk remove" ctl trk remove $A
refuse 40311 "a removed TrK" /keyprov "$tmp/r9.xml"
post 200 "plain keyprov at the end" /keyprov
same "$(plainkey "$tmp/b" UserDecryptKey)" "$RSK" "plain at the end: the same RSK"
hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" "sanitizers quiet"
hasnt "$K1" "$tmp/log" "no TrK in the log"

echo "skmsd_tk: $pass passed, $fail failed, $nbad kinds of bad input"
[ "$fail" -eq 0 ]
