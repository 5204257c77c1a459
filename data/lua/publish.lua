-- Publish a batch of fixes in one round trip.
-- KEYS: latest hash, GEO set, stream, version counter.
-- ARGV[1]: source; then groups of 5: employee id, ts (ms), compact value "[ts,...]", lon, lat.
-- Every fix goes to the stream (for the writer). Only a fix newer than the stored one replaces
-- the latest position, so late, buffered fixes never move anyone backwards; the stored value
-- gets the feed version of the change appended, so a map can ask for what changed since.
local version = nil
local newer = 0
for i = 2, #ARGV, 5 do
    local id, ts, value = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
    redis.call('XADD', KEYS[3], '*', 'e', id, 'p', value, 's', ARGV[1])
    local current = redis.call('HGET', KEYS[1], id)
    if (not current) or tonumber(string.match(current, '^%[(%d+)')) < ts then
        version = version or redis.call('INCR', KEYS[4])
        redis.call('HSET', KEYS[1], id, string.sub(value, 1, -2) .. ',' .. version .. ']')
        redis.call('GEOADD', KEYS[2], ARGV[i + 3], ARGV[i + 4], id)
        newer = newer + 1
    end
end
return newer
