-- Place one shard's fixes on the map: the newest position per employee, the GEO set, the shard's version.
-- KEYS (one shard's, so one Redis Cluster slot: the shard number is their hash tag):
--   latest hash, GEO set, version counter.
-- ARGV: groups of 5: employee id, ts (ms), compact value "[ts,...]", lon, lat.
-- Only a fix newer than the stored one replaces the latest position, so late, buffered fixes never
-- move anyone backwards; the stored value gets the shard's version of the change appended, so a map
-- can ask for what changed since the versions it has. Returns how many fixes were newest.
local version = nil
local newer = 0
for i = 1, #ARGV, 5 do
    local id, ts, value = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
    local current = redis.call('HGET', KEYS[1], id)
    if (not current) or tonumber(string.match(current, '^%[(%d+)')) < ts then
        version = version or redis.call('INCR', KEYS[3])
        redis.call('HSET', KEYS[1], id, string.sub(value, 1, -2) .. ',' .. version .. ']')
        redis.call('GEOADD', KEYS[2], ARGV[i + 3], ARGV[i + 4], id)
        newer = newer + 1
    end
end
return newer
