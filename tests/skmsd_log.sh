#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional test of skmsd's log formats: with log.format json every line
# of standard error is one JSON object with time, level and msg, request
# data escaped as \xHH and then as JSON; a reload switches to text, whose
# lines carry a UTC timestamp; with JOURNAL_STREAM naming standard error,
# as systemd sets it, lines lose the timestamp and gain a <N> priority.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl jq stat "$OPENSSL"
need_built "$SKMSD" "$CTL"

head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { "$CTL" --store "$tmp/store" init --kms-uri kms.example.org \
    --kek-file "$tmp/kek.key" &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1"; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make the fixtures"
	exit 1
fi

FORMAT=json
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
  metrics-listen: 127.0.0.1:$mport
log:
  level: info
  format: $FORMAT
EOF2
}
C="$tmp/skms.yaml"

# stop: SIGTERM, and wait for the exit.
stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
}

# A path with a quote and a backslash, refused (401, no token) and logged.
odd() {
	curl -sS -g --path-as-is --max-time 20 --cacert "$tmp/server.pem" -o /dev/null \
	    -w '%{http_code}' -X POST "https://127.0.0.1:$port/keymanagement/identity/v1/x\"y\\z"
}

# each_json FILE: every line is one object of exactly time, level and msg.
each_json() {
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		if ! printf '%s\n' "$line" | jq -e -s 'length == 1 and (.[0] |
		    type == "object" and (keys == ["level", "msg", "time"]) and
		    (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$")) and
		    (.level | IN("debug", "info", "notice", "warning", "error")) and
		    (.msg | type == "string" and length > 0))' >/dev/null 2>&1; then
			bad "line $n is not a log object: $line"
			return
		fi
	done <"$1"
	if [ "$n" -gt 0 ]; then ok; else bad "no log lines in $1"; fi
}

# --- log.format json ---
unset JOURNAL_STREAM
start_skmsd "$C" write_conf
same "$(odd)" 401 "odd path refused"
wait_log "access token required" "$tmp/log" 0
each_json "$tmp/log"
# The message as the text log has it (\x5c for the backslash), then JSON-escaped.
same "$(jq -r 'select(.msg | contains("access token required")) | .msg' "$tmp/log" |
    sed 's/^[^ ]* //')" '/keymanagement/identity/v1/x"y\x5cz 401: access token required' \
    "odd path: escaped as in the text log"
has 'v1/x\\"y\\\\x5cz 401' "$tmp/log" "odd path: JSON escapes on the line"
same "$(jq -r 'select(.msg | startswith("serving")) | .level' "$tmp/log")" info "serving: level"

# --- a reload switches to text, stamped ---
FORMAT=text
write_conf
kill -HUP "$pid"
wait_log "configuration reloaded" "$tmp/log" 0
has '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z skmsd: configuration reloaded$' \
    "$tmp/log" "text after the reload: stamped"
same "$(odd)" 401 "odd path refused after the reload"
wait_log '^[0-9T:-]*Z skmsd: .*v1/x"y\\x5cz 401: access token required$' "$tmp/log" 0
stop
# Lines before the reload stay JSON: the reload changed only the lines after it.
same "$(awk '/configuration reloaded/ { exit } !/^[{]/ { n++ } END { print n + 0 }' "$tmp/log")" 0 \
    "json lines up to the reload"

# --- under systemd: standard error is the journal's stream ---
: >"$tmp/log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$tmp/log")
export JOURNAL_STREAM
start_skmsd "$C" write_conf
same "$(odd)" 401 "journal: odd path refused"
wait_log "access token required" "$tmp/log" 0
stop
has '^<6>serving ' "$tmp/log" "journal: priority, no timestamp"
has '^<6>127\.0\.0\.1:[0-9]*: .*401: access token required$' "$tmp/log" "journal: request line"
hasnt '^[0-9]' "$tmp/log" "journal: no timestamps"
hasnt '^skmsd: ' "$tmp/log" "journal: no program name (journald adds it)"
same "$(grep -cv '^<[0-7]>' "$tmp/log")" 0 "journal: every line has a priority"

# The variable inherited with standard error elsewhere: stamps again.
JOURNAL_STREAM="$JOURNAL_STREAM"1
start_skmsd "$C" write_conf
stop
has '^[0-9T:-]*Z skmsd: serving ' "$tmp/log" "another stream: stamped"
hasnt '^<' "$tmp/log" "another stream: no priority"
unset JOURNAL_STREAM

echo "skmsd_log: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
