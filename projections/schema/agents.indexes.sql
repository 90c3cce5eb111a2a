CREATE INDEX IF NOT EXISTS agent_work_agent ON agent_work (agent_id, channel);
