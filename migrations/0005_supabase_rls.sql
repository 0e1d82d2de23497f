-- Row-level security for Supabase, whose API (PostgREST) exposes schema public to the `anon` key and
-- to signed-in users (`authenticated`). Runs as it is in Supabase's SQL editor and on plain PostgreSQL,
-- where those roles may not exist: statements naming them only run when the role exists. Running it
-- again changes nothing.
--
-- Afterwards:
--   anon           nothing: no policy admits it and its privileges are revoked.
--   authenticated  SELECT on the read models: gfx_sessions, the views gfx_sessions_latest and pc_status,
--                  and the tables pc_status reads (sync_events, gfx_rejected_files). Nothing else.
--   service_role   what it is granted: it has BYPASSRLS (the REST sink's service key).
--   table owner    everything: RLS is enabled, not forced, so the owner (and `gfx-assets migrate`) bypass it.
--   other roles    what their GRANTs allow: the policy gfx_non_api_roles admits every role that is not
--                  anon or authenticated (nor a member of either), so a runtime role with DML rights
--                  alone syncs without BYPASSRLS.
-- A later migration that adds a table does the same for it: ENABLE ROW LEVEL SECURITY, the policy
-- gfx_non_api_roles, REVOKE ALL from anon (and from authenticated unless it is a read model), and
-- security_invoker on views.

ALTER TABLE gfx_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE gfx_file_manifest ENABLE ROW LEVEL SECURITY;
ALTER TABLE gfx_rejected_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE gfx_sync_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_events ENABLE ROW LEVEL SECURITY;
-- The runner's ledger; absent when the files are run by hand in the SQL editor.
ALTER TABLE IF EXISTS gfx_schema_migrations ENABLE ROW LEVEL SECURITY;

-- Views check privileges and policies as the caller, not as their owner (PostgreSQL 15+).
ALTER VIEW gfx_sessions_latest SET (security_invoker = true);
ALTER VIEW pc_status SET (security_invoker = true);

DO $$
DECLARE
    protected regclass;
BEGIN
    FOR protected IN
        SELECT to_regclass(name)
        FROM unnest(ARRAY['gfx_sessions', 'gfx_file_manifest', 'gfx_rejected_files', 'gfx_sync_failures',
                          'sync_events', 'gfx_schema_migrations']) AS name
        WHERE to_regclass(name) IS NOT NULL
    LOOP
        EXECUTE format('DROP POLICY IF EXISTS gfx_non_api_roles ON %s', protected);
        EXECUTE format(
            'CREATE POLICY gfx_non_api_roles ON %s FOR ALL TO PUBLIC USING (%s) WITH CHECK (%2$s)',
            protected,
            'NOT EXISTS (SELECT 1 FROM pg_roles api WHERE api.rolname IN (''anon'', ''authenticated'')'
                ' AND pg_has_role(current_user, api.oid, ''MEMBER''))'
        );
    END LOOP;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        REVOKE ALL ON gfx_sessions, gfx_file_manifest, gfx_rejected_files, gfx_sync_failures, sync_events,
            gfx_sessions_latest, pc_status FROM anon;
        IF to_regclass('gfx_schema_migrations') IS NOT NULL THEN
            REVOKE ALL ON gfx_schema_migrations FROM anon;
        END IF;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        -- TRUNCATE is not subject to RLS: only SELECT stays granted.
        REVOKE ALL ON gfx_sessions, gfx_file_manifest, gfx_rejected_files, gfx_sync_failures, sync_events,
            gfx_sessions_latest, pc_status FROM authenticated;
        IF to_regclass('gfx_schema_migrations') IS NOT NULL THEN
            REVOKE ALL ON gfx_schema_migrations FROM authenticated;
        END IF;
        GRANT SELECT ON gfx_sessions, sync_events, gfx_rejected_files, gfx_sessions_latest, pc_status
            TO authenticated;
        DROP POLICY IF EXISTS gfx_authenticated_read ON gfx_sessions;
        CREATE POLICY gfx_authenticated_read ON gfx_sessions FOR SELECT TO authenticated USING (true);
        DROP POLICY IF EXISTS gfx_authenticated_read ON sync_events;
        CREATE POLICY gfx_authenticated_read ON sync_events FOR SELECT TO authenticated USING (true);
        DROP POLICY IF EXISTS gfx_authenticated_read ON gfx_rejected_files;
        CREATE POLICY gfx_authenticated_read ON gfx_rejected_files FOR SELECT TO authenticated USING (true);
    END IF;
END $$;
