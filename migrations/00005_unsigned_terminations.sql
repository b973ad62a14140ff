-- +goose Up
-- A proposal can be abandoned before anyone signs it: TERMINATED, like PROPOSED, may have
-- no signing date. Every other status still needs one.
ALTER TABLE partnership DROP CONSTRAINT partnership_check1;
ALTER TABLE partnership ADD CONSTRAINT partnership_signed
    CHECK (status IN ('PROPOSED', 'TERMINATED') OR signed_on IS NOT NULL);

-- +goose Down
-- Abandoned proposals get their termination day as a signing date so the old rule holds.
UPDATE partnership SET signed_on = created_at::date WHERE status = 'TERMINATED' AND signed_on IS NULL;
ALTER TABLE partnership DROP CONSTRAINT partnership_signed;
ALTER TABLE partnership ADD CONSTRAINT partnership_check1 CHECK (status = 'PROPOSED' OR signed_on IS NOT NULL);
