// Webhooks: implementation arrives with its issue.
