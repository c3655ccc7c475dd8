#!/bin/sh
# SPDX-License-Identifier: ISC
# End-to-end group key management over the GMS service, on 127.0.0.1 with
# real TLS: skmsd provisions the GMS identity and three VAL users (each
# with its own keystore); skgmsd serves the group; each user runs skmc
# listen. Implicit members get each rekey; the explicit one only after
# skmc subscribe; a member offline during a rekey gets it on reconnect;
# a notification tampered with in the GMS's store is answered failure
# with the check's reason, which the GMS records; skgmsd stopped and
# started again keeps every delivery's state while the listeners
# reconnect; a removal with rekey erases the removed member's GMKs while
# the others take the new GMK, which the removed member cannot accept; a
# token of another user is refused; a refused token is read again from its
# file. Every wait is on a condition.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
. "${top_srcdir:-.}/tests/gms_checks.sh"

need_tools "$OPENSSL" curl xmllint mdb_dump mdb_load
need_built "$SKMSD" "$MINT" "$CTL" "$SKMC" "$SKGMSD" "$SKGMSCTL"

ctl() { "$CTL" --store "$tmp/store" "$@"; }
GMS=sip:gms@example.org
A=sip:alice@example.org
B=sip:bob@example.org
C=sip:carol@example.org
# k NAME: the keystore of user NAME (a, b, c or gms); as NAME COMMAND...
k() { echo "$tmp/ks-$1"; }
as() {
	who=$1
	shift
	"$SKMC" --keystore "$(k "$who")" "$@"
}
field() { sed -n "s/^$1: //p" "$tmp/out" | head -n 1; }

# --- the domain (one-day key periods), TLS, the token issuer, skmsd ---
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
EOF2
	tokens_conf >>"$conf"
}
start_skmsd "$conf" write_conf
kport=$port

# --- each identity: a token, its own keystore, init and fetch over TLS ---
for who in gms a b c; do
	case $who in
	gms) uri=$GMS ;; a) uri=$A ;; b) uri=$B ;; c) uri=$C ;;
	esac
	"$MINT" --key "$tmp/iss.key" --iss https://sim.example.org --aud skms --sub "$uri" \
	    >"$tmp/$who.token" 2>"$tmp/err" || bad "mint $uri"
	chmod 0600 "$tmp/$who.token"
	expect 0 "init $who" "$SKMC" --keystore "$(k $who)" init \
	    --server "https://127.0.0.1:$kport" --uri "$uri" --token-file "$tmp/$who.token" \
	    --cacert "$tmp/server.pem"
	expect 0 "fetch $who" as $who fetch
	[ $who = gms ] || expect 0 "profile of $who" as $who group add g1 --gms $GMS
done

# --- skgmsd: its own store with the GMKs sealed, the GMS identity's keystore ---
head -c 32 /dev/urandom >"$tmp/gkek.key"
chmod 0600 "$tmp/gkek.key"
printf 'gms:\n  store: %s\n  kek-file: %s\n' "$tmp/gstore" "$tmp/gkek.key" >"$tmp/gctl.yaml"
gctl() { "$SKGMSCTL" -c "$tmp/gctl.yaml" "$@"; }
gconf="$tmp/skgmsd.yaml"
write_gconf() {
	cat >"$gconf" <<EOF2
server:
  listen: [127.0.0.1:$gport]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  workers: 2
  metrics-listen: 127.0.0.1:$gmport
gms:
  store: $tmp/gstore
  keystore: $(k gms)
  identity: $GMS
  kek-file: $tmp/gkek.key
  retry-min: 1s
  retry-max: 2s
EOF2
	tokens_conf >>"$gconf"
}
# restart_skgmsd: skgmsd again on the same ports, for the listeners' URL.
restart_skgmsd() {
	: >"$tmp/glog"
	"$SKGMSD" -c "$gconf" >>"$tmp/glog" 2>&1 &
	gpid=$!
	if ! wait_serving "$gpid" "$tmp/glog"; then
		cat "$tmp/glog"
		echo "FAIL: skgmsd did not start again"
		exit 1
	fi
}
expect 0 "skgmsctl init" gctl init
start_skgmsd "$gconf" write_gconf
gurl="https://127.0.0.1:$gport"
expect 0 "group create" gctl group create g1 --rekey-on-removal
expect 0 "implicit members" gctl member add g1 $A $B
expect 0 "explicit member" gctl member add g1 $C --explicit

