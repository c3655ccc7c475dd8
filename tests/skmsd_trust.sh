#!/bin/sh
# SPDX-License-Identifier: ISC
# Functional tests of the files that decide trust: skmsd -n, skmsctl and a
# SIGHUP reload refuse a configuration, token issuer key, TLS certificate,
# key or client CA that others could write, or that lies in a directory
# others could write, naming the file; a reload keeps the running
# configuration, so a token signed with a key put in place of the issuer's
# gets nobody's key set. A FIFO in place of a key file is refused at once,
# by -n and by a reload, and the server keeps serving.
set -u
. "${top_srcdir:-.}/tests/checks.sh"

need_tools curl timeout "$OPENSSL"
need_built "$SKMSD" "$MINT" "$CTL"

# --- fixtures: a domain with alice, TLS, the issuer's key and a forger's ---
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { "$CTL" --store "$tmp/store" init --kms-uri kms.example.org \
    --kek-file "$tmp/kek.key" &&
    "$CTL" --store "$tmp/store" user add sip:alice@example.org &&
    mkcert root "/CN=skms test root" "basicConstraints=critical,CA:true
keyUsage=keyCertSign" &&
    mkcert inter "/CN=skms test intermediate" "basicConstraints=critical,CA:true
keyUsage=keyCertSign" root &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1" inter &&
    cat "$tmp/server.pem" "$tmp/inter.pem" >"$tmp/chain.pem" &&
    mkcert ca "/CN=skms test clients" "basicConstraints=critical,CA:true
keyUsage=keyCertSign" &&
    mkissuer iss &&
    "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/forger.key" &&
    "$OPENSSL" pkey -in "$tmp/forger.key" -pubout -out "$tmp/forger.pub"; } \
    >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make the fixtures"
	exit 1
fi
chmod 0644 "$tmp/iss.pub" "$tmp/chain.pem" "$tmp/ca.pem"

ISS=https://sim.example.org
C="$tmp/skms.yaml"
# write_conf [KEYFILE [CONF]]: the configuration, with the issuer's key-file.
write_conf() {
	cat >"${2:-$C}" <<EOF
store:
  path: $tmp/store
kek:
  file: $tmp/kek.key
server:
  listen: [127.0.0.1:$port]
  metrics-listen: 127.0.0.1:$mport
  tls-certificate: $tmp/chain.pem
  tls-key: $tmp/server.key
  tls-client-ca: $tmp/ca.pem
tokens:
  issuers:
    - issuer: $ISS
      audience: skms
      key-file: ${1:-$tmp/iss.pub}
      algorithms: [ES256]
# How many requests a loop or a retry makes depends on the machine's
# speed: no rate limit here (skmsd_rate.sh tests it).
ratelimit:
  burst: 0
log:
  level: info
EOF
	chmod 0644 "${2:-$C}"
}

# refused WHAT PATTERN COMMAND...: exit status 1 (not a time-out), with
# PATTERN on standard error.
refused() {
	what=$1
	pattern=$2
	shift 2
	expect 1 "$what" "$@"
	has "$pattern" "$tmp/err" "$what"
}

# --- skmsd -n and skmsctl --config ---
port=1
mport=2
write_conf
expect 0 "a good configuration" timeout 10 "$SKMSD" -n -c "$C"

chmod 0666 "$tmp/iss.pub"
refused "-n: issuer key mode 0666" "$tmp/iss.pub: mode 0666 allows group or other write" \
    timeout 10 "$SKMSD" -n -c "$C"
refused "start: issuer key mode 0666" "$tmp/iss.pub: mode 0666 allows group or other write" \
    timeout 10 "$SKMSD" -c "$C"
chmod 0644 "$tmp/iss.pub"

for f in chain.pem ca.pem; do
	chmod 0664 "$tmp/$f"
	refused "-n: $f mode 0664" "$tmp/$f: mode 0664 allows group or other write" \
	    timeout 10 "$SKMSD" -n -c "$C"
	chmod 0644 "$tmp/$f"
done
chmod 0640 "$tmp/server.key"
refused "-n: TLS key mode 0640" "$tmp/server.key: mode 0640 allows group or other access" \
    timeout 10 "$SKMSD" -n -c "$C"
chmod 0600 "$tmp/server.key"

chmod 0666 "$C"
refused "-n: configuration mode 0666" "$C: mode 0666 allows group or other write" \
    timeout 10 "$SKMSD" -n -c "$C"
refused "skmsctl: configuration mode 0666" "$C: mode 0666 allows group or other write" \
    timeout 10 "$CTL" --config "$C" domain show
