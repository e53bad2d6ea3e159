// ScanCore: implementation arrives with its issue.
