"""Supabase's API roles on the test server, as a Supabase project has them.

Roles are cluster-wide, so they are created once, idempotently, under an advisory lock (parallel test
sessions share the server); a database gets the privileges Supabase grants them by default.
"""

import psycopg

_ROLES_LOCK = 7_314_021_117  # arbitrary, constant: serialises role creation between test sessions

_CREATE_ROLES = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
    END IF;
END $$"""

# What a new Supabase project grants in schema public, to what exists and to what is created later.
_SUPABASE_DEFAULT_GRANTS = """
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
"""


def create_supabase_roles(server_url: str) -> None:
    """anon and authenticated (NOLOGIN) and service_role (NOLOGIN BYPASSRLS), unless they exist."""
    with psycopg.connect(server_url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_ROLES_LOCK,))
        conn.execute(_CREATE_ROLES)


def grant_like_supabase(database_url: str) -> None:
    """Supabase's default grants to its API roles in schema public of this database."""
    with psycopg.connect(database_url) as conn:
        conn.execute(_SUPABASE_DEFAULT_GRANTS)
