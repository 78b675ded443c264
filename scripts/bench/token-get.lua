-- wrk script: GETs with the bearer token from $TOKEN, and the RESULT line.
dofile("scripts/bench/result.lua")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
