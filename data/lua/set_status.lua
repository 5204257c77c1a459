-- Store a status object with the shard's version of the change added as "v".
-- KEYS: the person's shard's status hash and version counter. ARGV: employee id, JSON object (non-empty, "{...}").
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], string.sub(ARGV[2], 1, -2) .. ',"v":' .. version .. '}')
return version
