#!/bin/sh
# SPDX-License-Identifier: ISC
# The monitoring files in contrib/ against what skmsd exports: the alert
# rules pass promtool's check and their unit tests, the Grafana dashboard
# is valid JSON whose queries parse as PromQL, and every metric name
# either of them uses is one a running skmsd lists on /metrics: an LMDB
# node's, or for the cluster metrics a node on PostgreSQL's (started here
# with its own server; without PostgreSQL the test is skipped after the
# other checks, since the cluster names cannot be checked).
set -u
. "${top_srcdir:-.}/tests/checks.sh"
. "${top_srcdir:-.}/tests/pgserver.sh"
RULES="$top_srcdir/contrib/prometheus/skms-alerts.yml"
RULES_TEST="$top_srcdir/contrib/prometheus/skms-alerts.test.yml"
DASH="$top_srcdir/contrib/grafana/skms-dashboard.json"

need_tools curl jq promtool "$OPENSSL"
cleanup_extra() {
	pg_cleanup
}
need_built "$SKMSD" "$CTL"

# --- the names skmsd exports, from a running daemon ---
head -c 32 /dev/urandom >"$tmp/kek.key"
chmod 0600 "$tmp/kek.key"
if ! { "$CTL" --store "$tmp/store" init --kms-uri kms.example.org \
    --kek-file "$tmp/kek.key" &&
    mkcert server /CN=127.0.0.1 "subjectAltName=IP:127.0.0.1"; } >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: cannot make the fixtures"
	exit 1
fi
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
  metrics-listen: 127.0.0.1:$mport
EOF2
}
start_skmsd "$tmp/skms.yaml" write_conf
if ! curl -sS --max-time 10 -o "$tmp/metrics" "http://127.0.0.1:$mport/metrics"; then
	bad "cannot fetch /metrics"
	exit 1
fi
kill "$pid"
wait "$pid" 2>/dev/null
pid=
# families METRICS: each family from its TYPE line; a histogram's series
# add their suffixes.
families() {
	awk '$1 == "#" && $2 == "TYPE" {
		print $3
		if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" }
	}' "$1" | sort -u
}
# sampled METRICS: the names of its samples.
sampled() {
	awk '$1 !~ /^#/ && NF > 0 { sub(/[{ ].*/, "", $1); print $1 }' "$1" | sort -u
}
families "$tmp/metrics" >"$tmp/exported"
# Every sample belongs to a family with a TYPE line.
sampled "$tmp/metrics" >"$tmp/sampled"
same "$(comm -23 "$tmp/sampled" "$tmp/exported" | tr '\n' ' ')" "" "every sample has a TYPE"
for m in skms_requests_total skms_request_duration_seconds_bucket \
    skms_audit_unrecorded_total skms_kms_errors_total skms_store_used_bytes \
    skms_store_map_size_bytes skms_root_certificate_expiry_seconds \
    skms_precomputed_period skms_current_period skms_audit_journal_lag_seconds \
    skms_audit_disk_writes_total; do
	has "^$m\$" "$tmp/exported" "exported"
done
for m in skms_replica_lag_seconds skms_database_up; do
	if grep -q "^$m\$" "$tmp/exported"; then
		bad "$m exported by an LMDB node"
	else
		ok
	fi
done

# --- the names a cluster node adds, from a node on PostgreSQL ---
cluster=no
if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ] && command -v psql >/dev/null 2>&1; then
	cluster=yes
fi
write_node_conf() {
	cat >"$tmp/node.yaml" <<EOF2
store:
  path: $tmp/node
  backend: postgresql
  max-staleness: 45s
  postgresql:
    conninfo: "$pg_conninfo"
    password-file: $pg_pwfile
node:
  name: node1
kek:
  file: $tmp/kek.key
server:
  listen: [127.0.0.1:$port]
  tls-certificate: $tmp/server.pem
  tls-key: $tmp/server.key
  metrics-listen: 127.0.0.1:$mport
EOF2
}
if [ $cluster = yes ]; then
	if ! pg_start $((40000 + $$ % 20000)); then
		echo "FAIL: cannot start PostgreSQL"
		exit 1
	fi
	cat >"$tmp/ctl.yaml" <<EOF2
store:
  path: $tmp/admin
  backend: postgresql
  postgresql:
    conninfo: "$pg_conninfo"
    password-file: $pg_pwfile
kek:
  file: $tmp/kek.key
