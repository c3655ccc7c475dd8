#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional test of the Root certificate's validity in skmsd over real
# TLS on 127.0.0.1. A domain whose ValidTo falls inside the next key
# period: the current period is served, the next one (its key set would
# outlive the certificate) and the previous one (wholly before ValidFrom)
# are refused with 403 and ErrorCode 40307, precomputation derives nothing
# for the next period, skmsctl keyset derive refuses it too, the gauge
# skms_root_certificate_expiry_seconds is ValidTo minus the time of the
# scrape, and the expiry warning is logged once. A domain of the default
# five years: no warning, the next period precomputed and served. An
# expired domain: the current period refused, the gauge negative, the
# warning says expired. Key periods of a day, offset so that now is the
# middle of one: no boundary falls during the test.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL"

DAY=86400
NTP=2208988800
A=sip:alice@example.org
now=$(date +%s)
# Period cur runs from now - 12 h to now + 12 h.
off=$(( (now + NTP - DAY / 2) % DAY ))
cur=$(( (now + NTP - off) / DAY ))
cend=$(( cur * DAY + off + DAY - NTP ))
# soon: ValidFrom inside period cur, ValidTo 10 minutes into period cur + 1.
soon_from=$((now - 600))
soon_to=$((cend + 600))
# expired: ValidTo a minute ago.
exp_from=$((now - 3 * DAY))
exp_to=$((now - 60))

# --- fixtures: three domains with alice, TLS certificate, issuer key ---
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
domain() {	# domain NAME INIT-ARGS...
	d=$1
	shift
	"$CTL" --store "$tmp/$d" init --kms-uri kms.example.org --kek-file "$tmp/kek.key" \
	    "$@" && "$CTL" --store "$tmp/$d" user add $A
}
if ! { domain soon --key-period $DAY --key-offset $off --valid-from "@$soon_from" \
    --valid-to "@$soon_to" &&
    domain long --key-period $DAY --key-offset $off &&
    domain expired --key-period $DAY --key-offset $off --valid-from "@$exp_from" \
    --valid-to "@$exp_to" &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot set up the fixtures"
	exit 1
fi

ISS=https://sim.example.org
AA="Authorization: Bearer $("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub $A)"

# A lead time of a day: the next period is precomputed at once.
write_conf() {
	cat >"$C" <<EOF2
store:
  path: $tmp/$STORE
kek:
  file: $tmp/kek.key
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
period:
  window-past: 1
  window-future: 1
precompute:
  lead-time: 1d
ratelimit:
  burst: 0
log:
  level: info
EOF2
}
C="$tmp/skms.yaml"

metric() {	# metric NAME: its value, "absent" when it is not rendered
	curl -sS --max-time 5 "http://127.0.0.1:$mport/metrics" |
	    awk -v m="$1" 'index($0, m " ") == 1 { print $2; f = 1 } END { if (!f) print "absent" }'
}

# post PATH: the HTTP status of alice's POST; body in $tmp/b.
post() {
	curl -sS -g --cacert "$tmp/server.pem" --max-time 20 -o "$tmp/b" -w '%{http_code}' \
	    -X POST -H "$AA" "https://127.0.0.1:$port/keymanagement/identity/v1$1" 2>"$tmp/cerr"
}

# at PERIOD: the path time of the middle of PERIOD (NTP seconds, upper half).
at() { printf '%08x00000000' $(( ($1 * DAY + off + DAY / 2) % 4294967296 )); }

# gauge VALIDTO WHAT: the expiry gauge lies between ValidTo minus the times
# taken just after and just before the scrape.
gauge() {
	g0=$(date +%s)
	g=$(metric skms_root_certificate_expiry_seconds)
	g1=$(date +%s)
	if [ "$g" != absent ] && [ "$g" -le $(($1 - g0)) ] && [ "$g" -ge $(($1 - g1)) ]; then
		ok
	else
		bad "$2: skms_root_certificate_expiry_seconds '$g', expected $(($1 - g1))..$(($1 - g0))"
	fi
}

