#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional tests of skmsd's connection handling over real TLS on
# 127.0.0.1, against the real daemon with a temporary domain: a request
# refused with 400, 401 or 403 closes its connection after the whole
# reply, so 1,200 clients holding their 401 cannot keep a legitimate
# request out; server.max-connections-per-address closes a source's
# connection over the limit at accept while its others keep working, and
# a reload raises it; skmsd refuses to start, or to reload, when its
# connections cannot fit in the descriptor limit. Verdicts come from the
# server's own connection count and the replies, never from timing.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
FLOOD=${FLOOD:-$top_builddir/tests/connflood}
fpid=
holders=
cleanup_extra() {
	[ -n "$fpid" ] && kill -9 "$fpid" 2>/dev/null
	for h in $holders; do kill -9 "$h" 2>/dev/null; done
}

need_tools curl "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL" "$FLOOD"

# --- fixtures: a domain with one user, a server certificate, an issuer ---
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { "$CTL" --store "$tmp/store" init --kms-uri kms.example.org \
    --kek-file "$tmp/kek.key" &&
    "$CTL" --store "$tmp/store" user add sip:alice@example.org &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" &&
    "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$tmp/iss.key" &&
    "$OPENSSL" pkey -in "$tmp/iss.key" -pubout -out "$tmp/iss.pub"; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make the fixtures"
	exit 1
fi
ISS=https://sim.example.org
ALICE=$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)

# write_conf FILE MAX-CONNECTIONS [PER-ADDRESS]
write_conf() {
	cat >"$1" <<EOF
store:
  path: $tmp/store
kek:
  file: $tmp/kek.key
server:
  listen: [127.0.0.1:$port]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  max-connections: $2
  max-connections-per-address: ${3:-64}
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
EOF
}
C="$tmp/skms.yaml"

URL() { echo "https://127.0.0.1:$port/keymanagement/identity/v1"; }
CURL="curl -sS --cacert $tmp/server.pem --max-time 20"
# init [curl arguments]: Alice's init request; the status and the seconds
# it took on stdout.
init() {
	$CURL -o "$tmp/b" -D "$tmp/h" -w '%{http_code} %{time_total}' -X POST \
	    -H "Authorization: Bearer $ALICE" "$@" "$(URL)/init" 2>"$tmp/cerr"
}
metric() {	# metric NAME: its value, 0 when absent
	curl -sS --max-time 5 "http://127.0.0.1:$mport/metrics" |
	    awk -v m="$1" 'index($0, m " ") == 1 { print $2; f = 1 } END { if (!f) print 0 }'
}
# wait_metric NAME OP VALUE: polls (at most 20 s) until NAME OP VALUE holds.
wait_metric() {
	n=0
	while [ $n -lt 200 ]; do
		[ "$(metric "$1")" "$2" "$3" ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}
stop() {
	kill -TERM "$pid"
	wait "$pid"
	st=$?
	pid=
	if [ $st -eq 0 ]; then ok; else bad "exit status after SIGTERM: $st"; fi
	hasnt "Sanitizer\|runtime error" "$tmp/log" "sanitizer reports"
}

# --- refused requests close their connection after the whole reply ---
start_skmsd "$C" write_conf "$C" 1024 0
s_client() {
	"$OPENSSL" s_client -connect "127.0.0.1:$port" -servername 127.0.0.1 -quiet "$@"
}
# hold NAME [FD]: an s_client in the background whose input stays open
# on descriptor FD, 3 by default (requests: printf ... >&FD); its output
# in $tmp/NAME, its process spid.
hold() {
	rm -f "$tmp/$1.in"
	mkfifo "$tmp/$1.in"
	s_client <"$tmp/$1.in" >"$tmp/$1" 2>/dev/null &
	spid=$!
	eval "exec ${2:-3}>\"\$tmp/\$1.in\""
}
# refused WHAT STATUS REQUEST: the reply is whole, says close, and the
# server closes (s_client, whose input stays open, ends).
refused() {
	hold r
	printf "$3" >&3
	n=0
	while kill -0 "$spid" 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$spid" 2>/dev/null; then
		bad "$1: connection still open 10 s after the reply"
		kill "$spid" 2>/dev/null
	else
		ok
	fi
	exec 3>&-
	wait "$spid" 2>/dev/null
	has "^HTTP/1.1 $2 " "$tmp/r" "$1: status"
	has "^Connection: close" "$tmp/r" "$1: Connection: close"
	has "</KmsResponse>" "$tmp/r" "$1: whole body before the close"
}
P='POST /keymanagement/identity/v1'
refused "bad token" 401 "$P/init HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer a.b.c\r\nContent-Length: 0\r\n\r\n"
refused "another identity's keys" 403 \
    "$P/keyprov/sip:bob@example.org HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer $ALICE\r\nContent-Length: 0\r\n\r\n"
refused "bad percent escape" 400 \
    "$P/keyprov/sip%%zzalice@example.org HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer $ALICE\r\nContent-Length: 0\r\n\r\n"
# A served request keeps its connection: two on one connection.
rq="$P/init HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer $ALICE\r\nContent-Length: 0\r\n"
printf "$rq\r\n${rq}Connection: close\r\n\r\n" | s_client >"$tmp/r" 2>/dev/null
same "$(grep -c "^HTTP/1.1 200" "$tmp/r")" 2 "two requests served on one connection"

# --- 1,200 clients each holding a finished 401 ---
: >"$tmp/flood"
"$FLOOD" 127.0.0.1 "$port" 1200 >"$tmp/flood" 2>&1 &
fpid=$!
n=0
while ! grep -q "^ready" "$tmp/flood" && kill -0 "$fpid" 2>/dev/null && [ $n -lt 900 ]; do
	sleep 0.1
	n=$((n + 1))
done
if grep -q "needs .* descriptors" "$tmp/flood"; then
	cat "$tmp/flood"
	echo "SKIP: not enough file descriptors for 1,200 connections"
	exit 77
fi
has "^replies-401: 1200$" "$tmp/flood" "1,200 clients got their 401"
if wait_metric skms_open_connections -le 1; then ok; else
	bad "server still holds $(metric skms_open_connections) connections of clients refused 401"
fi
code=$(init)
case $code in
200\ *) ok; echo "legitimate request among 1,200 refused clients: ${code#* } s" ;;
*) bad "legitimate request among 1,200 refused clients: $code"; cat "$tmp/cerr" ;;
esac
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
fpid=
stop