# --- the listeners: one skmc listen per user, each logging to its file ---
lp_a= lp_b= lp_c=
cleanup_extra() {
	for p in $lp_a $lp_b $lp_c ${lp_x:-} ${gpid:-}; do
		kill -9 "$p" 2>/dev/null
	done
}
listen_start() {	# listen_start NAME [ARGS...]
	who=$1
	shift
	"$SKMC" --keystore "$(k $who)" listen --gms "$gurl" --wait 5 --retry-max 2 "$@" \
	    >>"$tmp/listen-$who.log" 2>&1 &
	eval "lp_$who=$!"
}
listen_stop() {		# listen_stop NAME: SIGTERM, exit 0
	eval "p=\$lp_$1"
	kill -TERM "$p"
	wait "$p"
	same $? 0 "listen $1 exits 0 on SIGTERM"
	eval "lp_$1="
}
has_gmk() { as "$1" gmk list 2>/dev/null | grep -q "^$2 "; }
# wait_gmk NAME GMK-ID: NAME's keystore gets it (bounded; a failure otherwise).
wait_gmk() {
	if wait_until 60 has_gmk "$1" "$2"; then ok; else
		bad "$1 did not get GMK $2"
		sed 's/^/  | /' "$tmp/listen-$1.log" | tail -n 15
	fi
}
# dlv_state URI GMK-ID: the state of the GMK's delivery to URI (none when there is none).
dlv_state() {
	gctl status g1 --member "$1" 2>/dev/null |
	    awk -v id="$2" '$1 == "delivery:" && $5 == "gmk" && $6 == id { s = $7 }
		END { print s == "" ? "none" : s }'
}
dlv_is() { [ "$(dlv_state "$1" "$2")" = "$3" ]; }
wait_dlv() {	# wait_dlv URI GMK-ID STATE
	if wait_until 60 dlv_is "$1" "$2" "$3"; then ok; else
		bad "delivery of $2 to $1: $(dlv_state "$1" "$2"), expected $3"
	fi
}
for who in a b c; do listen_start $who; done
for who in a b c; do wait_log "channel open" "$tmp/listen-$who.log" 0; done

# --- a rekey reaches the implicit members; the explicit one waits ---
expect 0 "rekey 1" gctl rekey g1 --text first
gmk1=$(field gmk-id)
wait_gmk a "$gmk1"
wait_gmk b "$gmk1"
wait_dlv $A "$gmk1" success
wait_dlv $B "$gmk1" success
same "$(dlv_state $C "$gmk1")" none "nothing for the explicit member before it subscribed"
has_gmk c "$gmk1" && bad "carol got the GMK unsubscribed" || ok
has "accepted GMK-ID $gmk1 for g1 from $GMS" "$tmp/listen-a.log" "alice's log"
has "answered success" "$tmp/listen-a.log" "alice answered"

# --- another user's token is refused: subscription and channel ---
expect 1 "subscribe with bob's token" as c subscribe g1 --gms "$gurl" \
    --token-file "$tmp/b.token"
has "HTTP 403: token is not for this user" "$tmp/err" "foreign token reason"
"$SKMC" --keystore "$(k c)" listen --gms "$gurl" --token-file "$tmp/b.token" \
    --retry-max 1 >"$tmp/listen-x.log" 2>&1 &
lp_x=$!
wait_log "HTTP 403: token is not for this user" "$tmp/listen-x.log" 1
kill -TERM $lp_x
wait $lp_x
has_gmk c "$gmk1" && bad "a refused channel delivered" || ok

# --- explicit affiliation: carol subscribes and gets the current GMK ---
expect 0 "carol subscribes" as c subscribe g1 --gms "$gurl"
same "$(field subscribed)" g1 "subscribe output"
wait_gmk c "$gmk1"
wait_dlv $C "$gmk1" success

# --- bob is offline during a rekey and gets it when he is back ---
listen_stop b
expect 0 "rekey 2" gctl rekey g1 --text second
gmk2=$(field gmk-id)
wait_gmk a "$gmk2"
wait_gmk c "$gmk2"
same "$(dlv_state $B "$gmk2")" pending "bob's delivery pending while he is away"
has_gmk b "$gmk2" && bad "bob got the GMK while away" || ok
listen_start b
wait_gmk b "$gmk2"
wait_dlv $B "$gmk2" success