stop() {
	kill -TERM "$pid"
	wait "$pid"
	same $? 0 "$1: skmsd exits cleanly"
	pid=
	hasnt "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$tmp/log" \
	    "$1: sanitizers quiet"
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# --- soon: ValidTo inside the next period ---
STORE=soon
start_skmsd "$C" write_conf
has "root certificate expires in 0 d [0-9]* h, at $(iso $soon_to): the last key period served ends at $(iso $cend)" \
    "$tmp/log" "soon: warning at start"
wait_log "precompute: period $((cur + 1)) is outside the root certificate's validity" "$tmp/log" 0
same "$(metric skms_keysets_derived_total)" 0 "soon: nothing precomputed"
gauge $soon_to "soon"
same "$(post /keyprov)" 200 "soon: current period"
has "<KeyPeriodNo>$cur</KeyPeriodNo>" "$tmp/b" "soon: current period number"
has "<ValidTo>$(iso $cend)</ValidTo>" "$tmp/b" "soon: key set ends before the certificate"
same "$(post "/keyprov/$A/$(at $cur)")" 200 "soon: current period by time"
same "$(post "/keyprov/$A/$(at $((cur + 1)))")" 403 "soon: next period refused"
has "<ErrorCode>40307</ErrorCode>" "$tmp/b" "soon: next period error code"
has "<ErrorMsg>key period outside the validity of the KMS certificate</ErrorMsg>" "$tmp/b" \
    "soon: next period error message"
same "$(post "/keyprov/$A/$(at $((cur - 1)))")" 403 "soon: previous period refused"
has "<ErrorCode>40307</ErrorCode>" "$tmp/b" "soon: previous period error code"
same "$(post "/keyprov/$A/$(at $((cur + 2)))")" 403 "soon: outside the window first"
has "<ErrorCode>40306</ErrorCode>" "$tmp/b" "soon: the window is checked first"
same "$(metric skms_keysets_derived_total)" 1 "soon: only the current period derived"
same "$(metric 'skms_requests_total{endpoint="keyprov",status="403"}')" 3 "soon: refusals counted"
gauge $soon_to "soon, later"
expect 1 "soon: skmsctl keyset derive of the next period" \
    "$CTL" --store "$tmp/soon" keyset derive $A --period $((cur + 1))
has "--period: key period outside the KMS certificate's validity ($(iso $soon_from) to $(iso $soon_to))" \
    "$tmp/err" "soon: skmsctl names the validity"
expect 0 "soon: skmsctl keyset derive of the current period" \
    "$CTL" --store "$tmp/soon" keyset derive $A --period $cur
same "$(log_count "root certificate expire" "$tmp/log")" 1 "soon: one warning"
stop soon

# --- long: the default five years ---
STORE=long
long_to=$(date -u -d "$("$CTL" --store "$tmp/long" domain show |
    awk '$1 == "valid-to:" { print $2; exit }')" +%s)
start_skmsd "$C" write_conf
wait_log "precompute: key sets of period $((cur + 1)) ready" "$tmp/log" 0
same "$(metric skms_keysets_derived_total)" 1 "long: next period precomputed"
same "$(post "/keyprov/$A/$(at $((cur + 1)))")" 200 "long: next period served"
has "<KeyPeriodNo>$((cur + 1))</KeyPeriodNo>" "$tmp/b" "long: next period number"
# init's ValidFrom is the moment it ran: the previous period is before it.
same "$(post "/keyprov/$A/$(at $((cur - 1)))")" 403 "long: previous period refused"
gauge "$long_to" "long"
if [ $((long_to - now)) -gt $((5 * 365 * DAY - 3600)) ]; then ok; else
	bad "long: ValidTo $long_to is not five years away"
fi
hasnt "root certificate expire" "$tmp/log" "long: no warning"
stop long

# --- expired ---
STORE=expired
start_skmsd "$C" write_conf
has "root certificate expired at $(iso $exp_to)" "$tmp/log" "expired: warning"
gauge $exp_to "expired"
g=$(metric skms_root_certificate_expiry_seconds)
if [ "$g" -lt -59 ]; then ok; else bad "expired: gauge '$g' not negative"; fi
same "$(post /keyprov)" 403 "expired: current period refused"
has "<ErrorCode>40307</ErrorCode>" "$tmp/b" "expired: error code"
same "$(post /init)" 200 "expired: the certificate is still served"
same "$(metric skms_keysets_derived_total)" 0 "expired: nothing derived"
stop expired

echo "skmsd_expiry: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
