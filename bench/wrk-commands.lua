-- wrk script for bench/hub.ts: every request is a new report with its own command and event id.
-- The token comes from the environment (HUB_TOKEN); ids carry the thread number so threads never collide.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
end

request = function()
  counter = counter + 1
  local id = string.format("wrk-%d-%d", thread_id, counter)
  local lng = 121.001 + (counter % 100) * 0.001
  local lat = 31.981 + (counter % 70) * 0.001
  local body = string.format(
    '{"type":"report","commandId":"c-%s","eventId":"%s","categoryId":"sanitation","description":"bench","position":{"lng":%.6f,"lat":%.6f},"source":"phone"}',
    id, id, lng, lat)
  return wrk.format("POST", "/api/commands", {
    ["content-type"] = "application/json",
    ["authorization"] = "Bearer " .. os.getenv("HUB_TOKEN"),
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("WRK_RESULT %d %d %.3f %.3f %.3f\n", summary.requests, summary.errors.status,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
