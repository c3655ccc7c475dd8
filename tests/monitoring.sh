#!/bin/sh
# SPDX-License-Identifier: ISC
# The monitoring files in contrib/ against what skmsd exports: the alert
# rules pass promtool's check and their unit tests, the Grafana dashboard
# is valid JSON whose queries parse as PromQL, and every metric name
# either of them uses is one a running skmsd lists on /metrics.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
RULES="$top_srcdir/contrib/prometheus/skms-alerts.yml"
RULES_TEST="$top_srcdir/contrib/prometheus/skms-alerts.test.yml"
DASH="$top_srcdir/contrib/grafana/skms-dashboard.json"

need_tools curl jq promtool "$OPENSSL"
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
# Each family from its TYPE line; a histogram's series add their suffixes.
awk '$1 == "#" && $2 == "TYPE" {
	print $3
	if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" }
}' "$tmp/metrics" | sort -u >"$tmp/exported"
# Every sample belongs to a family with a TYPE line.
awk '$1 !~ /^#/ && NF > 0 { sub(/[{ ].*/, "", $1); print $1 }' "$tmp/metrics" |
    sort -u >"$tmp/sampled"
same "$(comm -23 "$tmp/sampled" "$tmp/exported" | tr '\n' ' ')" "" "every sample has a TYPE"
for m in skms_requests_total skms_request_duration_seconds_bucket \
    skms_audit_unrecorded_total skms_kms_errors_total skms_store_used_bytes \
    skms_store_map_size_bytes skms_root_certificate_expiry_seconds \
    skms_precomputed_period skms_current_period skms_audit_journal_lag_seconds; do
	has "^$m\$" "$tmp/exported" "exported"
done

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
same "$(comm -23 "$tmp/rules.used" "$tmp/exported" | tr '\n' ' ')" "" \
    "alert rules use only exported metrics"
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
same "$(comm -23 "$tmp/dash.used" "$tmp/exported" | tr '\n' ' ')" "" \
    "dashboard uses only exported metrics"
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
    skms_open_connections; do
	has "^$m\$" "$tmp/dash.used" "dashboard shows"
done

echo "monitoring: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
