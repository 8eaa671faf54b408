-- The extension's schema as comparable text: every object of the extension and what
-- defines it (columns by name, constraints, indexes, functions with their settings and
-- privileges). test/upgrade/run diffs it between an upgraded and a freshly installed database.
\pset format unaligned
\pset tuples_only on
WITH members AS (
    SELECT d.classid, d.objid
    FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension x ON x.oid = d.refobjid
    WHERE x.extname = 'ticketmonster' AND d.deptype = 'e'
), rels AS (
    SELECT c.oid, c.relname, c.relkind FROM pg_catalog.pg_class c
    JOIN members m ON m.classid = 'pg_catalog.pg_class'::regclass AND m.objid = c.oid
)
SELECT line FROM (
    SELECT format('relation %s kind %s owner %s acl %s', r.relname, r.relkind,
                  pg_catalog.pg_get_userbyid(c.relowner), c.relacl) AS line
    FROM rels r JOIN pg_catalog.pg_class c ON c.oid = r.oid
    UNION ALL
    SELECT format('column %s.%s %s%s%s%s', r.relname, a.attname,
                  pg_catalog.format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN ' not null' END,
                  ' default ' || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
                  CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text END)
    FROM rels r JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('constraint %s.%s %s', r.relname, co.conname, pg_catalog.pg_get_constraintdef(co.oid))
    FROM rels r JOIN pg_catalog.pg_constraint co ON co.conrelid = r.oid
    UNION ALL
    SELECT format('index %s', pg_catalog.pg_get_indexdef(i.indexrelid))
    FROM rels r JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT format('trigger %s', pg_catalog.pg_get_triggerdef(t.oid))
    FROM rels r JOIN pg_catalog.pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT format('function %s owner %s acl %s %s', p.oid::pg_catalog.regprocedure,
                  pg_catalog.pg_get_userbyid(p.proowner), p.proacl,
                  pg_catalog.pg_get_functiondef(p.oid))
    FROM pg_catalog.pg_proc p
    JOIN members m ON m.classid = 'pg_catalog.pg_proc'::regclass AND m.objid = p.oid
    UNION ALL
    SELECT format('type %s', t.oid::pg_catalog.regtype) FROM pg_catalog.pg_type t
    JOIN members m ON m.classid = 'pg_catalog.pg_type'::regclass AND m.objid = t.oid
    UNION ALL
    SELECT format('member %s', pg_catalog.pg_describe_object(m.classid, m.objid, 0))
    FROM members m
    UNION ALL
    SELECT format('schema acl %s', n.nspacl) FROM pg_catalog.pg_namespace n
    JOIN pg_catalog.pg_extension x ON x.extnamespace = n.oid WHERE x.extname = 'ticketmonster'
) lines
ORDER BY line;
