-- Publish a batch of fixes in one round trip: one request's, or (the ingest server's micro-batching) the
-- fixes of every request that arrived while the previous call was in flight, of many employees and sources.
-- KEYS: latest hash, GEO set, stream, version counter.
-- ARGV[1]: the stream's backlog limit (entries the writer has not stored yet);
-- then groups of 7: source, employee id, ts (ms), compact value "[ts,...]", lon, lat, attributes JSON or "".
-- Over the limit nothing is written and -1 comes back, so ingest can answer 503 and the device
-- retries later: the stream stays bounded without dropping anything it accepted.
-- Every fix goes to the stream (for the writer). Only a fix newer than the stored one replaces
-- the latest position, so late, buffered fixes never move anyone backwards; the stored value
-- gets the feed version of the change appended, so a map can ask for what changed since.
if redis.call('XLEN', KEYS[3]) >= tonumber(ARGV[1]) then
    return -1
end
local version = nil
local newer = 0
for i = 2, #ARGV, 7 do
    local source, id, ts, value, attributes = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 6]
    if attributes == '' then
        redis.call('XADD', KEYS[3], '*', 'e', id, 'p', value, 's', source)
    else
        redis.call('XADD', KEYS[3], '*', 'e', id, 'p', value, 's', source, 'a', attributes)
    end
    local current = redis.call('HGET', KEYS[1], id)
    if (not current) or tonumber(string.match(current, '^%[(%d+)')) < ts then
        version = version or redis.call('INCR', KEYS[4])
        redis.call('HSET', KEYS[1], id, string.sub(value, 1, -2) .. ',' .. version .. ']')
        redis.call('GEOADD', KEYS[2], ARGV[i + 4], ARGV[i + 5], id)
        newer = newer + 1
    end
end
return newer
