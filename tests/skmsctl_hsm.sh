#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional tests of a key-encryption key in a PKCS#11 token, with a
# private SoftHSM2 token made here: skmsctl init with a token key (made on
# the token), the same key sets under a key file, the token and a key file
# again (kek rotate both ways), refusals naming the URI and the CKR_ code
# (wrong PIN, no such token, no such key object, an extractable key, a
# module that is not a PKCS#11 module), skmsd started with the token and
# serving, a reload with the token gone refused while serving goes on, and
# no key or PIN in the store. kek.pkcs11-mechanism kwp forces AES key wrap
# with padding, which SoftHSM2 offers for C_WrapKey only: init, rotation and
# skmsd through it give the same key sets as GCM, and either sealing opens
# whatever the setting. Last, the default module, p11-kit's proxy, finds
# the token through a module registered in a private user configuration
# (as an unprivileged user: p11-kit reads no user configuration for root).
set -u
: "${top_builddir:=.}"
: "${top_srcdir:=.}"
CTL="$top_builddir/src/skmsctl/skmsctl"
SKMSD=${SKMSD:-$top_builddir/src/skmsd/skmsd}
MINT=${MINT:-$top_builddir/contrib/skms-mint-token}
MKKEY="$top_builddir/tests/hsm_mkkey"
SEALED="$top_builddir/tests/hsm_sealed"
OPENSSL=${OPENSSL:-openssl}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
S="$tmp/store"
pass=0
fail=0

. "${top_srcdir:-.}/tests/checks.sh"

need_tools softhsm2-util curl od "$OPENSSL"
need_built "$CTL" "$SKMSD" "$MINT" "$MKKEY" "$SEALED"
MODULE=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so \
    /usr/local/lib/softhsm/libsofthsm2.so; do
	[ -f "$m" ] && MODULE=$m && break
done
if [ -z "$MODULE" ]; then
	echo "SKIP: SoftHSM2's module libsofthsm2.so not found (install the softhsm2 package)"
	exit 77
fi

# A private token directory and configuration: nothing outside $tmp.
mkdir -p "$tmp/tokens" "$tmp/empty"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$tmp" >"$tmp/softhsm2.conf"
printf 'directories.tokendir = %s/empty\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$tmp" >"$tmp/softhsm2-empty.conf"
SOFTHSM2_CONF=$tmp/softhsm2.conf
export SOFTHSM2_CONF
PIN=skms-user-pin-4711
if ! softhsm2-util --init-token --free --label skms --pin "$PIN" --so-pin so-pin-0815 \
    >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make a SoftHSM2 token"
	exit 1
fi
printf '%s\n' "$PIN" >"$tmp/pin"
printf 'not-the-pin\n' >"$tmp/badpin"
chmod 0600 "$tmp/pin" "$tmp/badpin"
URI="pkcs11:token=skms;object=skms-kek"

