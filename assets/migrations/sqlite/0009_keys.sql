-- Schema version 9: the signing keys of the field snapshots (SPEC 9) and
-- the snapshots issued.
--
-- A snapshot is signed with Ed25519 by the current key; a rotated key is
-- kept, retired, so that what it signed still verifies until it expires.
-- The secret key is kept here alone (keys.c), never printed or logged.
-- Every snapshot takes the next seq (AUTOINCREMENT: never reused, so a
-- phone can refuse one older than what it holds).
CREATE TABLE signing_keys (
	id TEXT PRIMARY KEY,
	public_key BLOB NOT NULL CHECK (length(public_key) = 32),
	secret_key BLOB NOT NULL CHECK (length(secret_key) = 64),
	created_at INTEGER NOT NULL,
	valid_from INTEGER NOT NULL,
	retired_at INTEGER
);

CREATE TABLE snapshots (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	province TEXT NOT NULL,
	issued_at INTEGER NOT NULL,
	key_id TEXT NOT NULL REFERENCES signing_keys(id)
);
