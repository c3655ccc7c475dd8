#!/bin/sh
# SPDX-License-Identifier: ISC
# End-to-end group key management: skmsd provisions a GMS and three users
# over TLS (skmc init and fetch with tokens from skms-mint-token); the GMS
# distributes a GMK for a group and all three accept it; one member is
# removed with rekey-on-removal; the two remaining accept the new GMK,
# which becomes the active one at its activation time, while the removed
# user cannot use it and, once the group leaves her profile, has no GMK
# of that group left. Along the way: explicit affiliation, a GMK shared
# by two groups, and refusals each naming their check.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC"

ctl() { "$CTL" --store "$tmp/store" "$@"; }
ks="$tmp/ks"
as() {	# as URI COMMAND...: skmc as that identity
	who=$1
	shift
	"$SKMC" --keystore "$ks" --as "$who" "$@"
}
field() { sed -n "s/^$1: //p" "$tmp/out" | head -n 1; }

GMS=sip:gms@example.org
A=sip:alice@example.org
B=sip:bob@example.org
C=sip:carol@example.org

# --- the domain (one-day key periods: none ends during the test), TLS, issuer ---
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --key-period 86400 --kek-file "$tmp/kek.key" &&
    ctl user add $A && ctl user add $B && ctl user add $C &&
    ctl user add $GMS --role gms &&
    "$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/server.key" -out "$tmp/server.pem" -subj /CN=127.0.0.1 -days 2 \
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
  metrics-listen: 127.0.0.1:$((port + 1))
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

start() {
	start_skmsd "$conf" write_conf
}
start