# kconf FILE [KEY VALUE]...: a configuration of the store $KSTORE (else $S)
# with the token's module ($KMODULE, else $MODULE; none: no pkcs11-module)
# and PIN file ($KPIN, else $tmp/pin), and the given kek keys.
kconf() {
	f=$1
	shift
	printf 'store:\n  path: %s\nkek:\n  pin-file: %s\n' "${KSTORE:-$S}" \
	    "${KPIN:-$tmp/pin}" >"$f"
	[ "${KMODULE:-}" = none ] ||
	    printf '  pkcs11-module: %s\n' "${KMODULE:-$MODULE}" >>"$f"
	while [ $# -ge 2 ]; do printf '  %s: %s\n' "$1" "$2" >>"$f"; shift 2; done
}
# opens CONF [STORE]: the store's key sets derive under the key CONF names.
opens() {
	"$CTL" --config "$1" ${2:+--store "$2"} keyset derive sip:alice@example.org \
	    --period 1546 >"$tmp/opens.xml" 2>"$tmp/opens.err"
}
hexof() { od -A n -t x1 -v "$1" | tr -d ' \n'; }

for k in f1 f2; do head -c 32 /dev/urandom >"$tmp/$k.key"; chmod 0600 "$tmp/$k.key"; done
kconf "$tmp/f1.yaml" file "$tmp/f1.key"
kconf "$tmp/f2.yaml" file "$tmp/f2.key"
kconf "$tmp/t.yaml"
kconf "$tmp/tu.yaml" pkcs11-uri "$URI"
kconf "$tmp/tw.yaml" pkcs11-mechanism kwp
kconf "$tmp/tuw.yaml" pkcs11-uri "$URI" pkcs11-mechanism kwp
kconf "$tmp/tug.yaml" pkcs11-uri "$URI" pkcs11-mechanism gcm
KPIN=$tmp/badpin
kconf "$tmp/badpin.yaml"
KPIN=

# --- init with a key made on the token ---
expect 0 "init with a token key" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s0" init \
	--kms-uri kms.example.org --kek-pkcs11 "$URI" --kek-generate
has "^kek: pkcs11$" "$tmp/out" "init: the source kind shown"
has "^kek-path: $URI$" "$tmp/out" "init: the source named by its URI"
expect 0 "user add under the token key" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s0" \
	user add sip:alice@example.org
expect 0 "key set under the token key" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s0" \
	keyset derive sip:alice@example.org --period 1546
has "<UserDecryptKey" "$tmp/out" "a key set under the token key"
expect 1 "init generating a key that exists" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s1" \
	init --kms-uri kms.example.org --kek-pkcs11 "$URI" --kek-generate
has "$URI: a key object with this label and id exists already" "$tmp/err" \
	"existing key object: reason"
expect 2 "init with --kek-generate and a key file" "$CTL" --config "$tmp/t.yaml" \
	--store "$tmp/s1" init --kms-uri kms.example.org --kek-file "$tmp/f1.key" --kek-generate

# --- refusals: wrong PIN, no token, no key object, an extractable key, no module ---
expect 1 "init with a wrong PIN" "$CTL" --config "$tmp/badpin.yaml" --store "$tmp/s1" init \
	--kms-uri kms.example.org --kek-pkcs11 "$URI"
has "$URI: C_Login: CKR_PIN_INCORRECT" "$tmp/err" "wrong PIN: URI and CKR_ name"
hasnt "not-the-pin" "$tmp/err" "wrong PIN: the PIN is not shown"
cp "$tmp/pin" "$tmp/openpin"
chmod 0644 "$tmp/openpin"
expect 1 "init with a PIN file readable by others" "$CTL" --config "$tmp/t.yaml" \
	--store "$tmp/s1" init --kms-uri kms.example.org --kek-pkcs11 "$URI" \
	--pin-file "$tmp/openpin"
has "$tmp/openpin: mode 0644 allows group or other access" "$tmp/err" "open PIN file: reason"
expect 1 "init with no such token" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s1" init \
	--kms-uri kms.example.org --kek-pkcs11 "pkcs11:token=nosuch;object=skms-kek"
has "pkcs11:token=nosuch;object=skms-kek: no token matches: CKR_TOKEN_NOT_PRESENT" "$tmp/err" \
	"no token: URI and CKR_ name"
expect 1 "init with no such key object" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s1" init \
	--kms-uri kms.example.org --kek-pkcs11 "pkcs11:token=skms;object=nokey"
has "pkcs11:token=skms;object=nokey: no secret key object matches: CKR_KEY_HANDLE_INVALID" \
	"$tmp/err" "no key object: URI and CKR_ name"
expect 1 "init with a malformed URI" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s1" init \
	--kms-uri kms.example.org --kek-pkcs11 "pkcs11:token=skms;object=%zz"
has "not a PKCS#11 URI" "$tmp/err" "malformed URI: reason"
expect 0 "an extractable key on the token" "$MKKEY" "$MODULE" skms "$PIN" ext-kek
expect 1 "init with an extractable key" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s1" init \
	--kms-uri kms.example.org --kek-pkcs11 "pkcs11:token=skms;object=ext-kek"
has "the key object is extractable: its value can leave the token" "$tmp/err" \
	"extractable key: reason"
[ ! -e "$tmp/s1/data.mdb" ] || ! "$CTL" --store "$tmp/s1" domain show >/dev/null 2>&1 &&
	ok || bad "a refused init made a domain"
expect 0 "init with an extractable key, allowed" "$CTL" --config "$tmp/t.yaml" \
	--store "$tmp/s2" init --kms-uri kms.example.org \
	--kek-pkcs11 "pkcs11:token=skms;object=ext-kek" --allow-extractable
printf 'not a module\n' >"$tmp/notamodule.so"
KMODULE=$tmp/notamodule.so
kconf "$tmp/nomod.yaml"
KMODULE=
expect 1 "init with a module that is not one (text)" "$CTL" --config "$tmp/nomod.yaml" \
	--store "$tmp/s1" init --kms-uri kms.example.org --kek-pkcs11 "$URI"
has "$URI: module $tmp/notamodule.so: " "$tmp/err" "text module: URI and module named"
LIBC=$(ldd "$(command -v od)" | awk '/libc\.so/ { print $3 }')
if [ -n "$LIBC" ] && [ -f "$LIBC" ]; then
	KMODULE=$LIBC
	kconf "$tmp/libc.yaml"
	KMODULE=
	expect 1 "init with a module that is not one (a library)" "$CTL" \
	    --config "$tmp/libc.yaml" --store "$tmp/s1" init --kms-uri kms.example.org \
	    --kek-pkcs11 "$URI"
	has "$URI: module $LIBC: " "$tmp/err" "library module: URI and module named"
fi
expect 2 "init with a token key against the configuration's key file" "$CTL" \
	--config "$tmp/f1.yaml" --store "$tmp/s1" init --kms-uri kms.example.org --kek-pkcs11 "$URI"
has "disagrees with kek.file of the configuration ($tmp/f1.key)" "$tmp/err" \
	"token key against kek.file: reason"
expect 2 "init with a key file against the configuration's token key" "$CTL" \
	--config "$tmp/tu.yaml" --store "$tmp/s1" init --kms-uri kms.example.org \
	--kek-file "$tmp/f1.key"
has "disagrees with kek.pkcs11-uri of the configuration ($URI)" "$tmp/err" \
	"key file against kek.pkcs11-uri: reason"
expect 2 "rotate with an empty URI" "$CTL" --config "$tmp/t.yaml" --store "$tmp/s0" \
	kek rotate --pkcs11 ""

# --- a key-file domain moved into the token and back ---
expect 0 "init under a key file" "$CTL" --config "$tmp/f1.yaml" init --kms-uri kms.example.org
expect 0 "user add" "$CTL" --config "$tmp/f1.yaml" user add sip:alice@example.org
expect 0 "key set under the key file" opens "$tmp/f1.yaml"
cp "$tmp/opens.xml" "$tmp/ks0.xml"
has "<UserDecryptKey" "$tmp/ks0.xml" "a key set"
# the same domain, to be moved into the token through the wrap path
W=$tmp/w
cp -a "$S" "$W"
expect 1 "rotate into the token with a wrong PIN" "$CTL" --config "$tmp/f1.yaml" kek rotate \
	--pkcs11 "$URI" --pin-file "$tmp/badpin"
has "CKR_PIN_INCORRECT" "$tmp/err" "rotate, wrong PIN: CKR_ name"
expect 0 "still under the key file" opens "$tmp/f1.yaml"
expect 1 "rotate into an extractable key" "$CTL" --config "$tmp/f1.yaml" kek rotate \
	--pkcs11 "pkcs11:token=skms;object=ext-kek"
has "extractable" "$tmp/err" "rotate, extractable key: reason"
expect 0 "rotate file to token" "$CTL" --config "$tmp/f1.yaml" kek rotate --pkcs11 "$URI" \
	--pin-file "$tmp/pin"
has "^kek: pkcs11$" "$tmp/out" "rotate to the token: kind"
has "^previous-kek-path: $tmp/f1.key$" "$tmp/out" "rotate to the token: previous source"
has "change it to kek.pkcs11-uri: $URI" "$tmp/err" "rotate to the token: what to change"
expect 1 "the key file no longer opens the store" opens "$tmp/f1.yaml"
expect 0 "key set under the token" opens "$tmp/tu.yaml"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "key set changed by the move into the token"
expect 0 "the sealed form" "$SEALED" "$S"
has "^gcm " "$tmp/out" "auto seals with CKM_AES_GCM, which SoftHSM2 has"
expect 0 "a GCM-sealed store, pkcs11-mechanism kwp" opens "$tmp/tuw.yaml"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "GCM-sealed key set under kwp differs"

# --- the wrap path: kek.pkcs11-mechanism kwp ---
expect 1 "rotate into the token, kwp, wrong PIN" "$CTL" --config "$tmp/tw.yaml" --store "$W" \
	kek rotate --pkcs11 "$URI" --pin-file "$tmp/badpin"
expect 0 "rotate file to token, kwp" "$CTL" --config "$tmp/tw.yaml" --store "$W" kek rotate \
	--pkcs11 "$URI"
expect 0 "the sealed form, kwp" "$SEALED" "$W"
# SoftHSM2 2.6 offers RFC 5649 as CKM_AES_KEY_WRAP_PAD, for C_WrapKey only:
# 1 + 1 + 8 + 16 (digest of the associated data) + 192 octets.
has "^pad 218$" "$tmp/out" "kwp seals through CKM_AES_KEY_WRAP_PAD"
expect 1 "the key file no longer opens the kwp store" opens "$tmp/f1.yaml" "$W"
expect 0 "key set under the token, kwp" opens "$tmp/tuw.yaml" "$W"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "kwp key set differs from the GCM one"
expect 0 "a wrap-sealed store, pkcs11-mechanism gcm" opens "$tmp/tug.yaml" "$W"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "wrap-sealed key set under gcm differs"
expect 0 "a wrap-sealed store, pkcs11-mechanism auto" opens "$tmp/tu.yaml" "$W"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "wrap-sealed key set under auto differs"
expect 0 "init, kwp" "$CTL" --config "$tmp/tw.yaml" --store "$tmp/s3" init \
	--kms-uri kms.example.org --kek-pkcs11 "$URI"
expect 0 "the sealed form of init, kwp" "$SEALED" "$tmp/s3"
has "^pad " "$tmp/out" "init, kwp: seals through CKM_AES_KEY_WRAP_PAD"
expect 0 "user add, kwp" "$CTL" --config "$tmp/tw.yaml" --store "$tmp/s3" \
	user add sip:alice@example.org
expect 0 "key set of the kwp init, pkcs11-mechanism gcm" opens "$tmp/tug.yaml" "$tmp/s3"
has "<UserDecryptKey" "$tmp/opens.xml" "key set of the kwp init"
# a value recorded as CKM_AES_KEY_WRAP_KWP, which SoftHSM2 lacks, opens
# through CKM_AES_KEY_WRAP_PAD: the same RFC 5649 octets
cp -a "$W" "$tmp/relabelled"
expect 0 "record the kwp store's mechanism as CKM_AES_KEY_WRAP_KWP" "$SEALED" \
	"$tmp/relabelled" kwp
expect 0 "the relabelled sealed form" "$SEALED" "$tmp/relabelled"
has "^kwp 218$" "$tmp/out" "relabelled: recorded as CKM_AES_KEY_WRAP_KWP"
expect 0 "a value recorded as CKM_AES_KEY_WRAP_KWP" opens "$tmp/tug.yaml" "$tmp/relabelled"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "KWP-recorded key set differs"
for m in w gcm; do
	[ "$m" = w ] && from=$W || from=$S
	cp -a "$from" "$tmp/tampered-$m"
	expect 0 "tamper with the $m-sealed secrets" "$SEALED" "$tmp/tampered-$m" flip
	expect 1 "a tampered $m-sealed value" opens "$tmp/tuw.yaml" "$tmp/tampered-$m"
	has "master secrets do not unseal: wrong key-encryption key or damaged store" \
	    "$tmp/opens.err" "tampered $m-sealed value: reason"
	hasnt "UserDecryptKey" "$tmp/opens.xml" "tampered $m-sealed value: no key set"
done
expect 0 "domain show" "$CTL" --config "$tmp/t.yaml" domain show
has "^kek-path: $URI$" "$tmp/out" "domain show names the URI"
expect 0 "audit" "$CTL" --config "$tmp/t.yaml" audit
has "^detail: from file $tmp/f1.key to pkcs11 $URI, 1 sealed record$" "$tmp/out" \
	"audit names both sources"
hasnt "$PIN" "$tmp/out" "no PIN in the audit"

# --- skmsd with the token ---
if ! { mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make keys and certificates"
	exit 1
fi
ISS=https://sim.example.org
C="$tmp/skms.yaml"
write_conf() {
	kconf "$C" $KEKARGS
	cat >>"$C" <<EOF2
server:
  listen: [127.0.0.1:$port]
  tls-certificate: ${KTLS:-$tmp}/server.pem
  tls-key: ${KTLS:-$tmp}/server.key
  metrics-listen: 127.0.0.1:$mport
tokens:
  issuers:
    - issuer: $ISS
      audience: skms
      key-file: ${KTLS:-$tmp}/iss.pub
      algorithms: [ES256]
log:
  level: info
EOF2
}
KEKARGS="pkcs11-uri $URI"
port=1
mport=2
write_conf
expect 1 "skmsd start with no token" env SOFTHSM2_CONF="$tmp/softhsm2-empty.conf" \
	"$SKMSD" -c "$C"
has "$URI: no token matches: CKR_TOKEN_NOT_PRESENT" "$tmp/err" "start, no token: URI and CKR_"
KPIN=$tmp/badpin
write_conf
KPIN=
expect 1 "skmsd start with a wrong PIN" "$SKMSD" -c "$C"
has "$URI: C_Login: CKR_PIN_INCORRECT" "$tmp/err" "start, wrong PIN: URI and CKR_"
hasnt "not-the-pin" "$tmp/err" "start, wrong PIN: no PIN"
# A TrK sealed under the token's key, before skmsd starts
expect 0 "alice given a TrK under the token's key" "$CTL" --config "$tmp/tu.yaml" trk set \
	sip:alice@example.org --id tk.a --key-file "$tmp/trka.key"
start_skmsd "$C" write_conf
has "domain opened: master secrets unsealed under the PKCS#11 key object $URI, in " \
	"$tmp/log" "start log names the URI"
has "transport keys of 1 identity or device unsealed with the token's key" "$tmp/log" \
	"start: the identities' TrK unsealed before the token's key is set aside"
hasnt "$PIN" "$tmp/log" "no PIN in the log"
ms=$(sed -n 's/.*master secrets unsealed under .*, in \([0-9.]*\) ms.*/\1/p' "$tmp/log")
echo "domain opened at start with SoftHSM2 (module load, login, unseal, logout, loading): $ms ms"
TOKEN=$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)
keyprov() {	# keyprov FILE: alice's current key set into FILE; 0 on HTTP 200
	[ "$(curl -sS -g --cacert "$tmp/server.pem" --max-time 20 -o "$1" -w '%{http_code}' \
	    -X POST -H "Authorization: Bearer $TOKEN" \
	    "https://127.0.0.1:$port/keymanagement/identity/v1/keyprov")" = 200 ]
}
rsk() { sed -n 's:.*<UserDecryptKey[^>]*>\([^<]*\)<.*:\1:p' "$1"; }
expect 0 "key set served under the token" keyprov "$tmp/kp0.xml"
has "<UserDecryptKey" "$tmp/kp0.xml" "served key set"
# tkprov TOKEN TRKID FILE: a KeyProv naming the TrK into FILE; prints the HTTP status
tkprov() {
	printf '<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><TrK-ID>%s</TrK-ID></KmsRequest>' \
	    "$2" >"$tmp/tkreq.xml"
	curl -sS -g --cacert "$tmp/server.pem" --max-time 20 -o "$3" -w '%{http_code}' \
	    -X POST -H "Authorization: Bearer $1" -H "Content-Type: application/xml" \
	    --data-binary "@$tmp/tkreq.xml" \
	    "https://127.0.0.1:$port/keymanagement/identity/v1/keyprov"
}
same "$(tkprov "$TOKEN" tk.a "$tmp/tk0.xml")" 200 "TrK KeyProv with the token's key set aside"
has "<SignedKmsResponse" "$tmp/tk0.xml" "TrK KeyProv under the token: signed"
has '<UserDecryptKey xsi:type="EncKeyContentType">' "$tmp/tk0.xml" \
	"TrK KeyProv under the token: keys wrapped"
hasnt "$(rsk "$tmp/kp0.xml")" "$tmp/tk0.xml" "TrK KeyProv under the token: no key in clear"
# A TrK given while skmsd runs waits for the next reload, as a rollover does
expect 0 "user bob" "$CTL" --config "$tmp/tu.yaml" user add sip:bob@example.org
expect 0 "bob given a TrK while skmsd runs" "$CTL" --config "$tmp/tu.yaml" trk set \
	sip:bob@example.org --id tk.b --key-file "$tmp/trkb.key"
BTOKEN=$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub sip:bob@example.org)
same "$(tkprov "$BTOKEN" tk.b "$tmp/tkb.xml")" 503 "a TrK set while running: not yet usable"
has "<ErrorCode>50305</ErrorCode>" "$tmp/tkb.xml" "a TrK set while running: 50305"
expect 0 "alice's radio given a TrK while skmsd runs" "$CTL" --config "$tmp/tu.yaml" trk set \
	sip:alice@example.org --device radio --id tk.ar --key-file "$tmp/trkar.key"
same "$(tkprov "$TOKEN" tk.ar "$tmp/tkar.xml")" 503 "a device's TrK set while running: waits"
same "$(tkprov "$TOKEN" tk.a "$tmp/tk0.xml")" 200 "alice's own TrK still served meanwhile"
n0=$(log_count "configuration reloaded" "$tmp/log")
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" "$n0"
has "transport keys of 3 identities or devices unsealed with the token's key" "$tmp/log" \
	"reload: the TrKs set since unsealed"
same "$(tkprov "$BTOKEN" tk.b "$tmp/tkb.xml")" 200 "bob's TrK taken up at the reload"
same "$(tkprov "$TOKEN" tk.ar "$tmp/tkar.xml")" 200 "alice's radio's TrK taken up at the reload"
has "<TrK-ID>tk.ar</TrK-ID>" "$tmp/tkar.xml" "the radio's KeyProv under its TrK"
has "<SignedKmsResponse" "$tmp/tkb.xml" "bob's TrK KeyProv: signed"
# the token goes away: a reload is refused, naming it, and serving goes on
mv "$tmp/tokens" "$tmp/tokens.away"
mkdir "$tmp/tokens"
n0=$(log_count "reload failed" "$tmp/log")
kill -HUP "$pid"
wait_log "reload failed, keeping the running configuration: kek: $URI: no token matches: CKR_TOKEN_NOT_PRESENT" \
	"$tmp/log" "$n0"
expect 0 "key set served with the token gone" keyprov "$tmp/kp1.xml"
same "$(rsk "$tmp/kp1.xml")" "$(rsk "$tmp/kp0.xml")" "same key set with the token gone"
same "$(tkprov "$TOKEN" tk.a "$tmp/tk1.xml")" 200 "TrK KeyProv with the token gone: keys kept"
kill -0 "$pid" 2>/dev/null && ok || bad "skmsd exited when the token went away"
rm -rf "$tmp/tokens"
mv "$tmp/tokens.away" "$tmp/tokens"
n0=$(log_count "configuration reloaded" "$tmp/log")
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" "$n0"
kill "$pid"
wait "$pid" 2>/dev/null
pid=
# skmsd with the domain sealed through the wrap path, sealing so too
KSTORE=$W
KEKARGS="pkcs11-uri $URI pkcs11-mechanism kwp"
start_skmsd "$C" write_conf
has "domain opened: master secrets unsealed under the PKCS#11 key object $URI, in " \
	"$tmp/log" "start log, kwp: names the URI"
ms=$(sed -n 's/.*master secrets unsealed under .*, in \([0-9.]*\) ms.*/\1/p' "$tmp/log")
echo "domain opened at start with SoftHSM2 through C_UnwrapKey: $ms ms"
expect 0 "key set served from the wrap-sealed store" keyprov "$tmp/kpw.xml"
same "$(rsk "$tmp/kpw.xml")" "$(rsk "$tmp/kp0.xml")" "same key set served, kwp and GCM"
kill "$pid"
wait "$pid" 2>/dev/null
pid=
KSTORE=

# --- back to a key file; the token key no longer opens the store ---
expect 0 "rotate token to file" "$CTL" --config "$tmp/t.yaml" kek rotate --kek-file "$tmp/f2.key"
has "^previous-kek-path: $URI$" "$tmp/out" "rotate to a file: previous source"
expect 1 "the token key no longer opens the store" opens "$tmp/tu.yaml"
has "$URI is named as a PKCS#11 key object, but the master secrets are sealed under a key file" \
	"$tmp/opens.err" "the token key named: reason"
expect 0 "key set under the second key file" opens "$tmp/f2.yaml"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "key set changed by the move out of the token"
# and into the token again, for a start where the key object is missing
URI2="pkcs11:token=skms;object=skms-kek2"
expect 2 "rotate generating a key file" "$CTL" --config "$tmp/f2.yaml" kek rotate \
	--kek-file "$tmp/f3.key" --kek-generate
expect 0 "rotate file to a key made on the token" "$CTL" --config "$tmp/f2.yaml" kek rotate \
	--pkcs11 "$URI2" --kek-generate
has "^kek-path: $URI2$" "$tmp/out" "rotate with a key made on the token: new source"
kconf "$tmp/tu2.yaml" pkcs11-uri "$URI2"
expect 0 "key set under the key made on the token" opens "$tmp/tu2.yaml"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "key set changed by the second move"
rm -rf "$tmp/tokens"
mkdir "$tmp/tokens"
softhsm2-util --init-token --free --label skms --pin "$PIN" --so-pin so-pin-0815 >/dev/null 2>&1
KEKARGS="pkcs11-uri $URI2"
write_conf
expect 1 "skmsd start with the key object missing" "$SKMSD" -c "$C"
has "$URI2: no secret key object matches: CKR_KEY_HANDLE_INVALID" "$tmp/err" \
	"start, no key object: URI and CKR_"

# --- the default module, p11-kit's proxy (no kek.pkcs11-module) ---
# proxy_domain LABEL RUN STORE: with the module registered with p11-kit, a
# domain made (init with a key made on the token) and served by skmsd
# through the proxy, RUN running each program (as another user, or env).
proxy_domain() {
	pu="pkcs11:token=$1;object=skms-kek-proxy"
	KSTORE=$3
	KMODULE=none
	kconf "$tmp/proxy.yaml" pkcs11-uri "$pu"
	expect 0 "init through the proxy ($1)" $2 "$CTL" --config "$tmp/proxy.yaml" init \
		--kms-uri kms.example.org --kek-pkcs11 "$pu" --kek-generate
	has "^kek-path: $pu$" "$tmp/out" "init through the proxy ($1): the URI"
	expect 0 "user add through the proxy ($1)" $2 "$CTL" --config "$tmp/proxy.yaml" \
		user add sip:alice@example.org
	KEKARGS="pkcs11-uri $pu"
	sk=$SKMSD
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$2" "$sk" >"$tmp/skmsd-run"
	chmod 0755 "$tmp/skmsd-run"
	SKMSD=$tmp/skmsd-run
	start_skmsd "$C" write_conf
	SKMSD=$sk
	has "domain opened: master secrets unsealed under the PKCS#11 key object $pu, in " \
		"$tmp/log" "start through the proxy ($1): names the URI"
	expect 0 "key set served through the proxy ($1)" keyprov "$tmp/kpp.xml"
	has "<UserDecryptKey" "$tmp/kpp.xml" "served key set ($1)"
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	KSTORE=
	KMODULE=
}
# As Debian registers it (softhsm2-common ships a softhsm2.module), if so.
if p11-kit list-modules 2>/dev/null | grep -q "^[^ ].*: .*libsofthsm2\.so$"; then
	proxy_domain skms env "$tmp/px1"
else
	echo "note: SoftHSM2 is not registered with p11-kit here; only the private registration is tested"
fi
# Registered for this test only, in a private user configuration that
# replaces the system's (user-config: only). p11-kit reads no user
# configuration in a program run by root, so root runs this as nobody.
if [ "$(id -u)" -ne 0 ]; then
	AS=env
elif id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
	AS="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups env"
else
	AS=
	echo "note: no user nobody or no setpriv: the private p11-kit registration is not tested"
fi
if [ -n "$AS" ]; then
	P=$tmp/p
	mkdir -p "$P/tokens" "$P/home" "$P/config/pkcs11/modules"
	printf 'user-config: only\n' >"$P/config/pkcs11/pkcs11.conf"
	printf 'module: %s\n' "$MODULE" >"$P/config/pkcs11/modules/softhsm2.module"
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
	    "$P" >"$P/softhsm2.conf"
	cp "$tmp/pin" "$tmp/server.pem" "$tmp/server.key" "$tmp/iss.pub" "$P/"
	chmod 0700 "$P"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R nobody:"$(id -g nobody)" "$P"
		chmod 0711 "$tmp"
	fi
	printf '#!/bin/sh\nexec %s HOME=%s XDG_CONFIG_HOME=%s SOFTHSM2_CONF=%s "$@"\n' \
	    "$AS" "$P/home" "$P/config" "$P/softhsm2.conf" >"$tmp/as"
	chmod 0755 "$tmp/as"
	expect 0 "a token of the unprivileged user" "$tmp/as" softhsm2-util --init-token --free \
		--label skmsp --pin "$PIN" --so-pin so-pin-0815
	KPIN=$P/pin
	KTLS=$P
	C=$P/skms.yaml
	proxy_domain skmsp "$tmp/as" "$P/store"
	# without the private registration the proxy finds no token
	mv "$P/config/pkcs11/modules/softhsm2.module" "$P/config/pkcs11/softhsm2.off"
	expect 1 "no registration, no token" "$tmp/as" "$CTL" --config "$tmp/proxy.yaml" \
		--store "$P/store" keyset derive sip:alice@example.org --period 1546
	has "pkcs11:token=skmsp;object=skms-kek-proxy: no token matches: CKR_TOKEN_NOT_PRESENT" \
		"$tmp/err" "no registration: URI and CKR_"
	KPIN=
	KTLS=
fi

# --- no key, no PIN, no derived secret in the store ---
hexof "$S/data.mdb" >"$tmp/store.hex"
for k in f1 f2; do
	if grep -q "$(hexof "$tmp/$k.key")" "$tmp/store.hex"; then
		bad "key file $k is in the store"
	else ok; fi
done
if grep -q -a "$PIN" "$S/data.mdb" "$tmp/s0/data.mdb" "$W/data.mdb"; then
	bad "the PIN is in a store"
else ok; fi
ssk=$(sed -n 's:.*<UserSigningKeySSK[^>]*>\(.*\)</UserSigningKeySSK>.*:\1:p' "$tmp/ks0.xml")
[ -n "$ssk" ] && ok || bad "no SSK in the key set"
if grep -qi "$ssk" "$tmp/store.hex"; then bad "a derived secret is in the store"; else ok; fi
if hexof "$W/data.mdb" | grep -qi "$ssk"; then bad "a derived secret is in the kwp store"; else ok; fi

echo "skmsctl_hsm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
