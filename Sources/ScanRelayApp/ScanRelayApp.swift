// ScanRelayApp: implementation arrives with its issue.
