-- SPDX-License-Identifier: ISC
-- wrk script for the rollover storm of contrib/bench-server: each thread
-- takes every T-th token of the file BENCH_TOKENS (one per line), POSTs
-- one key-set request per token with an empty body, and stops once it has
-- as many responses as tokens; so each identity asks once. wrk itself
-- runs for its whole -d, so the storm's own span (first request to last
-- response, CLOCK_MONOTONIC through the LuaJIT FFI) is what done() reports.
-- Must not print the tokens.
local ffi = require("ffi")
ffi.cdef[[
struct bench_timespec { long tv_sec; long tv_nsec; };
int clock_gettime(int clk, struct bench_timespec *ts);
]]
local ts = ffi.new("struct bench_timespec")
local function now_s()
	ffi.C.clock_gettime(1, ts)
	return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end
local threads = {}
local nthreads = 0

function setup(thread)
	thread:set("id", nthreads)
	table.insert(threads, thread)
	nthreads = nthreads + 1
end

local mine = {}
local sent = 0
local got = 0
local close = os.getenv("BENCH_CLOSE") == "1"
-- globals, so that done() can read them with thread:get()
first_s = 0
last_s = 0
answered = 0

function init(args)
	local file = assert(io.open(os.getenv("BENCH_TOKENS"), "r"))
	local i = 0
	local t = tonumber(os.getenv("BENCH_THREADS") or "1")
	for line in file:lines() do
		if line ~= "" then
			if i % t == id then
				table.insert(mine, line)
			end
			i = i + 1
		end
	end
	file:close()
end

function request()
	-- past the end (requests still in flight), repeat from the start
	if sent == 0 then
		first_s = now_s()
	end
	local tok = mine[(sent % #mine) + 1]
	sent = sent + 1
	local h = { ["Authorization"] = "Bearer " .. tok }
	-- BENCH_CLOSE=1: a new TLS connection per request, as devices at a rollover
	if close then
		h["Connection"] = "close"
	end
	return wrk.format("POST", nil, h, "")
end

function response(status, headers, body)
	got = got + 1
	if got == #mine then
		last_s = now_s()
		answered = got
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	local t0, t1, n = nil, 0, 0
	for _, t in ipairs(threads) do
		local f, l = t:get("first_s"), t:get("last_s")
		if f > 0 and (t0 == nil or f < t0) then t0 = f end
		if l > t1 then t1 = l end
		n = n + t:get("answered")
		-- a thread that never finished its share: the storm took the whole run
		if l == 0 then t1 = math.huge end
	end
	local span = (t0 ~= nil and t1 ~= math.huge) and (t1 - t0) or summary.duration / 1e6
	io.write(string.format("BENCH requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f " ..
	    "errors=%d non2xx=%d\n", summary.requests, span,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    e.connect + e.read + e.write + e.timeout, e.status))
end
