-- Schema version 5: storing a consumer's scan writes only what it must.
--
-- client_id was declared UNIQUE, and that index held an entry for every
-- scan, NULL for each consumer's: a page written by every scan for
-- nothing. Only inspectors' scans carry a client id; the unique index
-- now holds those alone. A column constraint cannot be dropped, so the
-- table is copied once (about a minute for ten million scans).
--
-- The trigger that counted every new scan in label_scan_recent made each
-- insert a statement of two writes, which SQLite guards with a statement
-- journal (a copy of every page it changes) inside the scan log's group
-- transaction. The store counts the scan itself, with the same upsert,
-- in the same transaction (store_sqlite_scans.c, scan_add); the triggers
-- for a scan removed or moved stay in the schema.
CREATE TABLE scans_v5 (
	id INTEGER PRIMARY KEY,
	client_id TEXT,
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
INSERT INTO scans_v5 (id, client_id, code, label_id, product_id,
		      scanned_at, received_at, verdict, reason, source, place,
		      province, lat, lon, net, ua)
	SELECT id, client_id, code, label_id, product_id, scanned_at,
	       received_at, verdict, reason, source, place, province, lat,
	       lon, net, ua
	FROM scans ORDER BY id;
-- drops the old table's indexes and triggers with it
DROP TABLE scans;
ALTER TABLE scans_v5 RENAME TO scans;

CREATE UNIQUE INDEX scans_client ON scans(client_id)
	WHERE client_id IS NOT NULL;
CREATE INDEX scans_product ON scans(product_id, scanned_at, id, label_id,
				    place);
CREATE INDEX scans_label_place ON scans(label_id, scanned_at, place)
	WHERE place IS NOT NULL;
CREATE INDEX scans_unknown ON scans(scanned_at) WHERE label_id IS NULL;

-- as in schema 4: a scan removed or moved has its label's recent count
-- folded first, then label_scan_stats follows
CREATE TRIGGER scans_recent_fold_delete BEFORE DELETE ON scans
WHEN OLD.label_id IS NOT NULL
BEGIN
	INSERT INTO label_scan_stats (label_id, count, first_at)
		SELECT label_id, count, first_at FROM label_scan_recent
		WHERE label_id = OLD.label_id
		ON CONFLICT (label_id) DO UPDATE SET
			count = count + excluded.count,
			first_at = min(first_at, excluded.first_at);
	DELETE FROM label_scan_recent WHERE label_id = OLD.label_id;
END;
CREATE TRIGGER scans_recent_fold_update BEFORE UPDATE OF label_id, scanned_at
ON scans
BEGIN
	INSERT INTO label_scan_stats (label_id, count, first_at)
		SELECT label_id, count, first_at FROM label_scan_recent
		WHERE label_id IN (OLD.label_id, NEW.label_id)
		ON CONFLICT (label_id) DO UPDATE SET
			count = count + excluded.count,
			first_at = min(first_at, excluded.first_at);
	DELETE FROM label_scan_recent
		WHERE label_id IN (OLD.label_id, NEW.label_id);
END;
CREATE TRIGGER scans_stats_delete AFTER DELETE ON scans
WHEN OLD.label_id IS NOT NULL
BEGIN
	UPDATE label_scan_stats SET count = count - 1,
		first_at = coalesce((SELECT scanned_at FROM scans
				     WHERE product_id IS OLD.product_id
				     AND label_id = OLD.label_id
				     ORDER BY scanned_at LIMIT 1), first_at)
		WHERE label_id = OLD.label_id;
	DELETE FROM label_scan_stats
		WHERE label_id = OLD.label_id AND count <= 0;
END;
CREATE TRIGGER scans_stats_update AFTER UPDATE OF label_id, scanned_at
ON scans
BEGIN
	UPDATE label_scan_stats SET count = count - 1
		WHERE OLD.label_id IS NOT NULL AND label_id = OLD.label_id;
	DELETE FROM label_scan_stats
		WHERE OLD.label_id IS NOT NULL AND label_id = OLD.label_id
		AND count <= 0;
	INSERT INTO label_scan_stats (label_id, count, first_at)
		SELECT NEW.label_id, 1, NEW.scanned_at
		WHERE NEW.label_id IS NOT NULL
		ON CONFLICT (label_id) DO UPDATE SET count = count + 1;
	UPDATE label_scan_stats SET first_at = (SELECT scanned_at FROM scans
		WHERE product_id IS OLD.product_id AND label_id = OLD.label_id
		ORDER BY scanned_at LIMIT 1)
		WHERE label_id = OLD.label_id;
	UPDATE label_scan_stats SET first_at = (SELECT scanned_at FROM scans
		WHERE product_id IS NEW.product_id AND label_id = NEW.label_id
		ORDER BY scanned_at LIMIT 1)
		WHERE label_id = NEW.label_id;
END;
