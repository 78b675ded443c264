-- wrk script: POSTs the JSON body in $BODY_FILE, with a bearer token when $TOKEN is set,
-- and prints one machine-readable RESULT line.
wrk.method = "POST"
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

dofile("scripts/bench/result.lua")
