-- Up Migration
-- Every county on one installation (issue 15): a coordinator's account belongs to a county and sees and acts on that
-- county's runs only (a run's county is its plan's `county`, also the last part of its id); a national reader sees
-- every county's runs and changes nothing. A coordinator without a county (accounts made before this) sees every
-- county, as before, until one is given.
ALTER TABLE users ADD COLUMN county text CHECK (county IS NULL OR county ~ '^[a-z0-9][a-z0-9-]{0,62}$');
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('coordinator', 'national-reader', 'research-centre', 'municipal-authority'));
ALTER TABLE users DROP CONSTRAINT users_check;
ALTER TABLE users ADD CONSTRAINT users_check CHECK ((role IN ('coordinator', 'national-reader')) = (run_id IS NULL));
ALTER TABLE users ADD CONSTRAINT users_county_role_check CHECK (role = 'coordinator' OR county IS NULL);

-- Down Migration
DELETE FROM users WHERE role = 'national-reader';
ALTER TABLE users DROP CONSTRAINT users_county_role_check;
ALTER TABLE users DROP CONSTRAINT users_check;
ALTER TABLE users ADD CONSTRAINT users_check CHECK ((role = 'coordinator') = (run_id IS NULL));
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('coordinator', 'research-centre', 'municipal-authority'));
ALTER TABLE users DROP COLUMN county;
