-- The WSOP+ source schema (the external PostgreSQL that gfx_assets reads with GFX_WSOP_SOURCE_URL).
-- Used by the tests, the benchmark and the demo to build a source database of exactly this shape;
-- the target's copy of these tables is migrations/0006_wsop.sql and 0009_wsop_event_players.sql. Types,
-- defaults and constraints are production's.

CREATE TYPE wsop_event_type AS ENUM (
    'MAIN_EVENT', 'BRACELET_EVENT', 'SIDE_EVENT', 'SATELLITE', 'DEEPSTACK',
    'MYSTERY_BOUNTY', 'HIGH_ROLLER', 'SENIOR', 'LADIES', 'OTHER'
);
CREATE TYPE wsop_event_status AS ENUM (
    'upcoming', 'registration', 'running', 'day_break', 'final_table', 'heads_up', 'completed', 'cancelled'
);
CREATE TYPE wsop_chip_source AS ENUM ('import', 'manual', 'realtime', 'snapshot');

CREATE TABLE wsop_events (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id         text NOT NULL UNIQUE,
    event_name       text NOT NULL,
    event_number     integer,
    event_type       wsop_event_type NOT NULL DEFAULT 'BRACELET_EVENT',
    start_date       date,
    end_date         date,
    start_time       time,
    timezone         text DEFAULT 'America/Los_Angeles',
    buy_in           bigint,
    rake             bigint,
    fee              bigint,
    total_entries    integer DEFAULT 0,
    unique_entries   integer DEFAULT 0,
    reentries_count  integer DEFAULT 0,
    starting_chips   bigint,
    blind_structure  jsonb,
    prize_pool       bigint,
    guaranteed_pool  bigint,
    payouts          jsonb,
    venue            text,
    table_count      integer,
    status           wsop_event_status NOT NULL DEFAULT 'upcoming',
    description      text,
    notes            text,
    tags             text[] DEFAULT '{}',
    source_file      text,
    source_import_id uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wsop_players (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    wsop_player_id    text NOT NULL UNIQUE,
    name              text NOT NULL,
    name_normalized   text,
    nickname          text,
    country_code      varchar(10),
    country_name      varchar(100),
    city              text,
    profile_image_url text,
    wsop_bracelets    integer DEFAULT 0,
    wsop_rings        integer DEFAULT 0,
    wsop_cashes       integer DEFAULT 0,
    lifetime_earnings bigint DEFAULT 0,
    additional_info   jsonb,
    source_file       text,
    source_import_id  uuid,
    first_seen_at     timestamptz,
    last_seen_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wsop_chip_counts (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id          uuid NOT NULL REFERENCES wsop_events (id),
    player_id         uuid NOT NULL REFERENCES wsop_players (id),
    table_num         integer,
    seat_num          integer,
    chip_count        bigint NOT NULL,
    chip_change       bigint,
    rank              integer,
    big_blind_at_time bigint,
    stack_in_bbs      numeric(10, 2),
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    day_number        integer,
    level_number      integer,
    source            wsop_chip_source NOT NULL DEFAULT 'realtime',
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX wsop_events_updated_idx ON wsop_events (updated_at, id);
CREATE INDEX wsop_players_updated_idx ON wsop_players (updated_at, id);
CREATE INDEX wsop_chip_counts_created_idx ON wsop_chip_counts (created_at, id);
CREATE INDEX wsop_chip_counts_event_idx ON wsop_chip_counts (event_id);
CREATE INDEX wsop_chip_counts_player_idx ON wsop_chip_counts (player_id);

-- Every UPDATE of an event, a player or an entry stamps updated_at with the transaction's start time (now()).
CREATE FUNCTION wsop_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END $$;

CREATE TRIGGER wsop_events_updated_at BEFORE UPDATE ON wsop_events
    FOR EACH ROW EXECUTE FUNCTION wsop_set_updated_at();
CREATE TRIGGER wsop_players_updated_at BEFORE UPDATE ON wsop_players
    FOR EACH ROW EXECUTE FUNCTION wsop_set_updated_at();

-- wsop_event_players
-- (sample.py also runs the part from the line above alone: it adds the table to an older demo source)

CREATE TYPE wsop_player_status AS ENUM ('registered', 'active', 'eliminated', 'winner');

-- One row per player entered in an event: seat, stack, finish, prize and bounties.
CREATE TABLE wsop_event_players (
    id                        uuid DEFAULT gen_random_uuid() NOT NULL PRIMARY KEY,
    event_id                  uuid NOT NULL REFERENCES wsop_events (id) ON DELETE CASCADE,
    player_id                 uuid NOT NULL REFERENCES wsop_players (id) ON DELETE CASCADE,
    table_num                 integer,
    seat_num                  integer,
    starting_chips            bigint,
    current_chips             bigint DEFAULT 0,
    peak_chips                bigint DEFAULT 0,
    rank                      integer,
    rank_at_end_of_day        integer,
    status                    wsop_player_status DEFAULT 'registered',
    eliminated_at             timestamptz,
    eliminated_by_player_id   uuid REFERENCES wsop_players (id),
    elimination_hand          text,
    prize_won                 bigint DEFAULT 0,
    bounties_collected        integer DEFAULT 0,
    bounties_collected_amount bigint DEFAULT 0,
    notes                     text,
    source_file               text,
    source_import_id          uuid,
    registered_at             timestamptz DEFAULT now(),
    created_at                timestamptz DEFAULT now(),
    updated_at                timestamptz DEFAULT now(),
    CONSTRAINT wsop_event_players_seat_num_check CHECK (seat_num >= 1 AND seat_num <= 10),
    CONSTRAINT uq_wsop_event_player UNIQUE (event_id, player_id)
);

CREATE INDEX idx_wsop_event_players_event ON wsop_event_players (event_id);
CREATE INDEX idx_wsop_event_players_player ON wsop_event_players (player_id);
CREATE INDEX idx_wsop_event_players_status ON wsop_event_players (status);
CREATE INDEX idx_wsop_event_players_chips ON wsop_event_players (current_chips DESC);
CREATE INDEX idx_wsop_event_players_rank ON wsop_event_players (rank) WHERE rank IS NOT NULL;
CREATE INDEX idx_wsop_event_players_prize ON wsop_event_players (prize_won DESC) WHERE prize_won > 0;
CREATE INDEX idx_wsop_event_players_table_seat ON wsop_event_players (table_num, seat_num)
    WHERE table_num IS NOT NULL;
CREATE INDEX wsop_event_players_updated_idx ON wsop_event_players (updated_at, id);

CREATE TRIGGER wsop_event_players_updated_at BEFORE UPDATE ON wsop_event_players
    FOR EACH ROW EXECUTE FUNCTION wsop_set_updated_at();
