-- Every start seals disability notes left in clear by versions before 0010
-- (`seal_legacy_notes`); without this index that check read the whole children table inside a
-- write transaction (1.4 s at a million children, holding up every writer).
CREATE INDEX children_legacy_note ON children (id) WHERE disability_note IS NOT NULL;
