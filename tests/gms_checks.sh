# SPDX-License-Identifier: ISC
# Shared by the tests of the group management service (sourced after
# tests/checks.sh): starting skgmsd on free loopback ports, and calling
# its /gm/v1 interface with curl as a member.
SKGMSD=${SKGMSD:-$top_builddir/src/skgmsd/skgmsd}
SKGMSCTL=${SKGMSCTL:-$top_builddir/src/skgmsctl/skgmsctl}
gpid=
cleanup_extra() { [ -n "$gpid" ] && kill -9 "$gpid" 2>/dev/null; }

# start_skgmsd CONF WRITE [ARGS...]: starts $SKGMSD -c CONF in the
# background, its log in $tmp/glog. Each try sets gport (HTTPS) and
# gmport (metrics, gport + 1) on free loopback ports, away from skmsd's
# port and mport, runs WRITE ARGS to write CONF for them, and starts
# skgmsd; a port in use moves on to the next try. Sets gpid (killed at
# exit); prints the log and exits 1 when skgmsd does not start.
start_skgmsd() {
	sg_conf=$1
	sg_write=$2
	shift 2
	sg_tries=0
	while [ $sg_tries -lt 20 ]; do
		sg_tries=$((sg_tries + 1))
		gport=$(( ($$ * 11 + sg_tries * 173 + $(date +%S | sed "s/^0//")) % 20000 + 10000 ))
		gmport=$((gport + 1))
		if [ -n "${port:-}" ] && [ "$gport" -ge $((port - 1)) ] &&
		    [ "$gport" -le $((port + 1)) ]; then
			continue
		fi
		"$sg_write" "$@"
		: >"$tmp/glog"
		"$SKGMSD" -c "$sg_conf" >>"$tmp/glog" 2>&1 &
		gpid=$!
		wait_serving "$gpid" "$tmp/glog" && return 0
		kill -9 "$gpid" 2>/dev/null
		wait "$gpid" 2>/dev/null
		gpid=
		grep -q "in use" "$tmp/glog" || break
	done
	cat "$tmp/glog"
	echo "FAIL: skgmsd did not start"
	exit 1
}

# gms_url PATH: the service's URL for PATH under /gm/v1/members/.
gms_url() {
	echo "https://127.0.0.1:$gport/gm/v1/members/$1"
}

# gms_call METHOD TOKEN-FILE PATH [BODY-FILE]: one request to skgmsd as a
# member (TOKEN-FILE empty: no token); the body in $tmp/gbody, the status
# printed. Uses $tmp/server.pem as the CA.
gms_call() {
	gc_method=$1
	gc_auth=
	[ -n "$2" ] && gc_auth="Authorization: Bearer $(cat "$2")"
	if [ $# -ge 4 ]; then
		curl -sS --max-time 90 --cacert "$tmp/server.pem" -X "$gc_method" \
		    ${gc_auth:+-H "$gc_auth"} -H "Content-Type: application/xml" \
		    --data-binary "@$4" -o "$tmp/gbody" -w '%{http_code}' "$(gms_url "$3")"
	else
		curl -sS --max-time 90 --cacert "$tmp/server.pem" -X "$gc_method" \
		    ${gc_auth:+-H "$gc_auth"} -o "$tmp/gbody" -w '%{http_code}' \
		    "$(gms_url "$3")"
	fi
}

# gms_request IN OUT N: the N-th (from 1) NotifyGroupConfigurationRequest
# element of the Notifications document IN, as a document of its own.
gms_request() {
	awk -v want="$3" '
	    /<NotifyGroupConfigurationRequest/ { n++; on = (n == want) }
	    on { print }
	    /<\/NotifyGroupConfigurationRequest>/ { on = 0 }' "$1" >"$2"
	[ -s "$2" ]
}

# gms_ids FILE [KIND]: the delivery IDs in a Notifications document, one a line.
gms_ids() {
	sed -n "s/.*<Notification id=\"\\([^\"]*\\)\" kind=\"${2:-[a-z]*}\".*/\\1/p" "$1"
}

# gms_response GROUP RESULT [REASON]: a response document on stdout.
gms_response() {
	printf '<NotifyGroupConfigurationResponse xmlns="urn:skms:seal:gm:1">'
	printf '<ValGroupId>%s</ValGroupId><Result>%s</Result>' "$1" "$2"
	[ $# -ge 3 ] && printf '<Reason>%s</Reason>' "$3"
	printf '</NotifyGroupConfigurationResponse>\n'
}
