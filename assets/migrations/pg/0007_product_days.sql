-- Schema version 7: each product's scans counted by day.
--
-- The console's dashboard shows each product's scans of the last 30 days
-- and its late scans: sums of at most ~30 rows a product here, rather
-- than counting ~40,000 entries of scans_product a page. A row is
-- (product, Vietnam calendar day, scans of that day); it is kept in the
-- scan's own transaction by INSERT ... ON CONFLICT DO UPDATE (the scan
-- writers of several nodes add to one row in turn under its row lock),
-- and decreased by the purge of consumer scans, which deletes the rows
-- that reach 0. Scans of no product (unknown codes) are not counted.
-- Derived from the scans: 'ocop db copy' computes it, never copies it.
CREATE TABLE product_day_scans (
	product_id bigint NOT NULL,
	day int NOT NULL,
	count bigint NOT NULL,
	PRIMARY KEY (product_id, day)
);

-- The day number of instant at (Unix seconds) as ocop_day_of (date.c)
-- gives it: days since 1970-01-01 in Vietnam time, UTC+7 with no DST
-- (OCOP_TZ_OFFSET = 25200 s), rounded down for instants before 1970
-- too (floor of an exact numeric quotient, not bigint division, which
-- truncates towards zero).
CREATE FUNCTION ocop_day_of(at bigint) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT floor((at + 25200) / 86400.0)::int $$;

INSERT INTO product_day_scans (product_id, day, count)
	SELECT product_id, ocop_day_of(scanned_at), count(*) FROM scans
	WHERE product_id IS NOT NULL GROUP BY 1, 2;
