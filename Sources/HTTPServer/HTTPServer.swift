// HTTPServer: implementation arrives with its issue.
