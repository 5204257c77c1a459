-- Take people off one shard's map: their latest position, status and GEO member, and move the shard's
-- version so every board built before is read again. KEYS: latest, status, GEO, version (one shard's).
-- ARGV: employee ids.
redis.call('HDEL', KEYS[1], unpack(ARGV))
redis.call('HDEL', KEYS[2], unpack(ARGV))
redis.call('ZREM', KEYS[3], unpack(ARGV))
return redis.call('INCR', KEYS[4])
