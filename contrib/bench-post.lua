-- SPDX-License-Identifier: ISC
-- wrk script for contrib/bench-server: every request is a POST with an
-- empty body (Content-Length: 0), as deployed clients send, carrying the
-- bearer token from the environment (BENCH_TOKEN; none when unset, for
-- the static comparison). It must not print or store the token.
wrk.method = "POST"
wrk.body = ""
local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
	wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f " ..
	    "errors=%d non2xx=%d\n", summary.requests, summary.duration / 1e6,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    e.connect + e.read + e.write + e.timeout, e.status))
end
