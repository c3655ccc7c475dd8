#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional test of audit.durability write: skmsd is killed with SIGKILL
# while several clients fetch key sets, each request with a token of its
# own jti; after a restart (which moves what the journal holds into the
# store) skmsctl audit must list every key set a client received in full
# (status 200 with its KmsKeySet). The kill comes once enough key sets
# were acknowledged, whenever that is: no verdict rests on speed.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
WORKERS=4
ACKS=200
lpids=
cleanup_extra() {
	: >"$tmp/stop" 2>/dev/null
	for l in $lpids; do kill -9 "$l" 2>/dev/null; done
}

need_tools curl "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL"

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

write_conf() {
	cat >"$tmp/skms.yaml" <<EOF
store:
  path: $tmp/store
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
ratelimit:
  burst: 0
audit:
  durability: write
  # Records stay unflushed long after their replies: a kill finds them
  # in the page cache only.
  flush-ms: 1000
log:
  level: info
EOF
}

# load W: worker W fetches key sets, a fresh jti (kill-W-N) each, until
# $tmp/stop exists, and notes each jti whose whole reply it received.
load() {
	n=0
	while [ ! -e "$tmp/stop" ]; do
		n=$((n + 1))
		tok=$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms \
		    --sub sip:alice@example.org --jti "kill-$1-$n") || break
		rm -f "$tmp/body.$1"
		if code=$(curl -sS --cacert "$tmp/server.pem" --max-time 20 \
		    -o "$tmp/body.$1" -w '%{http_code}' -X POST \
		    -H "Authorization: Bearer $tok" \
		    "https://127.0.0.1:$port/keymanagement/identity/v1/keyprov" 2>/dev/null) &&
		    [ "$code" = 200 ] && grep -q "<KmsKeySet" "$tmp/body.$1"; then
			echo "kill-$1-$n" >>"$tmp/acked.$1"
		fi
	done
}
acked() { cat "$tmp"/acked.* 2>/dev/null | wc -l; }
enough() { [ "$(acked)" -ge "$ACKS" ]; }

start_skmsd "$tmp/skms.yaml" write_conf
w=1
while [ $w -le $WORKERS ]; do
	load "$w" &
	lpids="$lpids $!"
	w=$((w + 1))
done
if wait_until 600 enough; then ok; else bad "fewer than $ACKS key sets in 600 s"; fi
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
: >"$tmp/stop"
for l in $lpids; do wait "$l"; done
lpids=
sort -u "$tmp"/acked.* >"$tmp/acked"
nacked=$(wc -l <"$tmp/acked")
[ "$nacked" -ge "$ACKS" ] && ok || bad "only $nacked key sets acknowledged"

# For the log only (how many waited in the journal depends on timing).
"$CTL" --store "$tmp/store" audit 2>/dev/null | grep -c "jti kill-" >"$tmp/before"
echo "in the store before the restart: $(cat "$tmp/before") of $nacked acknowledged"

# The restart moves the journal's records into the store before serving.
start_skmsd "$tmp/skms.yaml" write_conf
"$CTL" --store "$tmp/store" audit >"$tmp/audit" 2>"$tmp/err"
same "$?" 0 "skmsctl audit after the restart"
grep -o "jti kill-[0-9]*-[0-9]*" "$tmp/audit" | sed 's/^jti //' | sort -u >"$tmp/audited"
naudited=$(wc -l <"$tmp/audited")
comm -23 "$tmp/acked" "$tmp/audited" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
	bad "$(wc -l <"$tmp/missing") of $nacked acknowledged key sets not audited, e.g. $(head -n 3 "$tmp/missing" | tr '\n' ' ')"
else
	ok
fi
echo "acknowledged $nacked key sets, audited $naudited (a reply cut by the kill may be audited, not acknowledged)"
[ "$naudited" -ge "$nacked" ] && ok || bad "audited $naudited < acknowledged $nacked"
kill -TERM "$pid"
wait "$pid"
same "$?" 0 "clean stop after the restart"
pid=

echo "skmsd_audit_kill: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
