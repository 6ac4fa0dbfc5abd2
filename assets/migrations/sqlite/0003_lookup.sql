-- Schema version 3: what lets a verification be one read.
--
-- label_scan_stats: the count and first time of every label's stored
-- scans, kept by a trigger in the transaction that stores the scan, so a
-- record's scans.count is one row instead of counting the label's scans.
CREATE TABLE label_scan_stats (
	label_id INTEGER PRIMARY KEY,
	count INTEGER NOT NULL,
	first_at INTEGER NOT NULL
);
INSERT INTO label_scan_stats (label_id, count, first_at)
	SELECT label_id, count(*), min(scanned_at) FROM scans
	WHERE label_id IS NOT NULL GROUP BY label_id;
CREATE TRIGGER scans_stats_insert AFTER INSERT ON scans
WHEN NEW.label_id IS NOT NULL
BEGIN
	INSERT INTO label_scan_stats (label_id, count, first_at)
		VALUES (NEW.label_id, 1, NEW.scanned_at)
		ON CONFLICT (label_id) DO UPDATE SET count = count + 1,
			first_at = min(first_at, excluded.first_at);
END;
-- scans are never changed or removed by ocop; should one be, the stats
-- follow
CREATE TRIGGER scans_stats_delete AFTER DELETE ON scans
WHEN OLD.label_id IS NOT NULL
BEGIN
	UPDATE label_scan_stats SET count = count - 1,
		first_at = coalesce((SELECT min(scanned_at) FROM scans
				     WHERE label_id = OLD.label_id), first_at)
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
	UPDATE label_scan_stats SET first_at = (SELECT min(scanned_at)
		FROM scans WHERE label_id = label_scan_stats.label_id)
		WHERE label_id IN (OLD.label_id, NEW.label_id);
END;

-- registry_version: a counter that every change to the registry (products,
-- producers, recognitions, extensions, revocations) increases, so that a
-- server may keep products and their history in memory and see at once
-- when another process (ocop cert revoke, ocop registry import) changed
-- them. Labels and batches are read afresh for every verification and
-- scans do not touch it.
CREATE TABLE registry_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 1);
CREATE TRIGGER products_ins_version AFTER INSERT ON products
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER products_upd_version AFTER UPDATE ON products
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER products_del_version AFTER DELETE ON products
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER producers_ins_version AFTER INSERT ON producers
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER producers_upd_version AFTER UPDATE ON producers
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER producers_del_version AFTER DELETE ON producers
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER recognitions_ins_version AFTER INSERT ON recognitions
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER recognitions_upd_version AFTER UPDATE ON recognitions
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER recognitions_del_version AFTER DELETE ON recognitions
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER extensions_ins_version AFTER INSERT ON extensions
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER extensions_upd_version AFTER UPDATE ON extensions
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER extensions_del_version AFTER DELETE ON extensions
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER revocations_ins_version AFTER INSERT ON revocations
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER revocations_upd_version AFTER UPDATE ON revocations
BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER revocations_del_version AFTER DELETE ON revocations
BEGIN UPDATE registry_version SET version = version + 1; END;
