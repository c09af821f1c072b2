-- proofkey-store: the PostgreSQL schema. Run once (PostgresStore::create_schema
-- does, idempotently). Codes are keyed by SHA-256 of the code, never the code.
CREATE TABLE IF NOT EXISTS proofkey_codes (
    code_hash  bytea       PRIMARY KEY,
    client_id  text        NOT NULL,
    expires_at timestamptz NOT NULL,
    record     bytea       NOT NULL
);
CREATE INDEX IF NOT EXISTS proofkey_codes_client ON proofkey_codes (client_id, expires_at);
CREATE INDEX IF NOT EXISTS proofkey_codes_expiry ON proofkey_codes (expires_at);

CREATE TABLE IF NOT EXISTS proofkey_challenges (
    fingerprint bytea       PRIMARY KEY,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS proofkey_challenges_expiry ON proofkey_challenges (expires_at);

-- Inserts a code: 0 = stored, 1 = the client holds p_quota live codes
-- (p_quota NULL: no quota), 2 = a live record has this hash. The quota is
-- counted under a per-client advisory lock, so concurrent inserts on every
-- instance never overshoot it.
CREATE OR REPLACE FUNCTION proofkey_insert_code(
    p_hash bytea, p_client text, p_ttl_ms bigint, p_record bytea, p_quota integer
) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    IF p_quota IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('proofkey:' || p_client, 0));
        DELETE FROM proofkey_codes WHERE client_id = p_client AND expires_at <= now();
        IF (SELECT count(*) FROM proofkey_codes WHERE client_id = p_client) >= p_quota THEN
            RETURN 1;
        END IF;
    END IF;
    -- An expired record with this hash is replaced, a live one never.
    INSERT INTO proofkey_codes (code_hash, client_id, expires_at, record)
    VALUES (p_hash, p_client, now() + p_ttl_ms * interval '1 millisecond', p_record)
    ON CONFLICT (code_hash) DO UPDATE
        SET client_id = EXCLUDED.client_id, expires_at = EXCLUDED.expires_at,
            record = EXCLUDED.record
        WHERE proofkey_codes.expires_at <= now();
    IF NOT FOUND THEN
        RETURN 2;
    END IF;
    RETURN 0;
END
$$;
