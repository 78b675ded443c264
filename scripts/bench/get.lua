-- wrk script: plain GETs, and the RESULT line.
dofile("scripts/bench/result.lua")
