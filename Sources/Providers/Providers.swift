// Providers: implementation arrives with its issue.