# --- max-connections-per-address (2): the third from 127.0.0.1 is closed ---
start_skmsd "$C" write_conf "$C" 1024 2
hold h1 3
holders="$spid"
hold h2 4
holders="$holders $spid"
if wait_metric skms_open_connections -eq 2; then ok; else bad "two connections held"; fi
code=$(init)
same "${code%% *}" 000 "third connection from one address closed at accept"
same "$(metric skms_connections_over_address_limit_total)" 1 "closed at accept counted"
has "127.0.0.1:[0-9]*: over server.max-connections-per-address (2), closed" "$tmp/log" \
    "closed at accept logged"
# The address's connections already open keep working.
printf "$rq\r\n" >&3
n=0
while ! grep -q "^HTTP/1.1 200" "$tmp/h1" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
has "^HTTP/1.1 200" "$tmp/h1" "held connection still served"
# Another address is counted on its own.
code=$(init --interface 127.0.0.2)
same "${code%% *}" 200 "another address served"
# A reload raising the limit lets the third in.
write_conf "$C" 1024 3
kill -HUP "$pid"
n=0
while ! grep -q "configuration reloaded" "$tmp/log" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
code=$(init)
same "${code%% *}" 200 "third connection served after the limit was raised"
exec 3>&- 4>&-
for h in $holders; do kill "$h" 2>/dev/null; wait "$h" 2>/dev/null; done
holders=
stop

# --- descriptor budget: a limit too small for max-connections is refused ---
write_conf "$C" 1024
sh -c 'ulimit -n 256 && exec "$@"' sh "$SKMSD" -c "$C" >"$tmp/out" 2>"$tmp/err" &
spid=$!
n=0
while kill -0 "$spid" 2>/dev/null && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
if kill -0 "$spid" 2>/dev/null; then
	bad "started with 256 descriptors for 1024 connections"
	kill -9 "$spid"
fi
wait "$spid"
same "$?" 1 "exit status with too few descriptors"
has "server.max-connections 1024 needs [0-9]* file descriptors, the limit is 256" "$tmp/err" \
    "descriptor shortage explained"
hasnt "serving" "$tmp/err" "not serving with too few descriptors"
# A reload may not raise max-connections past the limit either; within it, it may.
NOFILE=256
start_skmsd "$C" write_conf "$C" 100
unset NOFILE
has "file descriptors: limit 256, [0-9]* open at start" "$tmp/log" "descriptor budget logged"
write_conf "$C" 1024
kill -HUP "$pid"
n=0
while ! grep -q "reload failed" "$tmp/log" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
has "reload failed, keeping the running configuration: server.max-connections 1024 needs" \
    "$tmp/log" "reload past the descriptor limit refused"
write_conf "$C" 150
kill -HUP "$pid"
n=0
while ! grep -q "configuration reloaded" "$tmp/log" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
has "configuration reloaded" "$tmp/log" "reload within the descriptor limit"
code=$(init)
same "${code%% *}" 200 "served after the reloads"
stop

echo "skmsd_conn: $pass passed, $fail failed"
[ $fail -eq 0 ]
