#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional test of skmsd's per-identity rate limit (ratelimit.*) over
# real TLS on 127.0.0.1: an identity gets its burst of requests and then
# 429 with Retry-After and a KmsError, on a connection that stays open,
# while another identity is still served; a reload keeps the buckets and
# applies the new refill interval; burst 0 turns the limit off. The
# refill interval is an hour until the test wants a token back, so no
# verdict depends on how fast the requests go.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl xmllint "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL"

ctl() { "$CTL" --store "$tmp/store" "$@"; }

# --- fixtures: domain, two identities, TLS certificate, issuer key ---
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { ctl init --kms-uri kms.example.org --key-period 86400 --kek-file "$tmp/kek.key" &&
    ctl user add sip:alice@example.org &&
    ctl user add sip:bob@example.org &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    mkissuer iss; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot set up the fixtures"
	exit 1
fi

ISS=https://sim.example.org
mint() { "$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub "$1"; }

BURST=3
REFILL=1h
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
  threads: 2
  metrics-listen: 127.0.0.1:$mport
tokens:
  issuers:
    - issuer: $ISS
      audience: skms
      key-file: $tmp/iss.pub
      algorithms: [ES256]
ratelimit:
  burst: $BURST
  refill-interval: $REFILL
log:
  level: info
EOF2
}

C="$tmp/skms.yaml"
start_skmsd "$C" write_conf

BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
CURL="curl -sS -g --cacert $tmp/server.pem --max-time 20"
AA="Authorization: Bearer $(mint sip:alice@example.org)"
BB="Authorization: Bearer $(mint sip:bob@example.org)"

metric() {	# metric NAME-PATTERN: its value, 0 when absent
	curl -sS --max-time 5 "http://127.0.0.1:$mport/metrics" |
	    awk -v m="$1" 'index($0, m " ") == 1 { print $2; f = 1 } END { if (!f) print 0 }'
}

# post PATH HEADER: the HTTP status of a POST; body in $tmp/b, head in $tmp/h.
post() {
	$CURL -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' -X POST -H "$2" "$BASE$1" 2>"$tmp/cerr"
}

# reload VAR=VALUE...: rewrites the config and waits for skmsd to take it.
reload() {
	for a in "$@"; do eval "$a"; done
	write_conf
	n0=$(grep -c "configuration reloaded" "$tmp/log")
	kill -HUP "$pid"
	n=0
	while [ "$(grep -c "configuration reloaded" "$tmp/log")" -le "$n0" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	same "$(grep -c "configuration reloaded" "$tmp/log")" $((n0 + 1)) "reload $*"
}

retry_after() { tr -d '\r' <"$tmp/h" | awk 'tolower($1) == "retry-after:" { print $2 }'; }

# --- the burst, whatever the endpoint, then 429 ---
same "$(post /init "$AA")" 200 "alice: init"
same "$(post /certcache "$AA")" 200 "alice: certcache"
same "$(post /keyprov "$AA")" 200 "alice: keyprov"
same "$(post /keyprov "$AA")" 429 "alice: keyprov beyond the burst"
has "<ErrorCode>42901</ErrorCode>" "$tmp/b" "429: KmsError code"
has "<UserUri>sip:alice@example.org</UserUri>" "$tmp/b" "429: the caller"
if xmllint --noout --schema "$XSD" "$tmp/b" >"$tmp/xmllint" 2>&1; then ok; else
	bad "429: KmsResponse not valid against kms-response.xsd"
	head -n 10 "$tmp/xmllint"
fi
has "^Content-Type: application/xml" "$tmp/h" "429: content type"
hasnt "^Connection: close" "$tmp/h" "429: the connection stays open"
ra=$(retry_after)
# A token every hour: the next is at most an hour away, and more than the
# time this test has run away.
if [ -n "$ra" ] && [ "$ra" -ge 3000 ] && [ "$ra" -le 3600 ]; then ok; else
	bad "429: Retry-After '$ra', expected 3000..3600"
fi
same "$(post /init "$AA")" 429 "alice: init refused too"
# Two refusals on one kept-alive connection.
$CURL -v -o /dev/null -o /dev/null -w '%{http_code}\n' -X POST -H "$AA" \
    "$BASE/keyprov" "$BASE/keyprov" >"$tmp/codes" 2>"$tmp/cerr"
same "$(tr '\n' ' ' <"$tmp/codes")" "429 429 " "two refusals in one connection"
has "Re-using existing" "$tmp/cerr" "the connection is reused after a 429"
same "$(metric skms_ratelimit_refused_total)" 4 "refusals counted"
same "$(metric 'skms_requests_total{endpoint="keyprov",status="429"}')" 3 \
    "429 by endpoint"

# --- others are served; a caller without a valid token is not counted ---
same "$(post /keyprov "$BB")" 200 "bob: served while alice is limited"
same "$(post /keyprov "Authorization: Bearer x.y.z")" 401 "bad token: 401, not 429"

# --- a reload keeps the buckets and rescales them ---
reload REFILL=2h
same "$(post /keyprov "$AA")" 429 "alice: still limited after a reload"
ra=$(retry_after)
if [ -n "$ra" ] && [ "$ra" -gt 3600 ] && [ "$ra" -le 7200 ]; then ok; else
	bad "Retry-After after the reload '$ra', expected 3601..7200"
fi

# --- a fast refill: alice is served again within a bound ---
reload REFILL=1s
n=0
while [ "$(post /keyprov "$AA")" != 200 ] && [ $n -lt 100 ]; do
	sleep 0.2
	n=$((n + 1))
done
same "$(head -n 1 "$tmp/h" | tr -d '\r')" "HTTP/1.1 200 OK" "alice: served again after the refill"

# --- burst 0: no limit ---
reload BURST=0
n=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(post /init "$AA")" = 200 ] && n=$((n + 1))
done
same "$n" 10 "burst 0: every request served"

# --- a bad value is refused and the running limits kept ---
BURST=100001
write_conf
n0=$(grep -c "reload failed" "$tmp/log")
kill -HUP "$pid"
n=0
while [ "$(grep -c "reload failed" "$tmp/log")" -le "$n0" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
has "ratelimit.burst: 100001 is out of range" "$tmp/log" "bad burst refused"
same "$(post /init "$AA")" 200 "still served after a failed reload"

kill -TERM "$pid"
wait "$pid"
same $? 0 "skmsd exits cleanly"
pid=

echo "skmsd_rate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