EOF2
	if ! "$CTL" --config "$tmp/ctl.yaml" init --kms-uri kms.example.org \
	    >"$tmp/out" 2>&1; then
		cat "$tmp/out"
		echo "FAIL: cannot make the domain in the database"
		exit 1
	fi
	start_skmsd "$tmp/node.yaml" write_node_conf
	# The follower thread sets skms_database_up after its first pull,
	# which may come after "serving": scrape until it has (bounded).
	node_synced() {
		curl -sS --max-time 10 -o "$tmp/node.metrics" \
		    "http://127.0.0.1:$mport/metrics" 2>/dev/null &&
		    awk '$1 == "skms_database_up" && $2 == 1 { f = 1 } END { exit !f }' \
		    "$tmp/node.metrics"
	}
	wait_until 60 node_synced
	if [ ! -s "$tmp/node.metrics" ]; then
		bad "cannot fetch the cluster node's /metrics"
		exit 1
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	families "$tmp/node.metrics" >"$tmp/node.exported"
	sampled "$tmp/node.metrics" >"$tmp/node.sampled"
	same "$(comm -23 "$tmp/node.sampled" "$tmp/node.exported" | tr '\n' ' ')" "" \
	    "every sample of the cluster node has a TYPE"
	for m in skms_replica_lag_seconds skms_replica_sequence_lag \
	    skms_replica_max_staleness_seconds skms_database_up; do
		has "^$m\$" "$tmp/node.exported" "exported by the cluster node"
	done
	same "$(awk '$1 == "skms_replica_max_staleness_seconds" { print $2 }' "$tmp/node.metrics")" \
	    45 "the cluster node exports its store.max-staleness"
	same "$(awk '$1 == "skms_database_up" { print $2 }' "$tmp/node.metrics")" 1 \
	    "the cluster node has the database up"
	sort -u "$tmp/exported" "$tmp/node.exported" >"$tmp/all"
	mv "$tmp/all" "$tmp/exported"
fi
# unchecked FILE: the names FILE uses that no skmsd started here exports,
# as one line; without a cluster node they are only listed (the test is
# then skipped, not passed).
unchecked() {
	left=$(comm -23 "$1" "$tmp/exported" | tr '\n' ' ')
	if [ $cluster = no ] && [ -n "$left" ]; then
		echo "not checked without PostgreSQL: $left" >&2
		left=
	fi
	printf '%s' "$left"
}

# used FILE: the skms_ metric names FILE mentions, one a line.
used() {
	grep -o 'skms_[a-z0-9_]*' "$1" | sort -u
}

# --- alert rules ---
if promtool check rules "$RULES" >"$tmp/out" 2>&1; then ok; else
	bad "promtool check rules"
	sed 's/^/  | /' "$tmp/out" | head -n 20
fi
if (cd "$(dirname "$RULES_TEST")" && promtool test rules "$(basename "$RULES_TEST")") \
    >"$tmp/out" 2>&1; then ok; else
	bad "promtool test rules"
	sed 's/^/  | /' "$tmp/out" | head -n 40
fi
used "$RULES" >"$tmp/rules.used"
same "$(unchecked "$tmp/rules.used")" "" "alert rules use only exported metrics"
[ -s "$tmp/rules.used" ] && ok || bad "alert rules name no metric"

# --- dashboard ---
if jq -e 'type == "object" and (.panels | type == "array" and length > 0)' "$DASH" \
    >/dev/null 2>&1; then ok; else bad "dashboard: not a JSON object with panels"; fi
same "$(jq '[.panels[].id] | length == (unique | length)' "$DASH")" true "dashboard: panel ids unique"
same "$(jq '[.panels[] | select(.type != "row") | select((.targets // []) | length == 0)] | length' \
    "$DASH")" 0 "dashboard: every panel has a query"
jq -r '.. | objects | .expr? // empty' "$DASH" >"$tmp/exprs"
[ -s "$tmp/exprs" ] && ok || bad "dashboard: no queries"
used "$tmp/exprs" >"$tmp/dash.used"
same "$(unchecked "$tmp/dash.used")" "" "dashboard uses only exported metrics"
# Each query parses: as a recording rule, Grafana's variables given values.
{
	echo "groups:"
	echo "  - name: dashboard"
	echo "    rules:"
	n=0
	sed -e 's/\$__rate_interval/5m/g' -e 's/\$instance/.*/g' "$tmp/exprs" |
	while IFS= read -r e; do
		n=$((n + 1))
		printf '      - record: dashboard:query%d\n        expr: %s\n' "$n" \
		    "$(printf '%s' "$e" | jq -R .)"
	done
} >"$tmp/dash-rules.yml"
if promtool check rules "$tmp/dash-rules.yml" >"$tmp/out" 2>&1; then ok; else
	bad "dashboard queries do not parse"
	sed 's/^/  | /' "$tmp/out" | head -n 20
fi
# The panels the operators asked for.
for m in skms_requests_total skms_request_duration_seconds_bucket skms_cache_lookups_total \
    skms_keysets_derived_total skms_precompute_pending skms_audit_journal_lag_seconds \
    skms_open_connections skms_replica_lag_seconds skms_replica_max_staleness_seconds \
    skms_database_up; do
	has "^$m\$" "$tmp/dash.used" "dashboard shows"
done
for m in skms_replica_lag_seconds skms_replica_max_staleness_seconds skms_database_up; do
	has "^$m\$" "$tmp/rules.used" "alert rules use"
done

echo "monitoring: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
if [ $cluster = no ]; then
	echo "SKIP: PostgreSQL not installed: the cluster metrics are not checked"
	exit 77
fi
exit 0
