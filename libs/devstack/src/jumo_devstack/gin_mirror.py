"""Mirror each btree index FerretDB creates on PostgreSQL as a GIN index FerretDB's filters can use.

FerretDB 1.24 stores a collection as a table with one ``_jsonb`` column, makes each MongoDB
index a btree index on ``(_jsonb -> 'field')``, and pushes an equality filter down as
``_jsonb -> 'field' @> '<value>'``. A btree index cannot answer ``@>``, so every such query
(even by ``_id``) is a sequential scan. A GIN index on the same expressions can (``jsonb_ops``
supports ``@>``). These event triggers, installed in the database FerretDB uses, create that GIN
index in the same transaction as FerretDB's own ``CREATE INDEX``, and drop it with FerretDB's
``DROP INDEX``; a table FerretDB drops takes its indexes with it.

This couples the local store to FerretDB's table layout (the ``_jsonb`` column and its
expressions): ``libs/devstack/tests/test_gin_mirror.py`` fails the day ``explain`` stops showing
the mirror used. A failure inside a trigger is only a warning, so it can never break a FerretDB
command. MongoDB and FerretDB themselves never see these indexes (``listIndexes`` reads
FerretDB's own metadata), and uniqueness stays with FerretDB's btree indexes.
"""

from __future__ import annotations

# The mirror of index <name> is <name, cut to 58 characters>_gin: FerretDB's own names are at
# most 62 characters and end in an 8-hex-digit hash, and PostgreSQL's limit is 63.
GIN_MIRROR_SQL = r"""
CREATE OR REPLACE FUNCTION jumo_gin_name(btree_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(btree_name, 58) || '_gin' $$;

CREATE OR REPLACE FUNCTION jumo_gin_mirror_create() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    cmd record;
    columns text;
BEGIN
    FOR cmd IN
        SELECT c.oid AS index_oid, i.indrelid AS table_oid, c.relname AS index_name,
               i.indnatts AS natts, n.nspname AS schema_name
        FROM pg_event_trigger_ddl_commands() AS d
        JOIN pg_class AS c ON c.oid = d.objid
        JOIN pg_index AS i ON i.indexrelid = c.oid
        JOIN pg_am AS am ON am.oid = c.relam
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE d.object_type = 'index' AND am.amname = 'btree'
          AND (SELECT relname FROM pg_class WHERE oid = i.indrelid) <> '_ferretdb_database_metadata'
    LOOP
        SELECT string_agg(pg_get_indexdef(cmd.index_oid, k, false), ', ' ORDER BY k)
        INTO columns FROM generate_series(1, cmd.natts) AS k;
        -- Only FerretDB's shape: every column an expression on the _jsonb document.
        CONTINUE WHEN columns IS NULL OR columns !~ '^\(+_jsonb -> ';
        BEGIN
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s)',
                           jumo_gin_name(cmd.index_name), cmd.table_oid::regclass, columns);
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'jumo gin mirror of %.% failed: %',
                cmd.schema_name, cmd.index_name, SQLERRM;
        END;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION jumo_gin_mirror_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    obj record;
BEGIN
    -- "original": dropped by name (FerretDB's dropIndexes), not along with its table.
    FOR obj IN
        SELECT schema_name, object_name FROM pg_event_trigger_dropped_objects()
        WHERE object_type = 'index' AND original AND object_name NOT LIKE '%\_gin'
    LOOP
        BEGIN
            EXECUTE format('DROP INDEX IF EXISTS %I.%I',
                           obj.schema_name, jumo_gin_name(obj.object_name));
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'jumo gin mirror drop of %.% failed: %',
                obj.schema_name, obj.object_name, SQLERRM;
        END;
    END LOOP;
END $$;
"""

GIN_MIRROR_TRIGGERS = """
DROP EVENT TRIGGER IF EXISTS jumo_gin_mirror_create;
CREATE EVENT TRIGGER jumo_gin_mirror_create ON ddl_command_end
    WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION jumo_gin_mirror_create();
DROP EVENT TRIGGER IF EXISTS jumo_gin_mirror_drop;
CREATE EVENT TRIGGER jumo_gin_mirror_drop ON sql_drop
    WHEN TAG IN ('DROP INDEX') EXECUTE FUNCTION jumo_gin_mirror_drop();
"""
