-- Schema version 6: the registry as the provinces publish it (SPEC 6).
--
-- producers.reg_no: the business or cooperative registration / tax
-- number (the import's producer_id column). A producer that has one is
-- one producer across its products and addresses, found by it; one
-- without is still found by name, province and address.
ALTER TABLE producers ADD COLUMN reg_no TEXT;
CREATE UNIQUE INDEX producers_reg_no ON producers(reg_no)
	WHERE reg_no IS NOT NULL;

-- The province and address as written on the product's latest decision,
-- which may differ between the products of one producer; NULL for
-- products recorded before version 6 (the producer's are theirs).
ALTER TABLE products ADD COLUMN province TEXT;
ALTER TABLE products ADD COLUMN address TEXT;

-- Where the decision was published (the import's source column).
ALTER TABLE recognitions ADD COLUMN source TEXT NOT NULL DEFAULT '';
