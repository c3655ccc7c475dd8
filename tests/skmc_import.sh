#!/bin/sh
# SPDX-License-Identifier: ISC
# Offline tests of skmc import: documents written by skmsctl cert export
# and skmsctl keyset derive are stored; tampered RSK, SSK, PVT, UserID,
# namespace and truncated XML are each refused with their reason and
# nothing is stored (the keystore listing and contents are compared before
# and after); base64 and hex forms; XXE and billion-laughs documents are
# refused quickly; the config file and usage errors.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_built "$SKMC" "$CTL"
need_tools perl

ctl() { "$CTL" --store "$tmp/store" "$@"; }
ks="$tmp/ks"
skmc() { "$SKMC" --keystore "$ks" "$@"; }
A=sip:alice@example.org

# Key periods of one day: the current period cannot end during the test.
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
now=$(date +%s)
# The certificate from a week back: a key set of three days ago is derived.
if ! { ctl init --kms-uri kms.example.org --key-period 86400 --kek-file "$tmp/kek.key" \
    --valid-from "@$((now - 7 * 86400))" &&
    ctl user add $A && ctl user add sip:bob@example.org &&
    ctl cert export >"$tmp/cert.xml" &&
    ctl keyset derive $A --at "@$now" --out "$tmp/cur.xml" &&
    ctl keyset derive $A --at "@$((now + 86400))" --out "$tmp/next.xml" &&
    ctl keyset derive sip:bob@example.org --at "@$now" --out "$tmp/bob.xml"; } \
    >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the domain"
	exit 1
fi

# listing: every file of the keystore with its checksum.
listing() {
	if [ -d "$ks" ]; then
		find "$ks" | sort
		find "$ks" -type f -exec cksum {} + | sort
	fi
}

# refused DESCRIPTION REASON FILE...: import fails, names REASON, stores nothing.
refused() {
	what=$1
	reason=$2
	shift 2
	listing >"$tmp/before"
	expect 1 "$what refused" skmc --as $A import "$@"
	has "$reason" "$tmp/err" "$what reason"
	listing >"$tmp/after"
	if cmp -s "$tmp/before" "$tmp/after"; then ok; else bad "$what: keystore changed"; fi
}

# sub FROM TO IN OUT: perl substitution of the first match (FROM is a regex,
# TO a perl expression).
sub() { perl -0pe "s/$1/$2/e" "$3" >"$4"; }

# Nothing yet: neither an identity nor a certificate is known.
expect 1 "import without identity" skmc import "$tmp/cert.xml"
has "identity: none known" "$tmp/err" "no identity"
refused "key set without a Root certificate" "root certificate: none" "$tmp/cur.xml"
if [ -e "$ks" ]; then bad "failed import created the keystore"; else ok; fi

# A tampered key set next to a good certificate: the certificate is not stored either.
sub '(<UserDecryptKey[^>]*>....)(.)' '$1.($2 eq "0" ? "1" : "0")' "$tmp/cur.xml" "$tmp/t-rsk.xml"
refused "tampered RSK" "UserDecryptKey: not a point" "$tmp/cert.xml" "$tmp/t-rsk.xml"
sub '(<UserSigningKeySSK[^>]*>)(.)' '$1.($2 eq "0" ? "1" : "0")' "$tmp/cur.xml" "$tmp/t-ssk.xml"
refused "tampered SSK" "UserSigningKeySSK: \[SSK\]G is not" "$tmp/cert.xml" "$tmp/t-ssk.xml"
sub '(<UserPubTokenPVT[^>]*>....)(.)' '$1.($2 eq "0" ? "1" : "0")' "$tmp/cur.xml" "$tmp/t-pvt.xml"
refused "tampered PVT" "UserPubTokenPVT: not a point" "$tmp/cert.xml" "$tmp/t-pvt.xml"
sub '(<UserID>)(.)' '$1.($2 eq "0" ? "1" : "0")' "$tmp/cur.xml" "$tmp/t-uid.xml"
refused "tampered UserID" "UserID: not the UID" "$tmp/cert.xml" "$tmp/t-uid.xml"
sub 'mcsecKMSInterface:1.0' '"mcsecKMSInterface:9.9"' "$tmp/cur.xml" "$tmp/t-ns.xml"
refused "wrong namespace" "wrong namespace" "$tmp/cert.xml" "$tmp/t-ns.xml"
# Bob's RSK and PVT are valid points, but not Alice's keys.
bob_rsk=$(sed -n 's/.*<UserDecryptKey[^>]*>\([^<]*\)<.*/\1/p' "$tmp/bob.xml")
bob_pvt=$(sed -n 's/.*<UserPubTokenPVT[^>]*>\([^<]*\)<.*/\1/p' "$tmp/bob.xml")
sub '(<UserDecryptKey[^>]*>)[^<]*' "\$1.'$bob_rsk'" "$tmp/cur.xml" "$tmp/t-rsk2.xml"
refused "another identity's RSK" "UserDecryptKey" "$tmp/cert.xml" "$tmp/t-rsk2.xml"
sub '(<UserPubTokenPVT[^>]*>)[^<]*' "\$1.'$bob_pvt'" "$tmp/cur.xml" "$tmp/t-pvt2.xml"
refused "another identity's PVT" "UserSigningKeySSK\|UserPubTokenPVT" "$tmp/cert.xml" \
    "$tmp/t-pvt2.xml"
