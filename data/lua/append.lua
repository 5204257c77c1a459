-- Append a publish call's fixes to the writer's stream, or (over the backlog limit) nothing.
-- KEYS: the stream. ARGV[1]: the stream's backlog limit (entries the writer has not stored yet);
-- then groups of 4: source, employee id, compact value "[ts,...]", attributes JSON or "".
-- Over the limit nothing is written and -1 comes back, so ingest can answer 503 and the device
-- retries later: the stream stays bounded without dropping anything it accepted.
-- The stream is one key of its own (a Redis Cluster slot of its own), so it is written before the
-- shards' latest positions (publish.lua): a fix on the map is always on its way to PostgreSQL.
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then
    return -1
end
for i = 2, #ARGV, 4 do
    if ARGV[i + 3] == '' then
        redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 1], 'p', ARGV[i + 2], 's', ARGV[i])
    else
        redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 1], 'p', ARGV[i + 2], 's', ARGV[i], 'a', ARGV[i + 3])
    end
end
return (#ARGV - 1) / 4
