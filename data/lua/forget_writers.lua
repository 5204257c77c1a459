-- Forget writers of one shard's group that hold nothing there: consumers with no pending entry that
-- have read nothing for at least ARGV[2] ms: only those named after ARGV[3] = 'only', or all but those named
-- after ARGV[3] = 'keep' (live writers, idle only in shards with nothing new). Checked and
-- deleted in one step, so a consumer that takes entries in between is never deleted with them (XGROUP
-- DELCONSUMER drops a consumer's pending entries for good). Their heartbeats are the caller's.
-- KEYS: the shard's stream; ARGV: group, min idle ms, 'only' | 'keep', names...
local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if consumers.err then
    return {}  -- no stream or no group: no writer to forget
end
local min_idle = tonumber(ARGV[2])
local named = {}
for i = 4, #ARGV do
    named[ARGV[i]] = true
end
local only = ARGV[3] == 'only'
local forgotten = {}
for _, consumer in ipairs(consumers) do
    local field = {}
    for i = 1, #consumer, 2 do
        field[consumer[i]] = consumer[i + 1]
    end
    if field['pending'] == 0 and field['idle'] >= min_idle and ((only and named[field['name']]) or (not only and not named[field['name']])) then
        redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], field['name'])
        table.insert(forgotten, field['name'])
    end
end
return forgotten
