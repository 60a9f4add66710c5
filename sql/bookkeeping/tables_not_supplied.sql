-- Optional tables the rules could not use (absent, empty or every row set aside), as the rules
-- stage saw them (sql/timeline/extract_tables.sql): the manifest and dashboard list the rules
-- that needed them.
select table_name, status from timeline.extract_tables where status <> 'supplied' order by table_name
