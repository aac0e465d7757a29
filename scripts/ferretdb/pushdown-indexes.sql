-- GIN companions for FerretDB's indexes, so that its query pushdown can use an index.
--
-- FerretDB v1 (PostgreSQL backend) stores a collection as a table of one `_jsonb` column and sends
-- a top-level equality such as `{deviceId: "d1"}` to PostgreSQL as
--   _jsonb -> 'deviceId' @> '"d1"'
-- (internal/backends/postgresql/query.go, filterEqual). The indexes it creates for a collection
-- are btree indexes on `(_jsonb -> 'deviceId')`, which serve `=` and ranges but not `@>`, so every
-- query was a sequential scan of the whole table, detoasting each document on the way: a page of
-- one device's signals read every signal of every device. A GIN index (jsonb_path_ops) on the same
-- expression serves `@>`; PostgreSQL combines several with a BitmapAnd.
--
-- Applied by scripts/stack.sh at every `up` (idempotent) to the `ferretdb` database: an event
-- trigger gives each btree index FerretDB creates from now on a GIN companion per key that is a
-- plain top-level field, and existing indexes get theirs now. Dropping a collection drops its
-- companions with the table. A failure here only warns: it must never fail FerretDB's own DDL.
-- MongoDB needs none of this: it answers equality from its own indexes.

CREATE OR REPLACE FUNCTION xray_gin_companions_for(index_oid oid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  table_oid oid;
  schema_name text;
  table_name text;
  key_count integer;
  key_expression text;
  field text;
  companion text;
  created integer := 0;
BEGIN
  SELECT i.indrelid, n.nspname, t.relname, i.indnkeyatts
    INTO table_oid, schema_name, table_name, key_count
    FROM pg_index i
    JOIN pg_class ix ON ix.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ix.relam
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE i.indexrelid = index_oid
     AND am.amname = 'btree'
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
     AND t.relname NOT LIKE '\_ferretdb\_%'
     AND EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = i.indrelid AND a.attname = '_jsonb' AND NOT a.attisdropped);
  IF table_oid IS NULL THEN
    RETURN 0;
  END IF;
  FOR key_position IN 1..key_count LOOP
    key_expression := pg_get_indexdef(index_oid, key_position, true);
    -- Only `_jsonb -> 'field'`: dotted paths (`#>`) are not pushed down as `->` equality.
    field := substring(key_expression FROM '^\(?_jsonb -> ''([^'']+)''::text\)?$');
    CONTINUE WHEN field IS NULL;
    companion := left(table_name, 40) || '_' || left(md5(field), 10) || '_gin';
    IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = schema_name AND c.relname = companion) THEN
      EXECUTE format('CREATE INDEX %I ON %I.%I USING gin ((_jsonb -> %L) jsonb_path_ops)',
                     companion, schema_name, table_name, field);
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

CREATE OR REPLACE FUNCTION xray_gin_companions_on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  command record;
BEGIN
  FOR command IN SELECT objid FROM pg_event_trigger_ddl_commands()
                  WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    BEGIN
      PERFORM xray_gin_companions_for(command.objid);
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'GIN companion for index % not created: %', command.objid, SQLERRM;
    END;
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS xray_gin_companions;
CREATE EVENT TRIGGER xray_gin_companions ON ddl_command_end
  WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION xray_gin_companions_on_create_index();

-- The planner does not see what `_jsonb -> 'field'` costs on a document stored out of line (a
-- signal with its track): it must fetch and decompress the whole document, so a sequential scan
-- it prices as cheap is ~100x slower than the GIN index (21 ms against 0.25 ms for one `_id` among
-- 2,000 signals), and a table just filled, before autovacuum has analyzed it, is planned that
-- way. Sequential scans stay possible: only where an index applies is it preferred. Takes effect
-- for connections opened afterwards (stack.sh applies this before it starts FerretDB).
ALTER DATABASE ferretdb SET enable_seqscan = off;

-- Indexes created before the trigger existed.
SELECT coalesce(sum(xray_gin_companions_for(i.indexrelid)), 0) AS gin_companions_created
  FROM pg_index i
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');
