-- Schema version 5: the console's dashboard pages by index.
--
-- The dashboard shows each product's labels issued. A batch's count is
-- the number of its labels (stored in one transaction, never deleted), so
-- the sum over the product's batches is that number, read from this index
-- alone instead of an index entry per label.
CREATE INDEX batches_product ON batches (product_id) INCLUDE (count);

-- Products are listed in the order of their codes' bytes, as on SQLite:
-- a page of them is a range of this index, not a sort of the registry.
CREATE INDEX products_code_c ON products (code COLLATE "C");
