// StateJournal: implementation arrives with its issue.
