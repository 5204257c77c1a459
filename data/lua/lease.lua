-- A shard's lease, kept by its owner: renew (compare-and-extend) or release (compare-and-delete).
-- KEYS: the lease key; ARGV: owner, "renew" ttl ms | "release".
-- Returns 1 when the caller held the lease (and now has it extended, or released), 0 when another
-- writer holds it or it has expired: then the caller no longer owns the shard.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
    return 0
end
if ARGV[2] == 'release' then
    redis.call('DEL', KEYS[1])
else
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 1
