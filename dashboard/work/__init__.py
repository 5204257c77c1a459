"""Field work: tasks and their state machine, dispatch, routes, the phone's actions, customers, surveys,
accounts, tokens, zones, ERP import and webhooks."""
