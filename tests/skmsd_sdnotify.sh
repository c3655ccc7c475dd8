#!/bin/sh
# SPDX-License-Identifier: ISC
# skmsd's systemd notifications (Type=notify): with NOTIFY_SOCKET naming a
# datagram socket that tests/sdnotify_listen reads, skmsd sends READY=1
# once it serves (a request made as soon as READY arrives is answered),
# RELOADING=1 with MONOTONIC_USEC and READY=1 again around each SIGHUP,
# a reload that fails included, and STOPPING=1 at SIGTERM; each from
# skmsd's own pid and in that order, nothing else. Skipped when configure
# did not find libsystemd.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

if [ "${SKMS_SYSTEMD:-no}" != yes ]; then
	echo "SKIP: built without libsystemd (configure --with-systemd)"
	exit 77
fi
LISTEN=$top_builddir/tests/sdnotify_listen
need_tools curl "$OPENSSL"
need_built "$SKMSD" "$CTL" "$LISTEN"

head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { "$CTL" --store "$tmp/store" init --kms-uri kms.example.org \
    --kek-file "$tmp/kek.key" &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1"; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot create the store and keys"
	exit 1
fi

# The listener's messages, one per line: pid=N then the assignments.
"$LISTEN" "$tmp/notify" >"$tmp/notes" 2>"$tmp/listen.err" &
lpid=$!
cleanup_extra() { kill "$lpid" 2>/dev/null; }
sock_ready() { [ -S "$tmp/notify" ]; }
if ! wait_until 30 sock_ready; then
	cat "$tmp/listen.err"
	echo "FAIL: the notification socket was not made"
	exit 1
fi

C="$tmp/skms.yaml"
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
  workers: 1
  threads: 1
  metrics-listen: 127.0.0.1:$mport
EOF2
}

# notes_more N: more than N messages have arrived.
notes_more() { [ "$(wc -l <"$tmp/notes")" -gt "$1" ]; }
# kinds: the first assignment of each message, in order, on one line.
kinds() { awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 } END { print "" }' "$tmp/notes"; }

NOTIFY_SOCKET=$tmp/notify
export NOTIFY_SOCKET
start_skmsd "$C" write_conf
unset NOTIFY_SOCKET

# --- READY=1 once serving: the listener answers as soon as it arrives ---
if wait_until 60 notes_more 0; then ok; else bad "no READY=1 from skmsd"; cat "$tmp/log"; fi
same "$(kinds)" "READY=1" "first message"
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$mport/metrics")
same "$code" 200 "metrics answered right after READY=1"
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$tmp/server.pem" \
    "https://127.0.0.1:$port/keymanagement/identity/v1/init")
case "$code" in
[1-5][0-9][0-9]) ok ;;
*) bad "no HTTPS answer right after READY=1: '$code'" ;;
esac
has "domain opened: master secrets unsealed" "$tmp/log" "secrets unsealed before READY=1"
has "^pid=$pid READY=1 STATUS=serving" "$tmp/notes" "READY=1 from skmsd's pid with a status"

# --- SIGHUP: RELOADING=1 with the monotonic clock, then READY=1 ---
kill -HUP "$pid"
if wait_until 60 notes_more 2; then ok; else bad "no READY=1 after a reload"; fi
same "$(kinds)" "READY=1 RELOADING=1 READY=1" "messages around a reload"
has "^pid=$pid RELOADING=1 MONOTONIC_USEC=[1-9][0-9]*$" "$tmp/notes" \
    "RELOADING=1 carries MONOTONIC_USEC"
has "configuration reloaded" "$tmp/log" "reload done"

# --- a reload that fails still ends in READY=1 (systemd would wait) ---
printf 'server:\n  no-such-key: 1\n' >"$C"
kill -HUP "$pid"
if wait_until 60 notes_more 4; then ok; else bad "no READY=1 after a failed reload"; fi
same "$(kinds)" "READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1" "messages around a failed reload"
has "reload failed" "$tmp/log" "reload refused"

# --- SIGTERM: STOPPING=1, then a clean exit ---
kill -TERM "$pid"
wait "$pid"
st=$?
pid=
same "$st" 0 "exit status after SIGTERM"
same "$(kinds)" "READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 STOPPING=1" \
    "every message, in order"
n=$(grep -c -v "^pid=[0-9]* " "$tmp/notes")
same "$n" 0 "every message has a sender pid"

echo "skmsd_sdnotify: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
