#!/bin/sh
# SPDX-License-Identifier: ISC
# skmc across a master-secret and Root certificate rollover, over real
# TLS, with one-hour key periods and every program's clock set by
# libfaketime to a chosen time around a boundary B (two or three hours
# ahead), so no verdict waits for a boundary or depends on speed. A
# rollover at B is scheduled while skmsd runs; skmc fetch --next and skmc
# watch take the next certificate (the skms extension of KMS Init) and
# the first key set under it before B, and keep both certificates; every
# held key set is checked against the certificate its CertUri names
# (exported by skmsctl) and refused under the other; the keystore refuses
# a key set naming a certificate it does not hold or one whose keys do
# not validate under the certificate named; a watch replaces a key set of
# the next period fetched before the rollover was scheduled (asking the
# KMS in its fetch window though it holds one), and so does gmk accept once
# the new certificate is known (skmc init again keeps the key sets and
# stores the next certificate); there are keys at B - 1, B
# and B + 1 without a fetch; GMK I_MESSAGEs cross B both ways (sent just
# before and accepted after, sent just after and accepted before); a
# client that only knew the old certificate fetches after B (skmsd
# restarted then) and carries on under the new one; the retired
# certificate is dropped once no held key set names it.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC"

# libfaketime preloaded directly, as in ntp_era.sh (the faketime program's
# pid-named semaphore fails when a stale one is left in /dev/shm).
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

PERIOD=3600
NTP_UNIX=2208988800
# B: a period boundary two to three hours ahead (the TLS certificate made
# now is valid then); p0 ends at B, p1 starts there.
B=$(( ($(date +%s) / PERIOD + 3) * PERIOD ))
p1=$(( (B + NTP_UNIX) / PERIOD ))
p0=$((p1 - 1))
ft() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
iso() { date -u -d "@$1" '+%Y-%m-%dT%H:%M:%SZ'; }
# at_exec SECONDS COMMAND...: the shell becomes COMMAND, its clock started
# at B + SECONDS; started with &, $! is then COMMAND itself, which a kill
# stops (a subshell in between would die alone and leave it running).
at_exec() {
	at_t=$((B + $1))
	shift
	LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" FAKETIME="@$(ft $at_t)" \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$@"
}
# at SECONDS COMMAND...: the same, in a subshell.
at() { (at_exec "$@"); }
if [ "$(at 0 date -u +%s)" -lt "$B" ]; then
	echo "SKIP: faketime does not move the clock here"
	exit 77
fi
# A daemon at B + SECONDS: a wrapper, as start_skmsd runs $SKMSD.
daemon_at() {
	cat >"$tmp/skmsd" <<EOF
#!/bin/sh
LD_PRELOAD="$lib" FAKETIME="@$(ft $((B + $1)))" FAKETIME_DONT_FAKE_MONOTONIC=1 exec "$SKMSD" "\$@"
EOF
	chmod +x "$tmp/skmsd"
}

ctl() { at "$CTLAT" "$CTL" --store "$tmp/store" "$@"; }
ks="$tmp/ks"
# skmc T URI COMMAND...: skmc as URI at B + T with the settings in $SKCONF;
# skmc_exec in place of the shell (at_exec).
SKCONF="$tmp/w.conf"
skmc_exec() {
	sk_t=$1
	sk_who=$2
	shift 2
	at_exec "$sk_t" "$SKMC" --config "$SKCONF" --keystore "$ks" --as "$sk_who" "$@"
}
skmc() { (skmc_exec "$@"); }
field() { sed -n "s/^$1: //p" "$tmp/out" | head -n 1; }

A=sip:alice@example.org
C=sip:carol@example.org
D=sip:dave@example.org
E=sip:erin@example.org
GMS=sip:gms@example.org
OLD=cert.kms.example.org
NEW=cert.kms.example.org.g1

# --- the domain (made half an hour before B) and TLS ---
CTLAT=-2000
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --cert-uri $OLD --key-period $PERIOD \
    --kek-file "$tmp/kek.key" --valid-from "@$((B - 7 * 86400))" &&
    ctl user add $A && ctl user add $C && ctl user add $D && ctl user add $E && ctl user add $GMS --role gms &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the domain"
	exit 1
