-- Acknowledge a shard's stored entries and trim its stream up to the oldest entry still pending
-- (XTRIM MINID), or when none is, up to the last entry the group was given: what is left is the
-- shard's backlog (pending or never read). One call per shard, instead of an XDEL per entry.
-- KEYS: the shard's stream; ARGV: group, entry ids...
if #ARGV > 1 then
    redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
end
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
local minid = nil
if pending[1] > 0 then
    minid = pending[2]
else
    for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
        local field = {}
        for i = 1, #group, 2 do
            field[group[i]] = group[i + 1]
        end
        if field['name'] == ARGV[1] then
            local ms, seq = string.match(field['last-delivered-id'], '^(%d+)-(%d+)$')
            minid = ms .. '-' .. (tonumber(seq) + 1)
        end
    end
end
if minid then
    redis.call('XTRIM', KEYS[1], 'MINID', minid)
end
return 1
