-- wrk script for scripts/bench.sh: a flood of sign-ins as the hydrated page sends them
-- (POST /api/sign_in, a url-encoded form, no `Accept: text/html`, so a refusal is a 4xx
-- status and not a redirect). BENCH_SIGN_IN_BODY is the url-encoded form
-- (`email=...&password=...`). A sign-in counts as successful when the answer is 200 with the
-- page to go to (a JSON string such as "/"), which comes with the new session cookie; a
-- refusal is 422 (wrong password) or 429 (throttled). done() prints the counts and the rate
-- for the script to read.

wrk.method = "POST"
wrk.body = os.getenv("BENCH_SIGN_IN_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  signed_in = 0
  refused = 0
end

function response(status, headers, body)
  if status == 200 and body:sub(1, 2) == '"/' then
    signed_in = signed_in + 1
  else
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local ok, no = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("signed_in")
    no = no + thread:get("refused")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("signed_in %d\nrefused %d\nsigned_in_per_s %.1f\n", ok, no, ok / seconds))
end
