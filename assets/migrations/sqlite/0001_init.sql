-- Schema version 1: registry, labels, scans, tokens.
-- Dates are 'YYYY-MM-DD' text (Vietnam calendar days); instants are Unix
-- seconds. History is appended, never overwritten.
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE producers (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	province TEXT NOT NULL,
	address TEXT NOT NULL,
	UNIQUE (name, province, address)
);

CREATE TABLE products (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	grp TEXT NOT NULL CHECK (grp IN ('I','II','III','IV','V','VI')),
	gtin TEXT UNIQUE CHECK (gtin IS NULL OR length(gtin) = 14),
	producer_id INTEGER NOT NULL REFERENCES producers(id)
);

CREATE TABLE recognitions (
	id INTEGER PRIMARY KEY,
	product_id INTEGER NOT NULL REFERENCES products(id),
	stars INTEGER NOT NULL CHECK (stars BETWEEN 3 AND 5),
	decision_no TEXT NOT NULL,
	decided_on TEXT NOT NULL,
	issuer TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_until TEXT NOT NULL,
	recorded_at INTEGER NOT NULL,
	UNIQUE (product_id, decision_no)
);

CREATE TABLE extensions (
	id INTEGER PRIMARY KEY,
	recognition_id INTEGER NOT NULL REFERENCES recognitions(id),
	extended_until TEXT NOT NULL,
	decision_no TEXT NOT NULL DEFAULT '',
	recorded_at INTEGER NOT NULL
);
CREATE INDEX extensions_rec ON extensions(recognition_id);

CREATE TABLE revocations (
	id INTEGER PRIMARY KEY,
	product_id INTEGER NOT NULL REFERENCES products(id),
	decision_no TEXT NOT NULL,
	revoked_on TEXT NOT NULL,
	ground TEXT NOT NULL
		CHECK (ground IN ('a','b','c','d','dd','e','lapsed')),
	note TEXT NOT NULL DEFAULT '',
	recorded_at INTEGER NOT NULL,
	UNIQUE (product_id, decision_no)
);

CREATE TABLE batches (
	id INTEGER PRIMARY KEY,
	product_id INTEGER NOT NULL REFERENCES products(id),
	stars INTEGER NOT NULL CHECK (stars BETWEEN 3 AND 5),
	lot TEXT,
	count INTEGER NOT NULL CHECK (count > 0),
	made_on TEXT,
	best_before TEXT,
	issued_at INTEGER NOT NULL,
	voided_at INTEGER,
	void_reason TEXT
);

CREATE TABLE labels (
	id INTEGER PRIMARY KEY,
	serial TEXT NOT NULL UNIQUE,
	batch_id INTEGER NOT NULL REFERENCES batches(id),
	product_id INTEGER NOT NULL REFERENCES products(id),
	stars INTEGER NOT NULL,
	voided_at INTEGER,
	void_reason TEXT
);
CREATE INDEX labels_batch ON labels(batch_id);
CREATE INDEX labels_product ON labels(product_id);

-- One row per stored scan: consumer GETs and inspector items. verdict and
-- reason are as judged at scan time; reports recompute them.
CREATE TABLE scans (
	id INTEGER PRIMARY KEY,
	client_id TEXT UNIQUE,
	code TEXT NOT NULL,
	label_id INTEGER,
	product_id INTEGER,
	scanned_at INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	verdict TEXT NOT NULL,
	reason TEXT NOT NULL,
	source INTEGER NOT NULL,
	place TEXT,
	province TEXT,
	lat REAL,
	lon REAL,
	net TEXT,
	ua TEXT
);
CREATE INDEX scans_label ON scans(label_id, scanned_at);
CREATE INDEX scans_product ON scans(product_id, scanned_at);

CREATE TABLE tokens (
	id INTEGER PRIMARY KEY,
	hash BLOB NOT NULL UNIQUE,
	role TEXT NOT NULL CHECK (role IN ('admin','producer','inspector')),
	producer_id INTEGER REFERENCES producers(id),
	created_at INTEGER NOT NULL
);
