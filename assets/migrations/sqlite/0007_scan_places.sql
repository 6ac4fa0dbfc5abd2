-- Schema version 7: where each label was scanned lately (SPEC 5.0).
--
-- A consumer page warns when a label has been scanned from several places
-- within a few days. Its scans have no index by label (version 4), so the
-- store keeps, beside each label's count, the few distinct places (an
-- inspector's place, else a consumer's network) whose latest scans are
-- the most recent, with their days: a blob of at most three 12-byte
-- entries, written by the upsert that already counts each scan and merged
-- by the fold (src/places.h, store_sqlite_scans.c). Scans stored before
-- this version are not in it: the page's warning counts what is scanned
-- from now on, while the clones report reads every scan.
ALTER TABLE label_scan_stats ADD COLUMN places BLOB;
ALTER TABLE label_scan_recent ADD COLUMN places BLOB;

-- The clones report counts the same places, consumers' networks too, so
-- it reads the scans table itself; the index of the scans with a place
-- (version 4) has no reader left.
DROP INDEX IF EXISTS scans_label_place;
