-- Up Migration
-- Nynorsk (issue 15): a refused submission keeps the refusal as data (domain/refusals.ts, or the upload service's own),
-- so the director's pages word it at read time in the page's written standard. The worded bokmål `refusal` stays for
-- the coordinator's console and the API; rows refused before this migration have no data and show that text.
ALTER TABLE submissions ADD COLUMN refusal_data jsonb;

-- Down Migration
ALTER TABLE submissions DROP COLUMN refusal_data;
