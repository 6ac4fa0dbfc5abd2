-- Schema version 8: the console's people, their sessions and sign-in
-- attempts, the audit log, and the life cycle of API tokens (SPEC 8).
--
-- Secrets are stored as keyed hashes only (setup links, session cookies,
-- like tokens) or as Argon2id strings (passwords). Instants are Unix
-- seconds from the ocop process's clock.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL CHECK (role IN ('admin','inspector','producer')),
	producer_id INTEGER REFERENCES producers(id),
	province TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	password TEXT,
	disabled_at INTEGER,
	created_at INTEGER NOT NULL,
	setup_hash BLOB UNIQUE,
	setup_expires INTEGER,
	password_at INTEGER,
	CHECK ((role = 'producer') = (producer_id IS NOT NULL))
);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	hash BLOB NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	used_at INTEGER NOT NULL,
	ended_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id) WHERE ended_at IS NULL;

-- Every sign-in attempt, for the throttle (5 failures a login, 20 a
-- client network, in 15 minutes).
CREATE TABLE signin_attempts (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL,
	net TEXT NOT NULL,
	at INTEGER NOT NULL,
	ok INTEGER NOT NULL
);
CREATE INDEX signin_attempts_login ON signin_attempts(login, at);
CREATE INDEX signin_attempts_net ON signin_attempts(net, at);

-- Appended only: no statement of the store changes or deletes a row.
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	net TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
