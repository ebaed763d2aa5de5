-- Facts of a case entry that reports count across cases, in columns of their own (issue 23):
-- indicators matched them in the JSON body with LIKE. Written from the typed record
-- (`CaseEntry::facts`) with every entry from now on; filled here from the bodies once.
ALTER TABLE case_entries ADD COLUMN placement_kind TEXT;
ALTER TABLE case_entries ADD COLUMN tracing_outcome TEXT;
ALTER TABLE case_entries ADD COLUMN service_kind TEXT;
ALTER TABLE case_entries ADD COLUMN service_provider TEXT;

UPDATE case_entries SET placement_kind = json_extract(body, '$.kind') WHERE kind = 'placement';
UPDATE case_entries SET tracing_outcome = json_extract(body, '$.attempt.outcome') WHERE kind = 'tracing_attempt';
UPDATE case_entries SET service_kind = json_extract(body, '$.service'), service_provider = json_extract(body, '$.provider') WHERE kind = 'service';