head -c 700 "$tmp/cur.xml" >"$tmp/t-trunc.xml"
refused "truncated XML" "t-trunc.xml: XML line [0-9]*: Premature end" "$tmp/cert.xml" "$tmp/t-trunc.xml"
refused "another identity's key set" "bob" "$tmp/cert.xml" "$tmp/bob.xml"
sub 'kms.example.org' '"kms.example.net"' "$tmp/cert.xml" "$tmp/t-kms.xml"
refused "key set under another KMS" "KmsUri\|UserID" "$tmp/t-kms.xml" "$tmp/cur.xml"
refused "a key set twice" "second key set" "$tmp/cert.xml" "$tmp/cur.xml" "$tmp/cur.xml"
refused "missing file" "cannot open" "$tmp/cert.xml" "$tmp/nonexistent.xml"

# XXE and billion laughs: refused (DOCTYPE), quickly, nothing read from outside.
echo "SECRET-OUTSIDE" >"$tmp/outside.txt"
cat >"$tmp/xxe.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE KmsCertificate [ <!ENTITY x SYSTEM "file://$tmp/outside.txt"> ]>
<KmsCertificate xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.1.0" Role="Root">
<KmsUri>&x;</KmsUri></KmsCertificate>
EOF
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE KmsKeySet ['
	echo ' <!ENTITY a0 "lol">'
	i=1
	while [ $i -le 12 ]; do
		p=$((i - 1))
		echo " <!ENTITY a$i \"&a$p;&a$p;&a$p;&a$p;&a$p;&a$p;&a$p;&a$p;&a$p;&a$p;\">"
		i=$((i + 1))
	done
	echo ']>'
	echo '<KmsKeySet xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>&a12;</UserUri></KmsKeySet>'
} >"$tmp/lol.xml"
# Refused within 10 s of CPU time (ulimit -t: an expansion would be killed
# by SIGXCPU and the exit status would not be 1), whatever else the machine
# is doing.
skmc() { (ulimit -t 10 && exec "$SKMC" --keystore "$ks" "$@"); }
for doc in xxe lol; do
	refused "$doc document" "DOCTYPE\|DTD\|doctype" "$tmp/$doc.xml"
	hasnt "SECRET-OUTSIDE" "$tmp/err" "$doc document"
done
skmc() { "$SKMC" --keystore "$ks" "$@"; }

# The good documents: stored, 0700 directories and 0600 files.
expect 0 "import certificate and key sets" skmc --as $A import "$tmp/cert.xml" \
    "$tmp/cur.xml" "$tmp/next.xml"
has "imported: root certificate kms.example.org" "$tmp/out" "root imported"
has "imported: key set for period" "$tmp/out" "key sets imported"
bad_modes=$(find "$ks" \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \))
if [ -z "$bad_modes" ]; then ok; else bad "modes: $bad_modes"; fi
expect 0 "status" skmc status
has "identity: $A" "$tmp/out" "status identity"
has "kms-uri: kms.example.org" "$tmp/out" "status KMS"
cur=$(sed -n 's/^current-period: //p' "$tmp/out")
has "periods: $cur $((cur + 1))" "$tmp/out" "status periods"
expect 0 "status --json" skmc status --json
has "\"identity\":\"sip:alice@example.org\"" "$tmp/out" "json identity"
has "\"periods\":\\[$cur,$((cur + 1))\\]" "$tmp/out" "json periods"
expect 0 "keys show" skmc keys show
has "^user-id: [0-9a-f]\{64\}$" "$tmp/out" "keys show UserID"
has "^pvt: 04" "$tmp/out" "keys show PVT"
hasnt "^ssk\|^rsk" "$tmp/out" "keys show without --private"
uid=$("$SKMC" uid $A --kms-uri kms.example.org --key-period 86400 --key-offset 0 \
    --period-no "$cur")
has "^user-id: $uid$" "$tmp/out" "keys show UserID is the UID"
expect 0 "keys show --private" skmc keys show --private
has "^ssk: [0-9a-f]\{64\}$" "$tmp/out" "private SSK"
has "^rsk: 04[0-9a-f]\{512\}$" "$tmp/out" "private RSK"
expect 1 "keys show of a period not stored" skmc keys show --period 5
has "no key set for period 5" "$tmp/err" "missing period reason"

# Tampered documents against a populated keystore change nothing either.
refused "tampered SSK, populated keystore" "SSK" "$tmp/t-ssk.xml"
refused "another Root certificate, tampered" "point\|PubEncKey\|PubAuthKey" \
    "$tmp/t-rsk.xml" "$tmp/cert.xml"

