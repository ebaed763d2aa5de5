-- A search by case number (issue 21, item 5): "FFCD-000013", "ffcd000013", "000013" and "13"
-- look up the digits after the dash (`search_index::case_digits`), an index seek rather than a
-- scan of a million children. The expression must stay exactly as the query writes it.
CREATE INDEX children_case_digits ON children (substr(case_number, instr(case_number, '-') + 1));
-- Name search keys made by an older krousar-match are made again at the next start
-- (`search_keys.rs`): forget any version recorded, so this database's keys are rebuilt.
DELETE FROM settings WHERE key = 'search_keys_version';
