-- Schema version 3: the signing keys of the field snapshots (SPEC 9) and
-- the snapshots issued.
--
-- A snapshot is signed with Ed25519 by the current key; a rotated key is
-- kept, retired, so that what it signed still verifies until it expires.
-- The secret key is kept here alone (keys.c), never printed or logged.
-- Every snapshot takes the next seq from an identity (never reused, also
-- across nodes), so a phone can refuse one older than what it holds.
CREATE TABLE signing_keys (
	id text PRIMARY KEY,
	public_key bytea NOT NULL CHECK (length(public_key) = 32),
	secret_key bytea NOT NULL CHECK (length(secret_key) = 64),
	created_at bigint NOT NULL,
	valid_from bigint NOT NULL,
	retired_at bigint
);

CREATE TABLE snapshots (
	seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	province text NOT NULL,
	issued_at bigint NOT NULL,
	key_id text NOT NULL REFERENCES signing_keys(id)
);