# base64 instead of hex, for every binary value: accepted, same keys.
perl -MMIME::Base64 -0pe \
    's{(<(UserDecryptKey|UserSigningKeySSK|UserPubTokenPVT|UserID)\b[^>]*>)([0-9A-Fa-f]+)<}{$1.encode_base64(pack("H*",$3),"")."<"}ge' \
    "$tmp/cur.xml" >"$tmp/b64.xml"
has "UserSigningKeySSK[^>]*>[^<]*[g-zG-Z+/=]" "$tmp/b64.xml" "base64 document made"
expect 0 "base64 key set" skmc import "$tmp/b64.xml"
expect 0 "keys after base64" skmc keys show --private
has "^user-id: $uid$" "$tmp/out" "base64 UserID decoded"
# Upper-case hex.
perl -0pe 's{(<(UserDecryptKey|UserSigningKeySSK|UserPubTokenPVT|UserID)\b[^>]*>)([0-9A-Fa-f]+)<}{$1.uc($3)."<"}ge' \
    "$tmp/cur.xml" >"$tmp/uc.xml"
expect 0 "upper-case hex key set" skmc import "$tmp/uc.xml"

# A KmsResponse around the key set (as skmsd sends it) is taken as well.
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<KmsResponse xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0" Version="1.0.0">'
	echo "<UserUri>$A</UserUri><KmsUri>kms.example.org</KmsUri>"
	echo '<Time>2026-01-01T00:00:00Z</Time><KmsMessage><KmsKeyProv Version="1.0.0">'
	sed '1d' "$tmp/next.xml"
	echo '</KmsKeyProv></KmsMessage></KmsResponse>'
} >"$tmp/resp.xml"
expect 0 "KeyProv response" skmc import "$tmp/resp.xml"
sed "s|<UserUri>$A</UserUri><KmsUri>|<UserUri>sip:bob@example.org</UserUri><KmsUri>|" \
    "$tmp/resp.xml" >"$tmp/t-resp.xml"
refused "response for another identity" "bob" "$tmp/t-resp.xml"

# Purge after the grace: the keystore's expired key sets are erased.
expect 0 "import an old period" skmc import "$tmp/cert.xml"
ctl keyset derive $A --at "@$((now - 3 * 86400))" --out "$tmp/old.xml" >/dev/null 2>&1
expect 0 "import an expired key set" skmc import "$tmp/old.xml"
echo "purge-grace = 0" >"$tmp/p.conf"
n_before=$(find "$ks" -name '*.xml' -path '*/keys/*' | wc -l)
expect 0 "status lists it" skmc status
has "periods: $((cur - 3)) $cur" "$tmp/out" "old period stored"

# The config file: keys accepted; an unknown key or bad value refused with file:line.
printf '# a comment\nwatch-window = 20\n\nretry-min = 5\n' >"$tmp/good.conf"
expect 0 "good config" "$SKMC" --config "$tmp/good.conf" --keystore "$ks" status
expect 0 "the sample config" "$SKMC" --config "$top_srcdir/etc/skmc.conf.sample" \
    --keystore "$ks" status
printf 'timeout = 30\nbogus = 1\n' >"$tmp/bad.conf"
expect 1 "unknown config key" "$SKMC" --config "$tmp/bad.conf" --keystore "$ks" status
has "bad.conf:2: unknown key 'bogus'" "$tmp/err" "unknown key with file:line"
printf 'watch-window = 400\n' >"$tmp/bad2.conf"
expect 1 "config value out of range" "$SKMC" --config "$tmp/bad2.conf" status
has "bad2.conf:1: watch-window: out of range" "$tmp/err" "range with file:line"
printf 'keystore\n' >"$tmp/bad3.conf"
expect 1 "config line without =" "$SKMC" --config "$tmp/bad3.conf" status
has "bad3.conf:1:" "$tmp/err" "syntax with file:line"
printf 'keystore = %s\nas = %s\n' "$ks" "$A" >"$tmp/ks.conf"
expect 0 "keystore from config" "$SKMC" --config "$tmp/ks.conf" status
has "identity: $A" "$tmp/out" "config keystore used"

# Purge (with the config's grace) happens on fetch and watch; fetch needs a
# server, which this keystore (imported offline) has not.
expect 1 "fetch without a server" "$SKMC" --config "$tmp/p.conf" --keystore "$ks" fetch
has "no server" "$tmp/err" "fetch without a server reason"
n_after=$(find "$ks" -name '*.xml' -path '*/keys/*' | wc -l)
if [ "$n_before" -eq "$n_after" ]; then ok; else bad "failed fetch purged"; fi

# Usage errors: exit 2.
expect 2 "unknown command" skmc frobnicate
expect 2 "import without files" skmc import
expect 2 "unknown option" skmc status --frob
expect 2 "fetch with two selectors" skmc fetch --next --period 3
expect 2 "bad period" skmc keys show --period x1
expect 2 "global option without value" "$SKMC" --keystore

echo "skmc_import: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
