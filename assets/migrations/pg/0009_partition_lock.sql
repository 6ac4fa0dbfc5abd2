-- Schema version 9: writers making a month's partition at once take
-- their locks in one order.
--
-- Two writers making the same month's partition (two nodes' first scans
-- of a month outside the months made ahead) deadlocked: each read
-- scans_default, to see whether scans of that month wait there, before
-- CREATE TABLE ... PARTITION OF locked scans, and then wanted
-- scans_default's lock, which the other's read held. PostgreSQL ended one
-- after a second and its group of scans failed. Now the first to come
-- locks the partitioned table alone (ONLY: not its partitions, which
-- autovacuum may be cleaning) in a mode that writers' inserts do not
-- wait for but another maker does; the next one finds the partition made.
CREATE OR REPLACE FUNCTION scans_partition(at bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m timestamptz := date_trunc('month', to_timestamp(at) AT TIME ZONE 'UTC')
		AT TIME ZONE 'UTC';
	lo bigint := extract(epoch FROM m)::bigint;
	hi bigint := extract(epoch FROM m + interval '1 month')::bigint;
	name text := 'scans_' || to_char(m AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
	IF to_regclass(name) IS NOT NULL THEN
		RETURN;
	END IF;
	LOCK TABLE ONLY scans IN SHARE UPDATE EXCLUSIVE MODE;
	IF to_regclass(name) IS NOT NULL THEN
		RETURN; /* made while this one waited */
	END IF;
	IF EXISTS (SELECT 1 FROM scans_default
		   WHERE scanned_at >= lo AND scanned_at < hi) THEN
		RETURN;
	END IF;
	BEGIN
		EXECUTE format('CREATE TABLE %I PARTITION OF scans '
			       'FOR VALUES FROM (%s) TO (%s)', name, lo, hi);
	EXCEPTION WHEN duplicate_table OR unique_violation THEN
		NULL; /* made meanwhile by another writer */
	END;
END $$;
