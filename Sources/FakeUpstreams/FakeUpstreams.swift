// FakeUpstreams: implementation arrives with its issue.
