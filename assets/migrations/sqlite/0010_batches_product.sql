-- Schema version 10: a product's labels counted from its batches.
--
-- The console's dashboard shows each product's labels issued. A batch's
-- count is the number of its labels (stored in one transaction, never
-- deleted), so the sum over the product's batches is that number, read
-- from this index alone instead of an index entry per label.
CREATE INDEX batches_product ON batches(product_id, count);
