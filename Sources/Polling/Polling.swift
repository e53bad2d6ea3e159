// Polling: implementation arrives with its issue.