chmod 0644 "$C"

# A directory above a file, not only the file.
mkdir "$tmp/keys"
cp "$tmp/iss.pub" "$tmp/keys/iss.pub"
chmod 0775 "$tmp/keys"
write_conf "$tmp/keys/iss.pub"
refused "-n: issuer key in a group-writable directory" \
    "$tmp/keys: writable by group or others" timeout 10 "$SKMSD" -n -c "$C"
write_conf "$tmp/keys/iss.pub" "$tmp/keys/skms.yaml"
refused "skmsctl: configuration in a group-writable directory" \
    "$tmp/keys: writable by group or others" \
    timeout 10 "$CTL" --config "$tmp/keys/skms.yaml" domain show
chmod 0755 "$tmp/keys"
expect 0 "-n: issuer key in a good directory" timeout 10 "$SKMSD" -n -c "$C"
expect 0 "skmsctl: configuration in a good directory" \
    timeout 10 "$CTL" --config "$tmp/keys/skms.yaml" domain show

# A chain with a broken certificate after the server's own.
{ cat "$tmp/server.pem"; sed '3d' "$tmp/inter.pem"; } >"$tmp/broken.pem"
sed "s|tls-certificate: .*|tls-certificate: $tmp/broken.pem|" "$C" >"$tmp/broken.yaml"
refused "-n: a broken certificate chain" "$tmp/broken.pem: cannot load the certificate chain" \
    timeout 10 "$SKMSD" -n -c "$tmp/broken.yaml"

# A FIFO with no writer: a blocking open would wait for ever.
mkfifo "$tmp/fifo.pub"
write_conf "$tmp/fifo.pub"
refused "-n: a FIFO as issuer key" "$tmp/fifo.pub: not a regular file" \
    timeout 10 "$SKMSD" -n -c "$C"

# --- a running skmsd: SIGHUP with a replaced key, then with a FIFO ---
start_skmsd "$C" write_conf "$tmp/keys/iss.pub"
BASE="https://127.0.0.1:$port/keymanagement/identity/v1"
# Only the root: the server must send the intermediate of its chain file.
CURL="curl -sS --cacert $tmp/root.pem --max-time 10"
good=$("$MINT" --key "$tmp/iss.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)
forged=$("$MINT" --key "$tmp/forger.key" --iss "$ISS" --aud skms --sub sip:alice@example.org)

# keyprov WHAT STATUS TOKEN: alice's key set asked for with TOKEN.
keyprov() {
	code=$($CURL -o "$tmp/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $3" \
	    "$BASE/keyprov" 2>"$tmp/cerr")
	same "$code" "$2" "$1"
}

# reload PATTERN WHAT: SIGHUP, then waits (10 s at most) for PATTERN in
# what the log says from then on.
reload() {
	n=$(wc -l <"$tmp/log")
	kill -HUP "$pid"
	i=0
	while [ $i -lt 100 ]; do
		if tail -n "+$((n + 1))" "$tmp/log" | grep -q -e "$1"; then
			ok
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	bad "$2: no '$1' in the log"
	sed 's/^/  | /' "$tmp/log" | tail -n 10
}

keyprov "the issuer's token" 200 "$good"
keyprov "the forger's token before" 401 "$forged"

# Anybody may write the key file: the forger puts his key in it.
chmod 0666 "$tmp/keys/iss.pub"
cp "$tmp/forger.pub" "$tmp/keys/iss.pub"
reload "reload failed, keeping the running configuration: tokens: $tmp/keys/iss.pub: mode 0666" \
    "SIGHUP with a writable key file"
keyprov "the forger's token after the refused reload" 401 "$forged"
keyprov "the issuer's token after the refused reload" 200 "$good"

# A FIFO in the key file's place: the reload fails at once, the loop serves.
rm "$tmp/keys/iss.pub"
mkfifo "$tmp/keys/iss.pub"
reload "tokens: $tmp/keys/iss.pub: not a regular file" "SIGHUP with a FIFO as key file"
keyprov "served right after the FIFO reload" 200 "$good"

# The right key again: the reload applies.
rm "$tmp/keys/iss.pub"
cp "$tmp/iss.pub" "$tmp/keys/iss.pub"
chmod 0644 "$tmp/keys/iss.pub"
reload "configuration reloaded" "SIGHUP with the key file mended"
keyprov "the issuer's token after a good reload" 200 "$good"
if kill -0 "$pid" 2>/dev/null; then ok; else bad "skmsd died"; fi

echo "skmsd_trust: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