fi
# Fetch windows of half a period; expired key sets kept a day, but at the
# end (p.conf) not at all.
printf 'watch-window = 50\nwatch-window-max = 3000\nretry-min = 1\nretry-max = 2\n' \
    >"$tmp/w.conf"
printf 'purge-grace = 0\n' >"$tmp/p.conf"

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
  issuers:
    - issuer: https://sim.example.org
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
period:
  window-past: 1
  window-future: 1
ratelimit:
  burst: 0
log:
  level: info
EOF2
}
daemon_at -1800
SKMSD="$tmp/skmsd" start_skmsd "$conf" write_conf

# --- three identities, initialised before any rollover: old certificate only ---
for who in $A $C $D $E $GMS; do
	name=${who#sip:}
	at -1790 "$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms \
	    --sub "$who" --ttl 3600 >"$tmp/$name.token" 2>"$tmp/err" || bad "mint $who"
	chmod 0600 "$tmp/$name.token"
	expect 0 "init $who" at -1790 "$SKMC" --keystore "$ks" init \
	    --server "https://127.0.0.1:$port" --uri "$who" --token-file "$tmp/$name.token" \
	    --cacert "$tmp/server.pem"
	hasnt "^next-cert-uri:" "$tmp/out" "init $who: no rollover announced yet"
	expect 0 "fetch $who, period $p0" skmc -1790 "$who" fetch --period $p0
done
# Dave takes the next period too, under the old certificate: stale once
# the rollover is scheduled.
expect 0 "fetch $D, period $p1 before the rollover" skmc -1785 $D fetch --period $p1
expect 0 "fetch $E, period $p1 before the rollover" skmc -1785 $E fetch --period $p1
expect 0 "group add for $E" skmc -1780 $E group add g1 --gms $GMS
expect 0 "group add" skmc -1780 $A group add g1 --gms $GMS
expect 0 "status before the rollover" skmc -1780 $A status
same "$(field next-cert-uri)" none "status: no next certificate"

# --- the rollover at B, scheduled with skmsd running ---
CTLAT=-1700
expect 0 "rollover at B" ctl domain rollover --at "@$B"
has "^cert-uri: $NEW$" "$tmp/out" "rollover: the new CertUri"
has "^effective-period: $p1$" "$tmp/out" "rollover: from period $p1"

# --- skmc init again: the next certificate kept beside, key sets too ---
expect 0 "erin: init again" skmc -1100 $E init --server "https://127.0.0.1:$port" \
    --uri $E --token-file "$tmp/erin@example.org.token" --cacert "$tmp/server.pem"
same "$(field next-cert-uri)" $NEW "erin: init announces the next certificate"
expect 0 "erin: status" skmc -1100 $E status
has "^certificate: $OLD current $p0 $p1$" "$tmp/out" "erin: her key sets kept"
has "^certificate: $NEW next$" "$tmp/out" "erin: the next certificate stored"

# --- skmc fetch --next: the next certificate and period before B ---
expect 0 "fetch --next before B" skmc -1200 $A fetch --next
has "^fetched: period $p1$" "$tmp/out" "fetch --next: period $p1"
same "$(field next-cert-uri)" $NEW "fetch --next: the next certificate"
same "$(field next-valid-from)" "$(iso $B)" "fetch --next: its ValidFrom is B"
expect 0 "status with a rollover scheduled" skmc -1200 $A status
same "$(field cert-uri)" $OLD "status: the old certificate in force"
same "$(field next-cert-uri)" $NEW "status: the next certificate"
same "$(field next-cert-valid-from)" "$(iso $B)" "status: the boundary"
has "^certificate: $OLD current $p0$" "$tmp/out" "status: old certificate, period $p0"
has "^certificate: $NEW next $p1$" "$tmp/out" "status: new certificate, period $p1"
expect 0 "status --json" skmc -1200 $A status --json
has "\"next_certificate\":{\"cert_uri\":\"$NEW\",\"valid_from\":\"$(iso $B)\"" "$tmp/out" \
    "status --json: the next certificate"
expect 0 "keys of period $p1" skmc -1200 $A keys show --period $p1
same "$(field cert-uri)" $NEW "period $p1 under the new certificate"

# --- skmc watch: the GMS crosses B with no period without keys ---
# Started 100 s before B: inside its fetch window, it fetches at once.
: >"$tmp/watch1.log"
skmc_exec -100 $GMS watch 2>"$tmp/watch1.log" &
wpid=$!
cleanup_extra() { kill "$wpid" 2>/dev/null; }
wait_log "period $p1 is stored" "$tmp/watch1.log" 0
kill -TERM "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
has "rollover scheduled: certificate $NEW from $(iso $B)" "$tmp/watch1.log" \
    "watch: the rollover learnt from KMS Init"
has "fetched period $p1, [0-9]* s before its start" "$tmp/watch1.log" \
    "watch: period $p1 fetched before B"
# After B, a watch has nothing to fetch for the period in force.
: >"$tmp/watch2.log"
skmc_exec 5 $GMS watch 2>"$tmp/watch2.log" &
wpid=$!
wait_log "next fetch: period $((p1 + 1))" "$tmp/watch2.log" 0
kill -TERM "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
hasnt "fetch.* period $p1" "$tmp/watch2.log" \
    "watch after B: period $p1 was already there"
# Dave's watch replaces his key set of period $p1 fetched under the old
# certificate: it asks the KMS in the fetch window though the period is held.
: >"$tmp/watch3.log"
skmc_exec -100 $D watch 2>"$tmp/watch3.log" &
wpid=$!
wait_log "period $p1 is stored" "$tmp/watch3.log" 0
kill -TERM "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
has "fetched period $p1, [0-9]* s before its start" "$tmp/watch3.log" \
    "dave's watch: period $p1 fetched again before B"
for who in $A $GMS $D; do
	for t in -1 0 1; do
		expect 0 "$who has keys at B$t without a fetch" skmc "$t" $who keys show
		if [ "$t" -lt 0 ]; then p=$p0 u=$OLD; else p=$p1 u=$NEW; fi
		same "$(field period)/$(field cert-uri)" "$p/$u" "$who at B$t: period and certificate"
	done
done

# --- GMK I_MESSAGEs across B, both ways ---
expect 0 "sent 20 s before B" skmc -20 $GMS gmk make --group g1 --to $A --out "$tmp/old"
gold=$(field gmk-id)
expect 0 "sent 20 s after B" skmc 20 $GMS gmk make --group g1 --to $A --to $E \
    --out "$tmp/new"
gnew=$(field gmk-id)
expect 0 "the message of period $p1 accepted 30 s before B" skmc -30 $A gmk accept \
    "$tmp/new/sip_alice@example.org.xml" --no-fetch
same "$(field gmk-id)" "$gnew" "accepted before B: its GMK-ID"
expect 0 "the message of period $p0 accepted 30 s after B" skmc 30 $A gmk accept \
    "$tmp/old/sip_alice@example.org.xml" --no-fetch
same "$(field gmk-id)" "$gold" "accepted after B: its GMK-ID"
# Erin's key set of period $p1 came under the old certificate: fetched again.
expect 0 "erin accepts the message of period $p1 after B" skmc 30 $E gmk accept \
    "$tmp/new/sip_erin@example.org.xml"
same "$(field gmk-id)" "$gnew" "erin: its GMK-ID"
expect 0 "erin: keys of period $p1" skmc 30 $E keys show --period $p1
same "$(field cert-uri)" $NEW "erin: period $p1 now under the new certificate"
# The time checks stay: 400 s after its sending time is outside the window.
expect 0 "another message of period $p0" skmc -10 $GMS gmk make --group g1 --to $A \
    --out "$tmp/late"
expect 1 "accepted 400 s after B" skmc 400 $A gmk accept "$tmp/late/sip_alice@example.org.xml"
has "outside the window" "$tmp/out" "late message: the window"

# --- the keystore refuses key sets it cannot tie to their certificate ---
adir=$(dirname "$(ls -d "$ks"/*alice*/keys)")
cp "$adir/keys/$p1.xml" "$tmp/p1.save"
sed "s|<CertUri>$NEW</CertUri>|<CertUri>cert.unknown.example.org</CertUri>|" "$tmp/p1.save" \
    >"$adir/keys/$p1.xml"
expect 1 "a key set naming an unknown certificate" skmc 100 $A keys show --period $p1
has "cert.unknown.example.org' is no certificate of this keystore" "$tmp/err" \
    "unknown CertUri: reason"
sed "s|<CertUri>$NEW</CertUri>|<CertUri>$OLD</CertUri>|" "$tmp/p1.save" >"$adir/keys/$p1.xml"
expect 1 "a key set under the wrong certificate" skmc 100 $A keys show --period $p1
has "KmsKeySet/User" "$tmp/err" "wrong certificate: the keys do not validate"
cp "$tmp/p1.save" "$adir/keys/$p1.xml"
expect 0 "the key set as fetched" skmc 100 $A keys show --period $p1

# --- a client that only knew the old certificate, after B ---
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
daemon_at 60
: >"$tmp/log"
"$tmp/skmsd" -c "$conf" >"$tmp/log" 2>&1 &
pid=$!
if wait_serving "$pid" "$tmp/log"; then ok; else
	bad "skmsd did not restart after B"
	cat "$tmp/log"
fi
expect 0 "carol: status before" skmc 70 $C status
same "$(field cert-uri)/$(field next-cert-uri)" "$OLD/none" "carol knows the old certificate only"
expect 0 "carol fetches after B" skmc 70 $C fetch
has "^fetched: period $p1$" "$tmp/out" "carol: the period in force"
expect 0 "carol: status after" skmc 70 $C status
same "$(field cert-uri)" $NEW "carol: the new certificate in force"
has "^certificate: $OLD retired $p0$" "$tmp/out" "carol: old certificate kept for period $p0"

# Dave initialised again after B: the new certificate in root.xml, the
# old one kept beside it for his key set of period $p0, no second copy.
expect 0 "dave: init again after B" skmc 75 $D init --server "https://127.0.0.1:$port" \
    --uri $D --token-file "$tmp/dave@example.org.token" --cacert "$tmp/server.pem"
expect 0 "dave: status after init" skmc 75 $D status
same "$(field cert-uri)" $NEW "dave: the new certificate in force"
has "^certificate: $OLD retired $p0$" "$tmp/out" "dave: old certificate kept for period $p0"
has "^certificate: $NEW current $p1$" "$tmp/out" "dave: new certificate with period $p1"
same "$(ls "$(dirname "$(ls -d "$ks"/*dave*/keys)")/certs")" "$OLD.xml" \
    "dave: certs/ holds the old certificate only"

# --- every held key set validates against the certificate its CertUri names ---
CTLAT=100
ctl cert export --cert-uri $OLD >"$tmp/$OLD.xml" 2>"$tmp/err" || bad "export $OLD"
ctl cert export --cert-uri $NEW >"$tmp/$NEW.xml" 2>"$tmp/err" || bad "export $NEW"
n=0
for f in "$ks"/*/keys/*.xml; do
	u=$(sed -n 's|.*<CertUri>\([^<]*\)</CertUri>.*|\1|p' "$f" | head -n 1)
	who=$(sed -n 's|.*<UserUri>\([^<]*\)</UserUri>.*|\1|p' "$f" | head -n 1)
	n=$((n + 1))
	for c in $OLD $NEW; do
		rm -rf "$tmp/chk"
		if [ "$c" = "$u" ]; then
			expect 0 "$(basename "$f") of $who validates under $c" at 100 "$SKMC" \
			    --keystore "$tmp/chk" --as "$who" import "$tmp/$c.xml" "$f"
		else
			expect 1 "$(basename "$f") of $who refused under $c" at 100 "$SKMC" \
			    --keystore "$tmp/chk" --as "$who" import "$tmp/$c.xml" "$f"
		fi
	done
done
[ "$n" -ge 11 ] && ok || bad "only $n key sets held"
rm -rf "$tmp/chk"
expect 1 "import under a certificate its CertUri does not name" at 100 "$SKMC" \
    --keystore "$tmp/chk" --as $A import "$tmp/$OLD.xml" "$tmp/p1.save"
has "CertUri '$NEW' is not the imported certificate's '$OLD'" "$tmp/err" \
    "import: the CertUri named"

# --- the retired certificate goes with the last key set naming it ---
SKCONF="$tmp/p.conf"
expect 0 "carol fetches the period after" skmc $((PERIOD + 10)) $C fetch --period $((p1 + 1))
has "^dropped: 1 retired certificate$" "$tmp/out" "carol: old certificate dropped"
expect 0 "carol: status at the end" skmc $((PERIOD + 10)) $C status
hasnt "^certificate: $OLD " "$tmp/out" "carol: old certificate gone"
has "^certificate: $NEW current $((p1 + 1))$" "$tmp/out" "carol: new certificate only"

echo "skmc_rollover: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
