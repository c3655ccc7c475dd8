#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional tests of 'skmsctl kek rotate': every kind of key-encryption
# key to every kind, the previous key refused afterwards (skmsctl and
# skmsd -n) with the recorded source named, the same master secrets (key
# sets equal) under each key, no key or passphrase in the store, refusals
# that change nothing, kill -9 at random points (the store opens under
# exactly one of the two keys), and a rotation under a running skmsd.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
bg=
S="$tmp/store"
cleanup_extra() {
	[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null
}

need_tools curl od "$OPENSSL"
need_built "$CTL" "$SKMSD" "$MINT"

# kconf FILE KIND PATH: a configuration naming a key file or passphrase file
# (small scrypt parameters: the tests need no strength).
kconf() {
	printf 'store:\n  path: %s\nkek:\n  scrypt-n: 16384\n' "$S" >"$1"
	[ "$2" = none ] || printf '  %s: %s\n' "$2" "$3" >>"$1"
}
# opens CONF: the store's key sets derive under the key CONF names.
opens() {
	"$CTL" --config "$1" keyset derive sip:alice@example.org --period 1546 \
	    >"$tmp/opens.xml" 2>"$tmp/opens.err"
}
hexof() { od -A n -t x1 -v "$1" | tr -d ' \n'; }

# --- a domain sealed under a key file ---
for k in f1 f2 f3; do head -c 32 /dev/urandom >"$tmp/$k.key"; chmod 0600 "$tmp/$k.key"; done
printf 'first passphrase\n' >"$tmp/p1"
printf 'second passphrase\n' >"$tmp/p2"
chmod 0600 "$tmp/p1" "$tmp/p2"
kconf "$tmp/none.yaml" none
kconf "$tmp/f1.yaml" file "$tmp/f1.key"
kconf "$tmp/f2.yaml" file "$tmp/f2.key"
kconf "$tmp/f3.yaml" file "$tmp/f3.key"
kconf "$tmp/p1.yaml" passphrase-file "$tmp/p1"
kconf "$tmp/p2.yaml" passphrase-file "$tmp/p2"
expect 0 "init" "$CTL" --config "$tmp/f1.yaml" init --kms-uri kms.example.org
"$CTL" --config "$tmp/f1.yaml" user add sip:alice@example.org >/dev/null 2>&1
expect 0 "key set under the first key" opens "$tmp/f1.yaml"
cp "$tmp/opens.xml" "$tmp/ks0.xml"
has "<UserDecryptKey" "$tmp/ks0.xml" "a key set"

# --- usage errors and refusals change nothing ---
expect 2 "rotate without a source" "$CTL" --config "$tmp/f1.yaml" kek rotate
has "kek-file or --passphrase-file or --pkcs11: required" "$tmp/err" "no source: reason"
expect 2 "rotate with both sources" "$CTL" --config "$tmp/f1.yaml" kek rotate \
	--kek-file "$tmp/f2.key" --passphrase-file "$tmp/p1"
expect 2 "rotate with an argument" "$CTL" --config "$tmp/f1.yaml" kek rotate extra
expect 3 "rotate without a store" "$CTL" --store "$tmp/nostore" kek rotate --kek-file "$tmp/new.key"
[ ! -e "$tmp/new.key" ] && ok || bad "a rotation without a store made a key file"
"$CTL" --config "$tmp/f1.yaml" audit >"$tmp/audit.before"
# the current key is the one the configuration names: a wrong one refuses
expect 1 "rotate under a wrong current key" "$CTL" --config "$tmp/f3.yaml" kek rotate \
	--kek-file "$tmp/made.key"
has "do not unseal: wrong key-encryption key" "$tmp/err" "wrong current key: reason"
has "the store records the key file $tmp/f1.key" "$tmp/err" "wrong current key: recorded source named"
[ ! -e "$tmp/made.key" ] && ok || bad "a refused rotation left the key file it made"
expect 1 "rotate under a passphrase for a key-file domain" "$CTL" --config "$tmp/p1.yaml" \
	kek rotate --kek-file "$tmp/f2.key"
has "sealed under a key file: the store records the key file $tmp/f1.key" "$tmp/err" "wrong kind: reason"
expect 1 "rotate to the current key" "$CTL" --config "$tmp/f1.yaml" kek rotate --kek-file "$tmp/f1.key"
has "holds the current key-encryption key" "$tmp/err" "same key: reason"
cp "$tmp/f1.key" "$tmp/f1.copy"
expect 1 "rotate to a copy of the current key" "$CTL" --config "$tmp/f1.yaml" kek rotate \
	--kek-file "$tmp/f1.copy"
has "holds the current" "$tmp/err" "copy of the key: reason"
chmod 0644 "$tmp/f2.key"
expect 1 "rotate to a key file others may read" "$CTL" --config "$tmp/f1.yaml" kek rotate \
	--kek-file "$tmp/f2.key"
has "mode 0644" "$tmp/err" "open key file: reason"
chmod 0600 "$tmp/f2.key"
head -c 31 /dev/urandom >"$tmp/short.key"
chmod 0600 "$tmp/short.key"
expect 1 "rotate to a short key file" "$CTL" --config "$tmp/f1.yaml" kek rotate \
	--kek-file "$tmp/short.key"
has "31 octets" "$tmp/err" "short key file: reason"
mkdir -m 0777 "$tmp/open"
head -c 32 /dev/urandom >"$tmp/open/k.key"
chmod 0600 "$tmp/open/k.key"
expect 1 "rotate to a key file in a directory others may write" "$CTL" --config "$tmp/f1.yaml" \
	kek rotate --kek-file "$tmp/open/k.key"
expect 1 "rotate to a missing passphrase file" "$CTL" --config "$tmp/f1.yaml" kek rotate \
	--passphrase-file "$tmp/nopass"
"$CTL" --config "$tmp/f1.yaml" audit >"$tmp/audit.after"
cmp -s "$tmp/audit.before" "$tmp/audit.after" && ok || bad "a refused rotation changed the audit log"
expect 0 "the first key still opens the store" opens "$tmp/f1.yaml"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "key set changed after refusals"
expect 0 "domain show" "$CTL" --config "$tmp/f1.yaml" domain show
has "^kek-path: $tmp/f1.key$" "$tmp/out" "the recorded source unchanged"

# --- every kind to every kind: file, file, passphrase, passphrase, file ---
# rotate FROM-CONF NEW-CONF KIND PATH: rotates, then only the new key opens.
rotate() {
	expect 0 "rotate $(basename "$1" .yaml) to $(basename "$2" .yaml)" \
	    "$CTL" --config "$1" kek rotate "--$3" "$4"
	has "^kek: $5$" "$tmp/out" "rotate to $(basename "$2" .yaml): kind shown"
	has "^kek-path: $4$" "$tmp/out" "rotate to $(basename "$2" .yaml): path shown"
	has "^sealed-records: 1$" "$tmp/out" "rotate to $(basename "$2" .yaml): records"
	has "names the previous key-encryption key" "$tmp/err" "rotate: the configuration to change"
	expect 1 "previous key refused after $(basename "$2" .yaml)" opens "$1"
	expect 1 "skmsctl with the previous key's configuration" "$CTL" --config "$1" keyset derive \
	    sip:alice@example.org --period 1546
	has "$4" "$tmp/err" "refusal names the recorded source $4"
	expect 0 "new key opens after $(basename "$2" .yaml)" opens "$2"
	cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok ||
	    bad "key set under $(basename "$2" .yaml) differs from the first"
	expect 0 "recorded source opens after $(basename "$2" .yaml)" opens "$tmp/none.yaml"
	cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "key set under the recorded source differs"
}
rotate "$tmp/f1.yaml" "$tmp/f2.yaml" kek-file "$tmp/f2.key" file
rotate "$tmp/f2.yaml" "$tmp/p1.yaml" passphrase-file "$tmp/p1" passphrase
expect 1 "rotate to the current passphrase" "$CTL" --config "$tmp/p1.yaml" kek rotate \
	--passphrase-file "$tmp/p1"
has "holds the current passphrase" "$tmp/err" "same passphrase: reason"
rotate "$tmp/p1.yaml" "$tmp/p2.yaml" passphrase-file "$tmp/p2" passphrase
rotate "$tmp/p2.yaml" "$tmp/f3.yaml" kek-file "$tmp/f3.key" file
for c in f1 f2 p1 p2; do
	expect 1 "$c refused at the end" opens "$tmp/$c.yaml"
done
# a relative name is recorded absolute; a missing key file is made, mode 0600
(cd "$tmp" && "$CTL" --config f3.yaml kek rotate --kek-file made.key) >"$tmp/out" 2>"$tmp/err" &&
    ok || { bad "rotate to a new relative key file"; cat "$tmp/err"; }
has "^kek-path: $tmp/made.key$" "$tmp/out" "relative name recorded absolute"
same "$(stat -c %a "$tmp/made.key")" 600 "made key file mode"
same "$(wc -c <"$tmp/made.key" | tr -d ' ')" 32 "made key file length"
kconf "$tmp/made.yaml" file "$tmp/made.key"
expect 0 "the made key opens" opens "$tmp/made.yaml"
cmp -s "$tmp/opens.xml" "$tmp/ks0.xml" && ok || bad "key set under the made key differs"
expect 0 "rotate back to f1" "$CTL" --config "$tmp/made.yaml" kek rotate --kek-file "$tmp/f1.key"

# audited, without key bytes; the store holds no key and no passphrase
expect 0 "audit" "$CTL" --config "$tmp/f1.yaml" audit
same "$(grep -c '^action: kek rotate$' "$tmp/out")" 6 "every rotation audited"
has "^detail: from passphrase $tmp/p1 to passphrase $tmp/p2, 1 sealed record$" "$tmp/out" \
	"audit detail names both sources"
hexof "$S/data.mdb" >"$tmp/store.hex"
for k in f1 f2 f3 made; do
	if grep -q "$(hexof "$tmp/$k.key")" "$tmp/store.hex"; then
		bad "key file $k is in the store"
	else ok; fi
done
for p in "first passphrase" "second passphrase"; do
	if grep -q -a "$p" "$S/data.mdb"; then bad "passphrase '$p' is in the store"; else ok; fi
done

# --- kill -9 at random points: the store opens under exactly one key ---
# Many identities make a large store; each rotation alternates between a
# key file and a passphrase (scrypt makes it last long enough to be hit).
i=0
while [ $i -lt 2000 ]; do echo "sip:k$i@example.org"; i=$((i + 1)); done >"$tmp/many"
expect 0 "import many identities" "$CTL" --config "$tmp/f1.yaml" user import "$tmp/many"
cur=f1
next=p1
before=0
after=0
n=0
for d in $(awk 'BEGIN { srand(13); for (i = 0; i < 24; i++) printf "%.3f\n", rand() * 0.25 }'); do
	n=$((n + 1))
	if [ $next = p1 ]; then arg="--passphrase-file $tmp/p1"; else arg="--kek-file $tmp/f1.key"; fi
	# shellcheck disable=SC2086
	"$CTL" --config "$tmp/$cur.yaml" kek rotate $arg >/dev/null 2>&1 &
	bg=$!
	sleep "$d"
	kill -9 $bg 2>/dev/null
	wait $bg 2>/dev/null
	bg=
	o1=0
	o2=0
	opens "$tmp/$cur.yaml" && o1=1 && cp "$tmp/opens.xml" "$tmp/killed.xml"
	opens "$tmp/$next.yaml" && o2=1 && cp "$tmp/opens.xml" "$tmp/killed.xml"
	if [ $((o1 + o2)) -ne 1 ]; then
		bad "kill -9 after $d s: $o1 + $o2 keys open the store"
		continue
	fi
	cmp -s "$tmp/killed.xml" "$tmp/ks0.xml" && ok || bad "kill -9 after $d s: key set changed"
	if [ $o2 -eq 1 ]; then
		after=$((after + 1))
		t=$cur
		cur=$next
		next=$t
	else
		before=$((before + 1))
	fi
done
echo "kill -9 during kek rotate: $n kills, $before left the previous key, $after the new one"
"$CTL" --config "$tmp/$cur.yaml" user list >"$tmp/list" 2>&1
same "$(grep -c '^uri:' "$tmp/list")" 2001 "identities kept through the kills"

# --- a rotation under a running skmsd ---
if ! { mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make keys and certificates"
	exit 1
fi
ISS=https://sim.example.org
# write_conf: the server configuration naming the key of $KEK ($KEKKIND).
write_conf() {
	cat >"$C" <<EOF2
store:
  path: $S
kek:
  scrypt-n: 16384
  $KEKKIND: $KEK
server:
  listen: [127.0.0.1:$port]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  metrics-listen: 127.0.0.1:$mport
tokens:
  issuers:
    - issuer: $ISS
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
C="$tmp/skms.yaml"
KEKKIND=$( [ $cur = f1 ] && echo file || echo passphrase-file )
KEK=$( [ $cur = f1 ] && echo "$tmp/f1.key" || echo "$tmp/p1" )
start_skmsd "$C" write_conf
TOKEN=$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)
keyprov() {	# keyprov FILE: alice's current key set into FILE; 0 on HTTP 200
	[ "$(curl -sS -g --cacert "$tmp/server.pem" --max-time 20 -o "$1" -w '%{http_code}' \
	    -X POST -H "Authorization: Bearer $TOKEN" \
	    "https://127.0.0.1:$port/keymanagement/identity/v1/keyprov")" = 200 ]
}
rsk() { sed -n 's:.*<UserDecryptKey[^>]*>\([^<]*\)<.*:\1:p' "$1"; }
expect 0 "key set served before the rotation" keyprov "$tmp/kp0.xml"
has "<UserDecryptKey" "$tmp/kp0.xml" "served key set"
# rotate while requests keep coming: none fails
: >"$tmp/served"
: >"$tmp/failed"
while :; do
	if keyprov "$tmp/kpl.xml"; then echo >>"$tmp/served"; else echo >>"$tmp/failed"; fi
done &
bg=$!
served() { [ "$(wc -l <"$tmp/served")" -gt "$1" ]; }
wait_until 60 served 0 && ok || bad "no key set served before the rotation"
expect 0 "rotate under a running skmsd" "$CTL" --config "$C" kek rotate --kek-file "$tmp/f2.key"
n1=$(wc -l <"$tmp/served")
wait_until 60 served "$n1" && ok || bad "no key set served after the rotation"
kill $bg 2>/dev/null
wait $bg 2>/dev/null
bg=
same "$(wc -l <"$tmp/failed" | tr -d ' ')" 0 "no request failed around the rotation"
expect 0 "key set served after the rotation" keyprov "$tmp/kp1.xml"
same "$(rsk "$tmp/kp1.xml")" "$(rsk "$tmp/kp0.xml")" "same key set served after the rotation"
# a reload with the previous key refused, serving goes on
n0=$(log_count "reload failed" "$tmp/log")
kill -HUP "$pid"
wait_log "reload failed, keeping the running configuration: kek: .*the store records the key file $tmp/f2.key" \
	"$tmp/log" "$n0"
expect 0 "key set served after the refused reload" keyprov "$tmp/kp2.xml"
expect 1 "skmsd -n with the previous key" "$SKMSD" -n -c "$C"
has "the store records the key file $tmp/f2.key" "$tmp/err" "skmsd -n names the recorded source"
# the configuration changed to the new key: reload takes it, -n accepts it
KEKKIND=file
KEK=$tmp/f2.key
write_conf
expect 0 "skmsd -n with the new key" "$SKMSD" -n -c "$C"
n0=$(log_count "configuration reloaded" "$tmp/log")
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" "$n0"
hasnt "kek changed" "$tmp/log" "the key-encryption key is no restart-only setting"
expect 0 "key set served after the reload" keyprov "$tmp/kp3.xml"
# the reload handed the new key to the running daemon: the secrets of a
# rollover made now, sealed under it, are loaded at the next request
expect 0 "rollover scheduled after the rotation" "$CTL" --config "$C" domain rollover \
    --at "@$(( $(date +%s) + 400 * 86400 ))"
expect 0 "key set served after the rollover was scheduled" keyprov "$tmp/kp5.xml"
has "rollover: 1 new generation of master secrets loaded" "$tmp/log" \
    "the rollover's secrets unsealed with the rotated key"
hasnt "rollover: .*unseal\|rollover: .*verify" "$tmp/log" "no unseal failure after the rotation"
# a restart with the new configuration serves the same key sets
kill "$pid"
wait "$pid" 2>/dev/null
pid=
start_skmsd "$C" write_conf
expect 0 "key set served after the restart" keyprov "$tmp/kp4.xml"
same "$(rsk "$tmp/kp4.xml")" "$(rsk "$tmp/kp0.xml")" "same key set after the restart"
kill "$pid"
wait "$pid" 2>/dev/null
pid=
# a start with the previous key is refused, naming the recorded source
KEKKIND=$( [ $cur = f1 ] && echo file || echo passphrase-file )
KEK=$( [ $cur = f1 ] && echo "$tmp/f1.key" || echo "$tmp/p1" )
write_conf
expect 1 "skmsd start with the previous key" "$SKMSD" -c "$C"
has "opening the domain: .*$tmp/f2.key" "$tmp/err" "start refusal names the recorded source"

echo "skmsctl_kek: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
