-- The circulation report reads each product's labels with their batches'
-- void times, 2,000 products in a row: from the indexes alone, rather
-- than one heap page a label and every batch hashed for each product.
-- (A label's product is its batch's: labels are issued from a batch.)
-- It replaces schema 5's index of a product's batches, which the
-- dashboard sums the counts of: one index serves both.
DROP INDEX batches_product;
CREATE INDEX batches_product ON batches (product_id, id)
	INCLUDE (voided_at, count);
DROP INDEX labels_product;
CREATE INDEX labels_product ON labels (product_id, stars)
	INCLUDE (id, batch_id, voided_at);
