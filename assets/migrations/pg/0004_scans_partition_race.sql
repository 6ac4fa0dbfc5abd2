-- scans_partition called by several writers at once (two nodes' first
-- scans of a month far ahead): the second waited on the first's CREATE
-- TABLE, then failed with "already exists", and its scans with it. The
-- one that comes second now finds the partition made.
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
