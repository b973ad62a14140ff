-- +goose Up
-- Consent (issue 13). Being named in a partnership by a member is an invitation, and an
-- employer link set by anyone but the company is a proposal: neither counts until the
-- organization named accepts.
--
-- Invitations live beside partnership_participant rather than as a status column in it:
-- partnership_participant keeps meaning "takes part", so every statement that derives
-- anything from participation (partners, paths, centrality, the one-statement reads,
-- analytics) counts accepted participants only without a condition each could forget.
-- Existing participants were recorded before consent existed and stay as they are, that
-- is, accepted.
CREATE TABLE partnership_invitation (
    partnership_id  bigint NOT NULL REFERENCES partnership (id) ON DELETE CASCADE,
    organization_id bigint NOT NULL REFERENCES organization (id),
    role            text NOT NULL CHECK (role IN ('LEAD', 'PARTNER', 'SPONSOR')),
    status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED')),
    invited_on      date NOT NULL,
    answered_on     date,
    CHECK ((status = 'PENDING') = (answered_on IS NULL)),
    PRIMARY KEY (partnership_id, organization_id)
);
-- What an organization must answer, newest first.
CREATE INDEX partnership_invitation_organization ON partnership_invitation (organization_id, invited_on DESC, partnership_id)
    WHERE status = 'PENDING';

-- talent.employer_id keeps meaning "the accepted employer", which is what personal-data
-- access, "employees" lists and name search read; a proposed employer waits here. Every
-- existing employer is accepted.
ALTER TABLE talent ADD COLUMN pending_employer_id bigint REFERENCES organization (id),
    ADD COLUMN employer_proposed_on date,
    ADD CONSTRAINT talent_pending_employer CHECK ((pending_employer_id IS NULL) = (employer_proposed_on IS NULL)
        AND (pending_employer_id IS NULL OR pending_employer_id IS DISTINCT FROM employer_id));
CREATE INDEX talent_pending_employer ON talent (pending_employer_id, employer_proposed_on DESC, id)
    WHERE pending_employer_id IS NOT NULL;

-- +goose Down
DROP INDEX talent_pending_employer;
ALTER TABLE talent DROP CONSTRAINT talent_pending_employer, DROP COLUMN employer_proposed_on, DROP COLUMN pending_employer_id;
DROP TABLE partnership_invitation;
