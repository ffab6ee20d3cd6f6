-- wrk script: one JSON line with what the bench needs, printed when the run is done.
local errors = 0

response = function(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "non_200": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    errors, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  ))
end
