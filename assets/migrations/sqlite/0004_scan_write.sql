-- Schema version 4: storing a consumer's scan writes no page chosen by its
-- label.
--
-- scans_label held every scan, ordered by label, for the clones report.
-- Each consumer scan put an entry on a page chosen by its label, that is
-- at random across an index as large as the scan log; that page had to be
-- read and written to the log for every scan, and was the largest single
-- cost of recording one. The clones report only uses scans that carry a
-- place (an inspector's), so the index now holds those alone.
DROP INDEX IF EXISTS scans_label;
CREATE INDEX scans_label_place ON scans(label_id, scanned_at, place)
	WHERE place IS NOT NULL;

-- scans_product ordered a product's scans of one second by label, so the
-- scans of a busy product went to random places in that second's run of
-- the index. Ordered by id after the time, a consumer's scan is appended
-- at its product's end; label and place stay in the index so that the
-- reports still read it alone.
DROP INDEX IF EXISTS scans_product;
CREATE INDEX scans_product ON scans(product_id, scanned_at, id, label_id,
				    place);

-- The triggers that keep label_scan_stats when a scan is removed or
-- moved (ocop does neither) found a label's first scan through
-- scans_label; they now look within the label's product in
-- scans_product, which is ordered by time, and stop at the first match.
DROP TRIGGER IF EXISTS scans_stats_delete;
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
DROP TRIGGER IF EXISTS scans_stats_update;
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

-- The unknown report found the scans that match no label (label_id NULL)
-- through scans_label; they have an index of their own, which only such
-- scans (forged or mistyped codes) write to.
CREATE INDEX scans_unknown ON scans(scanned_at) WHERE label_id IS NULL;

-- label_scan_recent: the counts of the scans stored since the scan log's
-- writer last folded them into label_scan_stats (every few tens of
-- milliseconds, in a transaction of its own). A label's count is the sum
-- of its rows in the two tables. A scan then updates a row of a table of
-- a few pages, the labels scanned lately, instead of a page of
-- label_scan_stats chosen by its label; a fold writes each page of
-- label_scan_stats once for all the scans of its labels since the last.
CREATE TABLE label_scan_recent (
	label_id INTEGER PRIMARY KEY,
	count INTEGER NOT NULL,
	first_at INTEGER NOT NULL
);
DROP TRIGGER IF EXISTS scans_stats_insert;
CREATE TRIGGER scans_stats_insert AFTER INSERT ON scans
WHEN NEW.label_id IS NOT NULL
BEGIN
	INSERT INTO label_scan_recent (label_id, count, first_at)
		VALUES (NEW.label_id, 1, NEW.scanned_at)
		ON CONFLICT (label_id) DO UPDATE SET count = count + 1,
			first_at = min(first_at, excluded.first_at);
END;
-- a scan removed or moved: its label's recent row is folded first, so
-- that the triggers above find the whole count in label_scan_stats
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
