-- Forget writers of the group that hold nothing: consumers with no pending entry that have read
-- nothing for at least ARGV[2] ms (only those named in ARGV[3..], when any are); returns their names
-- (feed.forget_writers then drops their heartbeats: another key, in a Redis Cluster another slot).
-- Checked and deleted in one step, so a consumer that takes entries in between is never
-- deleted with them (XGROUP DELCONSUMER drops a consumer's pending entries for good).
-- KEYS: stream; ARGV: group, min idle ms, names...
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
