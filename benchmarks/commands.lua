-- wrk script of benchmarks/commands.py (a POST body per request). Configured by environment:
--   BENCH_MODE        create | assign | mixed
--   BENCH_TOKEN       a bureau's bearer token
--   BENCH_ENTERPRISES enterprise ids, comma-separated (creates cycle through them)
--   BENCH_IDS         file of hazard ids, one a line (assign: each request a different one;
--                     mixed: the hazards read)
--   BENCH_THREADS     wrk's -t (each thread takes every BENCH_THREADS-th id)
--   BENCH_DEADLINE    the deadline sent with assign (YYYY-MM-DD)
--   BENCH_OUT         done() writes its summary there as one JSON object
--   BENCH_NEW_IDS     done() appends the ids of the hazards created (201) there
-- Mixed: of every 10 requests 3 create, 2 read a ledger page (page_size=20), 5 read one hazard.

local mode = os.getenv("BENCH_MODE")
local threads = {}
local next_tid = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

local function split(text, sep)
   local out = {}
   for item in string.gmatch(text or "", "[^" .. sep .. "]+") do out[#out + 1] = item end
   return out
end

local function read_ids(path, tid, nthreads)
   local out, i = {}, 0
   local file = path and io.open(path, "r")
   if not file then return out end
   for line in file:lines() do
      if line ~= "" then
         if i % nthreads == tid then out[#out + 1] = line end
         i = i + 1
      end
   end
   file:close()
   return out
end

function init(args)
   statuses, created, repeats, sent, pos = {}, {}, 0, 0, 0
   enterprises = split(os.getenv("BENCH_ENTERPRISES"), ",")
   ids = read_ids(os.getenv("BENCH_IDS"), tid, tonumber(os.getenv("BENCH_THREADS") or "1"))
   if #ids == 0 then ids = read_ids(os.getenv("BENCH_IDS"), 0, 1) end  -- fewer ids than threads
   headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
              ["Content-Type"] = "application/json"}
   deadline = os.getenv("BENCH_DEADLINE") or "2099-12-31"
end

local function create()
   local enterprise = enterprises[(sent % #enterprises) + 1]
   local body = '{"enterprise_id":"' .. enterprise .. '","source":"self_check",' ..
      '"category":"unsafe_condition","level":"general","description":"配电箱未接地 ' ..
      tid .. "-" .. sent .. '","location":"二号车间"}'
   return wrk.format("POST", "/api/v1/hazards", headers, body)
end

local function next_id()
   pos = pos + 1
   if pos > #ids then repeats = repeats + 1 end  -- more requests than hazards: counted, reported
   return ids[((pos - 1) % #ids) + 1]
end

local function assign()
   local body = '{"responsible_person":"王五","responsible_phone":"13800000000","deadline":"' ..
      deadline .. '"}'
   return wrk.format("POST", "/api/v1/hazards/" .. next_id() .. "/assign", headers, body)
end

local function mixed()
   local k = sent % 10
   if k < 3 then return create() end
   if k < 5 then return wrk.format("GET", "/api/v1/ledger?page_size=20", headers) end
   return wrk.format("GET", "/api/v1/hazards/" .. ids[(sent % #ids) + 1], headers)
end

function request()
   sent = sent + 1
   if mode == "assign" then return assign() end
   if mode == "mixed" then return mixed() end
   return create()
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status == 201 and mode == "create" then
      local id = string.match(body, '"id"%s*:%s*"([^"]+)"')
      if id then created[#created + 1] = id end
   end
end

local function gather()
   local all_statuses, all_created, all_repeats = {}, {}, 0
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses") or {}) do
         all_statuses[status] = (all_statuses[status] or 0) + n
      end
      for _, id in ipairs(thread:get("created") or {}) do all_created[#all_created + 1] = id end
      all_repeats = all_repeats + (thread:get("repeats") or 0)
   end
   return all_statuses, all_created, all_repeats
end

function done(summary, latency, requests)
   local statuses, created, repeats = gather()
   local parts = {}
   for status, n in pairs(statuses) do parts[#parts + 1] = string.format('"%d":%d', status, n) end
   local e = summary.errors
   local out = io.open(os.getenv("BENCH_OUT"), "w")
   out:write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
      '"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
      '"statuses":{%s},"created":%d,"repeats":%d}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
      e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean, table.concat(parts, ","), #created, repeats))
   out:close()
   if #created > 0 then
      local file = io.open(os.getenv("BENCH_NEW_IDS"), "a")
      for _, id in ipairs(created) do file:write(id, "\n") end
      file:close()
   end
end
