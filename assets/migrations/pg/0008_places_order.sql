-- Schema version 8: a label's latest places come from their index in the
-- order a verification reads them.
--
-- Every verification reads a label's PLACES_KEPT (3) latest places,
-- ordered by day, latest first, then by place key; with the key in the
-- index they come from it in that order, where (label_id, day DESC) left
-- a sort to each lookup.
DROP INDEX label_places_recent;
CREATE INDEX label_places_recent ON label_places (label_id, day DESC, place_key);