# --- tampered in the GMS's store: alice answers failure, the GMS records why ---
listen_stop a
expect 0 "rekey 3" gctl rekey g1 --text third
gmk3=$(field gmk-id)
wait_gmk b "$gmk3"
wait_gmk c "$gmk3"
dlv3=$(gctl status g1 --member $A | awk -v id="$gmk3" '$5 == "gmk" && $6 == id { print $2 }')
[ -n "$dlv3" ] && ok || bad "no delivery of $gmk3 to alice"
na=$(log_count "channel open" "$tmp/listen-b.log")
kill -TERM $gpid
wait $gpid
gpid=
# The I_MESSAGE ends the delivery record ('D', its 8-octet ID): its last
# octet, in the ECCSI signature, is flipped; the record is loaded back.
tamper() {
	mdb_dump "$tmp/gstore" >"$tmp/dump" &&
	awk -v key=" $(printf '44%016x' "$1")" '
	    function hexval(h,  i, v) {
		v = 0
		for (i = 1; i <= length(h); i++)
			v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
		return v
	    }
	    # mdb_load does not take the page size back.
	    !body && /^db_pagesize=/ { next }
	    !body { print; if ($0 == "HEADER=END") body = 1; next }
	    want {
		v = substr($0, 2)
		o = 43 * 2
		for (s = 0; s < 3; s++)
			o += 4 + hexval(substr(v, o + 1, 4)) * 2
		if (hexval(substr(v, o + 1, 8)) == 0)
			exit 1
		last = substr(v, length(v), 1)
		print " " substr(v, 1, length(v) - 1) (last == "0" ? "1" : "0")
		print "DATA=END"
		found = 1
		exit 0
	    }
	    # As strings: the keys are numbers too long for doubles in awk.
	    ("" $0) == ("" key) { print; want = 1 }
	    END { exit found ? 0 : 1 }' "$tmp/dump" >"$tmp/dump.1" &&
	mdb_load -f "$tmp/dump.1" "$tmp/gstore"
}
tamper "$dlv3" && ok || bad "cannot tamper with delivery $dlv3"
restart_skgmsd
# The listeners came back by themselves, with back-off in between.
wait_log "channel open" "$tmp/listen-b.log" "$na"
has "reconnect in" "$tmp/listen-b.log" "bob backed off while skgmsd was down"
# Nothing recorded before the restart was lost.
same "$(dlv_state $B "$gmk3")" success "bob's answer kept across the restart"
same "$(dlv_state $C "$gmk2")" success "carol's answer kept across the restart"
listen_start a
wait_dlv $A "$gmk3" failure
gctl status g1 --member $A >"$tmp/out"
has "$gmk3 failure attempts=1 .*reason=check 3 signature" "$tmp/out" "the GMS records the reason"
has "GMK for g1 refused: check 3 signature" "$tmp/listen-a.log" "alice logs the refusal"
curl -sS --max-time 10 "http://127.0.0.1:$gmport/metrics" >"$tmp/metrics" 2>&1
has '^skgms_answers_total{result="failure",reason="[^"]*signature[^"]*"} 1$' "$tmp/metrics" \
    "the refusal counted by its reason"
has_gmk a "$gmk3" && bad "alice stored a tampered GMK" || ok

# --- carol removed with rekey: she erases, the others take the new GMK ---
listen_stop a
act=$(( $(date +%s) + 3600 ))
expect 0 "remove carol" gctl member remove g1 $C --activation "@$act"
gmk4=$(field gmk-id)
[ -n "$gmk4" ] && [ "$gmk4" != "$gmk3" ] && ok || bad "removal made no new GMK"
wait_gmk b "$gmk4"
wait_log "removed from g1: 3 GMKs erased, 0 kept" "$tmp/listen-c.log" 0
expect 0 "carol gmk list" as c gmk list
same "$(wc -l <"$tmp/out" | tr -d ' ')" 0 "carol has no GMK left"
expect 1 "carol has no active GMK" as c gmk active g1
expect 0 "carol's profile" as c group list
hasnt "^g1 " "$tmp/out" "g1 left carol's profile"
same "$(dlv_state $C "$gmk4")" none "no new GMK for carol"
# Alice's notification, fetched as alice would: carol cannot accept it.
poll_a() {
	curl -sS --cacert "$tmp/server.pem" -H "Authorization: Bearer $(cat "$tmp/a.token")" \
	    "$gurl/gm/v1/members/$A/notifications?wait=0" >"$tmp/poll.xml" 2>/dev/null &&
	grep -q 'kind="gmk"' "$tmp/poll.xml"
}
wait_until 60 poll_a && ok || bad "no notification for alice"
xmllint --xpath "//*[local-name()='NotifyGroupConfigurationRequest']" "$tmp/poll.xml" \
    >"$tmp/for-alice.xml" 2>/dev/null
expect 1 "carol cannot accept alice's new GMK" as c gmk accept "$tmp/for-alice.xml"
has "check 2 receiver" "$tmp/out" "carol: not the receiver"
listen_start a
wait_gmk a "$gmk4"
wait_dlv $A "$gmk4" success
for who in a b; do
	expect 0 "$who active at the activation" as $who gmk active g1 --at "@$act"
	same "$(field gmk-id)" "$gmk4" "$who picks the latest activation"
done
expect 0 "alice before it" as a gmk active g1 --at "@$((act - 1))"
same "$(field gmk-id)" "$gmk2" "alice: the tampered GMK never became hers"
expect 0 "bob before it" as b gmk active g1 --at "@$((act - 1))"
same "$(field gmk-id)" "$gmk3" "bob: the third GMK before the activation"

for who in a b c; do listen_stop $who; done

# --- a refused token (401) is read again from its file: a renewed one is taken up ---
(umask 077 && echo not-a-token >"$tmp/b2.token")
listen_start b --token-file "$tmp/b2.token"
wait_log "HTTP 401" "$tmp/listen-b.log" 0
nb=$(log_count "channel open" "$tmp/listen-b.log")
cp "$tmp/b.token" "$tmp/b2.token"
wait_log "channel open" "$tmp/listen-b.log" "$nb"
listen_stop b
echo "skgms_e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
