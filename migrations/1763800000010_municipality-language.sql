-- Up Migration
-- Nynorsk (issue 15): each municipality's written standard (nb = bokmål, nn = nynorsk), from the roster's `language`
-- column. Emails to its authority, its kindergartens and their participants, and the directors' pages, use it.
ALTER TABLE municipalities ADD COLUMN language text NOT NULL DEFAULT 'nb' CHECK (language IN ('nb', 'nn'));

-- Down Migration
ALTER TABLE municipalities DROP COLUMN language;
