-- Scans partitions: made by several writers at once, and filled from
-- scans_default.

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

-- Scans in scans_default (stored before their month had a partition, or
-- loaded in bulk by 'ocop db copy') moved to their months' partitions,
-- made for them: the default partition is detached, emptied into the
-- partitioned table, and attached again. Returns the scans moved.
CREATE FUNCTION scans_from_default() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	mon timestamp;
	lo bigint;
	hi bigint;
	name text;
BEGIN
	SELECT count(*) INTO n FROM scans_default;
	IF n = 0 THEN
		RETURN 0;
	END IF;
	ALTER TABLE scans DETACH PARTITION scans_default;
	FOR mon IN SELECT DISTINCT date_trunc('month',
			to_timestamp(scanned_at) AT TIME ZONE 'UTC')
		   FROM scans_default LOOP
		lo := extract(epoch FROM mon)::bigint;
		hi := extract(epoch FROM mon + interval '1 month')::bigint;
		name := 'scans_' || to_char(mon, 'YYYY_MM');
		IF to_regclass(name) IS NULL THEN
			EXECUTE format('CREATE TABLE %I PARTITION OF scans '
				       'FOR VALUES FROM (%s) TO (%s)',
				       name, lo, hi);
		END IF;
	END LOOP;
	INSERT INTO scans SELECT * FROM scans_default;
	TRUNCATE scans_default;
	ALTER TABLE scans ATTACH PARTITION scans_default DEFAULT;
	RETURN n;
END $$;
