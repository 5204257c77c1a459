-- Issue 16: arriving before a task's window opens is on time (data/metrics.on_time_sql). The hourly facts
-- counted such visits late: the hours they started in are marked for the analytics upkeep to recompute.
INSERT INTO analytics_dirty (employee_id, hour)
SELECT DISTINCT a.employee_id, date_trunc('hour', a.started_at)
FROM activities a JOIN tasks t ON t.id = a.task_id
WHERE a.kind = 'visit' AND a.started_at < t.window_start
ON CONFLICT DO NOTHING;
