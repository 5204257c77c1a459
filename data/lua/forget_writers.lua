-- Forget writers of one shard's group that hold nothing there: consumers with no pending entry that
-- have read nothing for at least ARGV[2] ms (only those named in ARGV[3..], when any are). Checked and
-- deleted in one step, so a consumer that takes entries in between is never deleted with them (XGROUP
-- DELCONSUMER drops a consumer's pending entries for good). Their heartbeats are the caller's.
-- KEYS: the shard's stream; ARGV: group, min idle ms, names...
local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if consumers.err then
    return {}  -- no stream or no group: no writer to forget
end
local min_idle = tonumber(ARGV[2])
local only = {}
for i = 3, #ARGV do
    only[ARGV[i]] = true
end
local forgotten = {}
for _, consumer in ipairs(consumers) do
    local field = {}
    for i = 1, #consumer, 2 do
        field[consumer[i]] = consumer[i + 1]
    end
    if field['pending'] == 0 and field['idle'] >= min_idle and (#ARGV < 3 or only[field['name']]) then
        redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], field['name'])
        table.insert(forgotten, field['name'])
    end
end
return forgotten
