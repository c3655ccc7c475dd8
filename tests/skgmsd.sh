#!/bin/sh
# SPDX-License-Identifier: ISC
# The group management service over TLS: skmsd provisions the GMS and the
# members; skgmsd (with the GMS keystore) delivers GMKs on the long-poll
# channel, driven here with curl and 'skmc gmk accept'. Held polls woken
# by a rekey, implicit against explicit affiliation (nothing before the
# subscription), answers recorded (success, and failure with its reason in
# skgmsctl status and the metrics), another user's token refused, unknown
# deliveries, redelivery with back-off, removal with rekey, and a kill -9
# while members answer: after the restart every recorded answer is there
# and every unanswered delivery is still due.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
. "${top_srcdir:-.}/tests/gms_checks.sh"

need_tools "$OPENSSL" curl
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC" "$SKGMSD" "$SKGMSCTL"

ctl() { "$CTL" --store "$tmp/store" "$@"; }
# skgmsctl with the service's store and its GMKs sealed under gkek.key.
gctl() { "$SKGMSCTL" -c "$tmp/gctl.yaml" "$@"; }
ks="$tmp/ks"
as() {
	who=$1
	shift
	"$SKMC" --keystore "$ks" --as "$who" "$@"
}
field() { sed -n "s/^$1: //p" "$tmp/out" | head -n 1; }

GMS=sip:gms@example.org
A=sip:alice@example.org
B=sip:bob@example.org
C=sip:carol@example.org

# --- the domain, TLS, the token issuer; skmsd ---
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

tokens_conf() {
	cat <<EOF2
tokens:
  required-scope: 3gpp:seal:km
  issuers:
    - issuer: https://sim.example.org
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
ratelimit:
  burst: 0
log:
  level: info
EOF2
}
write_conf() {
	cat >"$tmp/skms.yaml" <<EOF2
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
EOF2
	tokens_conf >>"$tmp/skms.yaml"
}
start_skmsd "$tmp/skms.yaml" write_conf

