// HTTP2: implementation arrives with its issue.
