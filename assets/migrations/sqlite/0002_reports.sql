-- Schema version 2: indexes that let the reports read millions of scans
-- without touching the scans table (covering indexes). Each replaces an
-- index of version 1 whose columns are its prefix, so every query that
-- used the old index uses the new one and a scan still updates two indexes.
DROP INDEX IF EXISTS scans_product;
CREATE INDEX scans_product ON scans(product_id, scanned_at, label_id, place);
DROP INDEX IF EXISTS scans_label;
CREATE INDEX scans_label ON scans(label_id, scanned_at, place);
-- max(stars) of a product's labels is one seek (circulation skips the
-- days on which every label of the product is valid).
DROP INDEX IF EXISTS labels_product;
CREATE INDEX labels_product ON labels(product_id, stars);