# --- identities: the GMS in a keystore of its own, the members in theirs ---
for who in $GMS $A $B $C; do
	name=${who#sip:}
	"$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms --sub "$who" \
	    --ttl 3600 >"$tmp/$name.token" 2>"$tmp/err" || bad "mint $who"
	chmod 0600 "$tmp/$name.token"
done
expect 0 "init the GMS keystore" "$SKMC" --keystore "$tmp/gks" init \
    --server "https://127.0.0.1:$port" --uri $GMS --token-file "$tmp/gms@example.org.token" \
    --cacert "$tmp/server.pem"
for who in $A $B $C; do
	name=${who#sip:}
	expect 0 "init $who" "$SKMC" --keystore "$ks" init --server "https://127.0.0.1:$port" \
	    --uri "$who" --token-file "$tmp/$name.token" --cacert "$tmp/server.pem"
	expect 0 "fetch $who" as "$who" fetch
	expect 0 "$who: g1 is served by the GMS" as "$who" group add g1 --gms $GMS
done
TA="$tmp/alice@example.org.token"
TB="$tmp/bob@example.org.token"
TC="$tmp/carol@example.org.token"

# --- the service's store and skgmsd ---
head -c 32 /dev/urandom >"$tmp/gkek.key"
chmod 0600 "$tmp/gkek.key"
printf 'gms:\n  store: %s\n  kek-file: %s\n' "$tmp/gstore" "$tmp/gkek.key" >"$tmp/gctl.yaml"
expect 0 "skgmsctl init" gctl init
expect 0 "group create" gctl group create g1 --rekey-on-removal
expect 1 "group create twice" gctl group create g1
has "group exists" "$tmp/err" "group create twice"
expect 0 "add implicit members" gctl member add g1 $A $B
expect 0 "add an explicit member" gctl member add g1 $C --explicit
expect 1 "add a member twice" gctl member add g1 $A
has "already a member" "$tmp/err" "add a member twice"

write_gconf() {
	cat >"$tmp/skgmsd.yaml" <<EOF2
server:
  listen: [127.0.0.1:$gport]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  metrics-listen: 127.0.0.1:$gmport
  # Shorter than a poll's wait: a held poll outlives the request deadline.
  request-timeout: 2s
gms:
  store: $tmp/gstore
  keystore: $tmp/gks
  kek-file: $tmp/gkek.key
  retry-min: 1s
  retry-max: 2s
EOF2
	tokens_conf >>"$tmp/skgmsd.yaml"
}
expect 0 "the shipped sample loads" "$SKGMSCTL" -c "$top_srcdir/etc/skgmsd.yaml.sample" \
    --store "$tmp/gstore" status
expect 1 "a rekey needs the key-encryption key" "$SKGMSCTL" --store "$tmp/gstore" rekey g1
has "sealed: gms.kek-file is needed" "$tmp/err" "rekey without the key"
expect 2 "skgmsd usage" "$SKGMSD" --bogus
expect 0 "skgmsd --help" "$SKGMSD" --help
has "^usage: skgmsd" "$tmp/out" "skgmsd --help"
expect 0 "skgmsctl --help" "$SKGMSCTL" --help
has "member add" "$tmp/out" "skgmsctl --help lists the commands"
expect 0 "skgmsd --version" "$SKGMSD" --version
has "^skgmsd " "$tmp/out" "version line"
start_skgmsd "$tmp/skgmsd.yaml" write_gconf
expect 0 "skgmsd -n" "$SKGMSD" -n -c "$tmp/skgmsd.yaml"

# held_polls N: skgmsd's metrics show N held polls.
held_polls() {
	curl -sS "http://127.0.0.1:$gmport/metrics" 2>/dev/null | grep -q "^skgms_held_polls $1\$"
}

# --- refusals: no token, another member's token, unknown paths ---
same "$(gms_call GET "" "$A/notifications?wait=0")" 401 "no token"
has "<Reason>token refused</Reason>" "$tmp/gbody" "no token: reason"
same "$(gms_call GET "$TB" "$A/notifications?wait=0")" 403 "bob's token for alice"
has "token is not for this user" "$tmp/gbody" "another user's token: reason"
same "$(gms_call GET "$TA" "$A/notifications?wait=61")" 400 "wait out of range"
same "$(gms_call GET "$TA" "$A/nothing")" 404 "unknown path"
same "$(gms_call POST "$TA" "$A/notifications")" 405 "POST on the channel"

# --- nothing yet: an empty answer at once with wait=0 ---
same "$(gms_call GET "$TA" "$A/notifications?wait=0")" 200 "empty poll"
has "<Notifications" "$tmp/gbody" "empty poll document"
hasnt "<Notification " "$tmp/gbody" "no notification before a GMK"

# --- a held poll outlives server.request-timeout and ends empty after its wait ---
same "$(gms_call GET "$TA" "$A/notifications?wait=4")" 200 "poll held beyond the deadline"
hasnt "<Notification " "$tmp/gbody" "nothing came during the wait"

# --- a held poll woken by a rekey (bob waits, then the GMK comes) ---
gms_call GET "$TB" "$B/notifications?wait=50" >"$tmp/bob.status" &
bobpoll=$!
wait_until 30 held_polls 1 || bad "bob's poll is not held"
expect 0 "rekey" gctl rekey g1 --text first
gmk1=$(field gmk-id)
same "$(field queued)" 2 "first GMK queued for the two implicit members"
wait "$bobpoll"
same "$(cat "$tmp/bob.status")" 200 "bob's held poll answered"
cp "$tmp/gbody" "$tmp/bob1.xml"
has "kind=\"gmk\"" "$tmp/bob1.xml" "bob's held poll carries the GMK"
has "<RequesterIdentity>$GMS</RequesterIdentity>" "$tmp/bob1.xml" "requester is the GMS"
bobid=$(gms_ids "$tmp/bob1.xml" gmk)

# --- alice polls, accepts with skmc, answers: recorded as success ---
same "$(gms_call GET "$TA" "$A/notifications?wait=30")" 200 "alice polls"
cp "$tmp/gbody" "$tmp/alice1.xml"
aliceid=$(gms_ids "$tmp/alice1.xml" gmk)
[ -n "$aliceid" ] && ok || bad "no delivery for alice"
gms_request "$tmp/alice1.xml" "$tmp/alice1.req" 1 || bad "no request element for alice"
expect 0 "alice accepts" as $A gmk accept "$tmp/alice1.req" --response "$tmp/alice1.resp"
same "$(field gmk-id)" "$gmk1" "alice: GMK-ID"
same "$(gms_call POST "$TA" "$A/notifications/$aliceid/response" "$tmp/alice1.resp")" 204 \
    "alice's answer recorded"
same "$(gms_call POST "$TA" "$A/notifications/$aliceid/response" "$tmp/alice1.resp")" 204 \
    "a repeated answer is accepted"
expect 0 "status" gctl status g1
has "^delivery: $aliceid $A g1 gmk $gmk1 success attempts=1" "$tmp/out" "alice: success"

# --- a refusal: bob is handed alice's message; his failure and its reason ---
expect 1 "bob accepts alice's message" as $B gmk accept "$tmp/alice1.req" \
    --response "$tmp/bob1.resp"
has "<Result>failure</Result>" "$tmp/bob1.resp" "bob's failure response"
same "$(gms_call POST "$TB" "$B/notifications/$bobid/response" "$tmp/bob1.resp")" 204 \
    "bob's failure recorded"
expect 0 "status after bob's failure" gctl status g1
has "^delivery: $bobid $B g1 gmk $gmk1 failure attempts=1 .* reason=check 2 receiver" \
    "$tmp/out" "bob's failure and its reason in status"
curl -sS "http://127.0.0.1:$gmport/metrics" >"$tmp/metrics" 2>/dev/null
has '^skgms_answers_total{result="failure",reason="check 2 receiver' "$tmp/metrics" \
    "failure counted by reason"
has '^skgms_answers_total{result="success"} 1$' "$tmp/metrics" "success counted"

# --- unknown deliveries: never another member's ---
gms_response g1 success >"$tmp/ok.resp"
same "$(gms_call POST "$TA" "$A/notifications/999999/response" "$tmp/ok.resp")" 404 \
    "unknown delivery"
has "unknown delivery" "$tmp/gbody" "unknown delivery: reason"
same "$(gms_call POST "$TA" "$A/notifications/$bobid/response" "$tmp/ok.resp")" 404 \
    "bob's delivery on alice's path"
gms_response g2 success >"$tmp/g2.resp"
same "$(gms_call POST "$TB" "$B/notifications/$bobid/response" "$tmp/g2.resp")" 400 \
    "response for another group"
echo '<NotifyGroupConfigurationResponse' >"$tmp/bad.resp"
same "$(gms_call POST "$TA" "$A/notifications/$aliceid/response" "$tmp/bad.resp")" 400 \
    "malformed response"

# --- explicit affiliation: nothing before the subscription ---
same "$(gms_call GET "$TC" "$C/notifications?wait=0")" 200 "carol polls"
hasnt "<Notification " "$tmp/gbody" "no GMK for an explicit member before subscribing"
same "$(gms_call GET "$TC" "$C/groups")" 200 "carol's groups"
has '<Group id="g1" affiliation="explicit" subscribed="false"/>' "$tmp/gbody" \
    "carol's group record"
same "$(gms_call PUT "$TC" "$C/groups/g9/subscription")" 404 "subscribe to another group"
has "not a member" "$tmp/gbody" "not a member: reason"
same "$(gms_call PUT "$TC" "$C/groups/g1/subscription")" 204 "carol subscribes"
same "$(gms_call GET "$TC" "$C/notifications?wait=30")" 200 "carol polls again"
cp "$tmp/gbody" "$tmp/carol1.xml"
carolid=$(gms_ids "$tmp/carol1.xml" gmk)
[ -n "$carolid" ] && ok || bad "no GMK for carol after subscribing"
gms_request "$tmp/carol1.xml" "$tmp/carol1.req" 1 || bad "no request element for carol"
expect 0 "carol accepts" as $C gmk accept "$tmp/carol1.req" --response "$tmp/carol1.resp"

# --- an unanswered delivery comes again after its back-off ---
same "$(gms_call GET "$TC" "$C/notifications?wait=30")" 200 "carol polls without answering"
same "$(gms_ids "$tmp/gbody" gmk)" "$carolid" "the same delivery sent again"
expect 0 "status of carol" gctl status --member $C
has "^delivery: $carolid $C g1 gmk $gmk1 pending attempts=2" "$tmp/out" \
    "carol's delivery pending, sent twice"
same "$(gms_call POST "$TC" "$C/notifications/$carolid/response" "$tmp/carol1.resp")" 204 \
    "carol answers at last"

# --- removal with rekey: bob is told, alice and carol get a new GMK ---
gms_call GET "$TA" "$A/notifications?wait=50" >"$tmp/alice.status" &
alicepoll=$!
expect 0 "remove bob" gctl member remove g1 $B
gmk2=$(field gmk-id)
[ -n "$gmk2" ] && [ "$gmk2" != "$gmk1" ] && ok || bad "no new GMK on removal"
wait "$alicepoll"
same "$(cat "$tmp/alice.status")" 200 "alice's held poll answered"
cp "$tmp/gbody" "$tmp/alice2.xml"
gms_request "$tmp/alice2.xml" "$tmp/alice2.req" 1 || bad "no new request for alice"
expect 0 "alice accepts the new GMK" as $A gmk accept "$tmp/alice2.req" \
    --response "$tmp/alice2.resp"
same "$(field gmk-id)" "$gmk2" "alice: new GMK-ID"
same "$(gms_call GET "$TB" "$B/notifications?wait=30")" 200 "bob polls"
has 'kind="removal"' "$tmp/gbody" "bob is told of his removal"
has "<NotifyGroupRemoval>" "$tmp/gbody" "removal element"
hasnt 'kind="gmk"' "$tmp/gbody" "bob gets no new GMK"
expect 1 "bob cannot accept alice's new GMK" as $B gmk accept "$tmp/alice2.req"
same "$(gms_call GET "$TB" "$B/groups")" 200 "bob's groups"
hasnt "g1" "$tmp/gbody" "bob no longer in g1"

# --- a reload (SIGHUP) takes the new configuration and keeps serving ---
n=$(log_count "configuration reloaded" "$tmp/glog")
kill -HUP "$gpid"
wait_log "configuration reloaded" "$tmp/glog" "$n"
same "$(gms_call GET "$TB" "$A/notifications?wait=0")" 403 "tokens still checked after the reload"
same "$(gms_call GET "$TA" "$A/groups")" 200 "serving after the reload"

# --- kill -9 while members answer: nothing recorded is lost ---
i=0
: >"$tmp/members"
while [ $i -lt 12 ]; do
	echo "sip:m$i@example.org" >>"$tmp/members"
	i=$((i + 1))
done
"$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms --subs "$tmp/members" \
    --ttl 3600 >"$tmp/mtokens" || bad "mint member tokens"
expect 0 "group g2" gctl group create g2
expect 0 "g2 members from a file" gctl member add g2 --from-file "$tmp/members"
has "^members-added: 12" "$tmp/out" "twelve members added"
for k in 1 2 3; do
	expect 0 "rekey g2 ($k)" gctl rekey g2 --activation "@$(( $(date +%s) + k ))"
done
i=0
: >"$tmp/sent"
while [ $i -lt 12 ]; do
	i=$((i + 1))
	sed -n "${i}p" "$tmp/mtokens" >"$tmp/m.token"
	u=$(sed -n "${i}p" "$tmp/members")
	# The I_MESSAGEs may be made in more than one batch: poll until three came.
	got=0
	tries=0
	while [ $got -lt 3 ] && [ $tries -lt 10 ]; do
		tries=$((tries + 1))
		gms_call GET "$tmp/m.token" "$u/notifications?wait=30" >/dev/null
		for id in $(gms_ids "$tmp/gbody" gmk); do
			grep -q " $id\$" "$tmp/sent" && continue
			echo "$i $u $id" >>"$tmp/sent"
			got=$((got + 1))
		done
	done
done
same "$(wc -l <"$tmp/sent" | tr -d ' ')" 36 "three GMKs sent to each of twelve members"
gms_response g2 success >"$tmp/g2ok.resp"
: >"$tmp/answered"
(
	while read -r n u id; do
		sed -n "${n}p" "$tmp/mtokens" >"$tmp/a.token"
		s=$(gms_call POST "$tmp/a.token" "$u/notifications/$id/response" "$tmp/g2ok.resp" \
		    2>/dev/null)
		[ "$s" = 204 ] && echo "$id" >>"$tmp/answered"
	done <"$tmp/sent"
) &
answering=$!
wait_until 60 log_more . "$tmp/answered" 4 || bad "no answers recorded"
kill -9 "$gpid"
wait "$gpid" 2>/dev/null
gpid=
wait "$answering"
n_answered=$(wc -l <"$tmp/answered" | tr -d ' ')
echo "answered before the kill: $n_answered of 36"
expect 0 "status after the kill" gctl status g2
lost=0
for id in $(cat "$tmp/answered"); do
	grep -q "^delivery: $id .* success attempts=" "$tmp/out" || {
		lost=$((lost + 1))
		grep "^delivery: $id " "$tmp/out"
	}
done
same "$lost" 0 "every recorded answer survives the kill"
# An answer committed just before the kill may have lost its 204 on the way:
# it counts as answered, not as lost. Every delivery is one or the other.
grep "^delivery: .* pending attempts=" "$tmp/out" | awk '{ print $3, $2 }' >"$tmp/pending"
n_pending=$(wc -l <"$tmp/pending" | tr -d ' ')
n_success=$(grep -c "^delivery: .* success attempts=" "$tmp/out")
same $((n_pending + n_success)) 36 "every delivery answered or still pending"
start_skgmsd "$tmp/skgmsd.yaml" write_gconf
again=0
i=0
while [ $i -lt 12 ]; do
	i=$((i + 1))
	sed -n "${i}p" "$tmp/mtokens" >"$tmp/m.token"
	u=$(sed -n "${i}p" "$tmp/members")
	want=$(awk -v u="$u" '$1 == u { print $2 }' "$tmp/pending" | sort | tr '\n' ' ')
	[ -z "$want" ] && continue
	gms_call GET "$tmp/m.token" "$u/notifications?wait=30" >/dev/null
	got=$(gms_ids "$tmp/gbody" gmk | sort | tr '\n' ' ')
	same "$got" "$want" "$u: the unanswered deliveries again after the restart"
	again=$((again + $(echo "$want" | wc -w)))
done
same "$again" "$n_pending" "all unanswered deliveries due after the restart"
echo "left due after the kill: $n_pending"

# --- a stop by SIGTERM ends a held poll with an empty list and exits 0 ---
I=sip:idle@example.org
"$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms --sub $I \
    >"$tmp/idle.token" || bad "mint idle"
gms_call GET "$tmp/idle.token" "$I/notifications?wait=50" >"$tmp/idle.status" &
idlepoll=$!
wait_until 30 held_polls 1 || bad "the idle member's poll is not held"
kill -TERM "$gpid"
wait "$gpid"
same "$?" 0 "skgmsd exits 0 on SIGTERM"
gpid=
wait "$idlepoll"
same "$(cat "$tmp/idle.status")" 200 "held poll answered at the stop"
hasnt "<Notification " "$tmp/gbody" "held poll ends empty at the stop"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
