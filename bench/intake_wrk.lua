-- The wrk script of bench/intake_load.py (--driver wrk): POST case bodies, each request with its
-- own Idempotency-Key, and report the answers by status with the latency percentiles.
--
-- From the environment (the script sets them):
--   BENCH_BODIES      a file of request bodies, one JSON document a line
--   BENCH_TOKEN       the API token (Authorization: Bearer ...); empty for none
--   BENCH_KEY_PREFIX  the run's prefix of the Idempotency-Keys: the script finds the cases this
--                     run registered by it (the intake key is stored as user:<id>:<key>)
-- done() prints one line "BENCH_RESULT {...}" (JSON) for the script to read.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    bodies[#bodies + 1] = line
  end
  statuses = {}
  sent = 0
  prefix = os.getenv("BENCH_KEY_PREFIX") .. "-" .. id .. "-"
  -- wrk.format takes these instead of wrk.headers (it does not merge them): all of them here.
  headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  local token = os.getenv("BENCH_TOKEN") or ""
  if token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  sent = sent + 1
  headers["Idempotency-Key"] = prefix .. sent
  -- Threads start at different places in the bodies, so they do not send the same ones in step.
  local body = bodies[(sent + id * 7919) % #bodies + 1]
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