# --- provisioning over TLS: each identity initialises and fetches its key sets ---
for who in $GMS $A $B $C; do
	name=${who#sip:}
	"$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms --sub "$who" \
	    >"$tmp/$name.token" 2>"$tmp/err" || bad "mint $who"
	chmod 0600 "$tmp/$name.token"
	expect 0 "init $who" "$SKMC" --keystore "$ks" init --server "https://127.0.0.1:$port" \
	    --uri "$who" --token-file "$tmp/$name.token" --cacert "$tmp/server.pem"
	expect 0 "fetch $who" as "$who" fetch
done

# --- the user profiles: the three users are members of g1, served by the GMS ---
for who in $A $B $C; do
	expect 0 "group add for $who" as $who group add g1 --gms $GMS
done
expect 0 "group list" as $A group list
has "^g1 $GMS\$" "$tmp/out" "group list"

# --- the GMS: group with rekey-on-removal, three implicit members, first GMK ---
expect 0 "gms create" as $GMS gms create g1 --rekey-on-removal
expect 1 "gms create twice" as $GMS gms create g1
has "group exists" "$tmp/err" "gms create twice"
for who in $A $B $C; do
	expect 0 "gms add $who" as $GMS gms add g1 $who
	hasnt "^sent:" "$tmp/out" "no GMK yet, nothing sent"
done
expect 0 "gms rekey" as $GMS gms rekey g1 --out "$tmp/out1" --text "first"
same "$(grep -c '^sent:' "$tmp/out")" 3 "first GMK sent to three members"
gmk1=$(field gmk-id)
for f in alice bob carol; do
	[ -s "$tmp/out1/sip_$f@example.org.xml" ] && ok || bad "no notification for $f"
done
has "<RequesterIdentity>$GMS</RequesterIdentity>" "$tmp/out1/sip_alice@example.org.xml" \
    "notification names the GMS"
has "<ValGroupId>g1</ValGroupId>" "$tmp/out1/sip_alice@example.org.xml" \
    "notification names the group"

# --- the members accept; a member cannot accept another's message ---
expect 1 "bob accepts alice's message" as $B gmk accept "$tmp/out1/sip_alice@example.org.xml"
has "check 2 receiver" "$tmp/out" "wrong receiver reason"
has "result: failure" "$tmp/out" "wrong receiver response"
for f in alice bob carol; do
	expect 0 "$f accepts" as "sip:$f@example.org" gmk accept \
	    "$tmp/out1/sip_$f@example.org.xml" --response "$tmp/resp-$f.xml"
	same "$(field gmk-id)" "$gmk1" "$f: GMK-ID"
	same "$(field groups)" "g1" "$f: groups"
	has "^guk-id: [0-9a-f]\{8\}\$" "$tmp/out" "$f: GUK-ID"
	has "^activation: " "$tmp/out" "$f: activation"
	has "<Result>success</Result>" "$tmp/resp-$f.xml" "$f: response document"
done
expect 1 "replay" as $A gmk accept "$tmp/out1/sip_alice@example.org.xml"
has "check 1 message: replay" "$tmp/out" "replay reason"
expect 0 "alice active" as $A gmk active g1
same "$(field gmk-id)" "$gmk1" "first GMK active"

# --- explicit affiliation: nothing before the member subscribed ---
expect 0 "gms add explicit" as $GMS gms add g1 sip:dave@example.org --explicit --out "$tmp/outd"
hasnt "^sent:" "$tmp/out" "explicit member gets nothing before subscribing"
expect 0 "gms subscribe" as $GMS gms subscribe g1 sip:dave@example.org --out "$tmp/outd"
has "^sent: sip:dave@example.org " "$tmp/out" "subscribed member gets the GMK"
expect 0 "gms remove dave" as $GMS gms remove g1 sip:dave@example.org --out "$tmp/outx"
gmk_after_dave=$(as $GMS gms show g1 | sed -n 's/^gmk-id: //p')
expect 0 "alice accepts rekey after dave" as $A gmk accept "$tmp/outx/sip_alice@example.org.xml"
expect 0 "bob accepts rekey after dave" as $B gmk accept "$tmp/outx/sip_bob@example.org.xml"
expect 0 "carol accepts rekey after dave" as $C gmk accept "$tmp/outx/sip_carol@example.org.xml"

# --- carol removed with rekey-on-removal: a new GMK for alice and bob only ---
act=$(( $(date +%s) + 4 ))
expect 0 "gms remove carol" as $GMS gms remove g1 $C --out "$tmp/out2" --activation "@$act"
same "$(grep -c '^sent:' "$tmp/out")" 2 "new GMK sent to the two remaining"
hasnt "^sent: $C" "$tmp/out" "nothing sent to carol"
[ -e "$tmp/out2/sip_carol@example.org.xml" ] && bad "a notification for carol" || ok
gmk2=$(field gmk-id)
[ "$gmk2" != "$gmk_after_dave" ] && ok || bad "rekey kept the GMK-ID"
expect 0 "gms show" as $GMS gms show g1
hasnt "$C" "$tmp/out" "carol no longer a member"
for f in alice bob; do
	expect 0 "$f accepts the new GMK" as "sip:$f@example.org" gmk accept \
	    "$tmp/out2/sip_$f@example.org.xml"
	same "$(field gmk-id)" "$gmk2" "$f: new GMK-ID"
	# Not active before its activation time, active from then on.
	expect 0 "$f active before" as "sip:$f@example.org" gmk active g1 --at "@$((act - 1))"
	same "$(field gmk-id)" "$gmk_after_dave" "$f: previous GMK active before activation"
	expect 0 "$f active at" as "sip:$f@example.org" gmk active g1 --at "@$act"
	same "$(field gmk-id)" "$gmk2" "$f: new GMK active at activation"
done
expect 1 "carol cannot accept alice's new message" as $C gmk accept \
    "$tmp/out2/sip_alice@example.org.xml"
has "check 2 receiver" "$tmp/out" "carol: wrong receiver"
while [ "$(date +%s)" -le "$act" ]; do sleep 1; done
expect 0 "alice active now" as $A gmk active g1
same "$(field gmk-id)" "$gmk2" "new GMK active once its time has come"

# --- carol's profile loses g1: her GMKs of g1 are erased ---
expect 0 "carol group remove" as $C group remove g1
same "$(sed -n 's/^erased: //p' "$tmp/out")" 2 "carol: both GMKs of g1 erased"
expect 0 "carol gmk list" as $C gmk list
same "$(wc -l <"$tmp/out" | tr -d ' ')" 0 "carol has no GMK left"
expect 1 "carol active" as $C gmk active g1
has "no active GMK" "$tmp/err" "carol: no active GMK"
expect 1 "carol group remove twice" as $C group remove g1

# --- a GMK for two groups survives leaving one of them ---
expect 0 "alice joins g3" as $A group add g3 --gms $GMS
expect 0 "gmk make for g1 and g3" as $GMS gmk make --group g1 --group g3 --to $A \
    --out "$tmp/out3" --activation "@$(( $(date +%s) - 1 ))"
gmk3=$(field gmk-id)
expect 0 "alice accepts the shared GMK" as $A gmk accept "$tmp/out3/sip_alice@example.org.xml"
same "$(field groups)" "g1 g3" "shared GMK groups"
expect 0 "alice leaves g3" as $A group remove g3
same "$(sed -n 's/^kept: //p' "$tmp/out")" 1 "shared GMK kept"
expect 0 "alice gmk list" as $A gmk list
has "^$gmk3 " "$tmp/out" "shared GMK still stored"
expect 0 "alice active g1" as $A gmk active g1
same "$(field gmk-id)" "$gmk3" "shared GMK now active for g1"

# --- refusals naming their check; nothing stored ---
expect 0 "alice joins g4 of another GMS" as $A group add g4 --gms sip:other-gms@example.org
expect 0 "gmk make for g4" as $GMS gmk make --group g4 --to $A --out "$tmp/out4" \
    --hide-identities
as $A gmk list >"$tmp/before"
expect 1 "GMS not the group's server" as $A gmk accept "$tmp/out4/sip_alice@example.org.xml"
has "check 6 group: the GMS of VAL group 'g4' is sip:other-gms@example.org" "$tmp/out" \
    "wrong GMS reason"
expect 0 "gmk make for g5" as $GMS gmk make --group g5 --to $A --out "$tmp/out5"
expect 1 "group not in profile" as $A gmk accept "$tmp/out5/sip_alice@example.org.xml"
has "check 6 group: VAL group 'g5' is not in the user profile" "$tmp/out" "no group reason"
as $A gmk list >"$tmp/after"
cmp -s "$tmp/before" "$tmp/after" && ok || bad "refused messages changed the store"
expect 1 "not a notification" as $A gmk accept /dev/null
has "check 1 message" "$tmp/out" "garbage reason"

# --- usage ---
expect 2 "gmk make without members" as $GMS gmk make --group g1 --out "$tmp/x"
expect 2 "gmk make with a tagged GMK-ID" as $GMS gmk make --group g1 --to $A \
    --gmk-id 1df9bc39 --out "$tmp/x"
expect 2 "group add without GMS" as $A group add g9

echo "skmc_gmk: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
