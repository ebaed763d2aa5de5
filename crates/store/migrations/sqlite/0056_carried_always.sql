-- PostgreSQL's triggers of migrations 0054 and 0055 are made to fire during bulk loads too
-- (`session_replication_role = replica`); SQLite's always fire. Nothing to change here.
SELECT 1;
