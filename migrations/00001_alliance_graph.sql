-- +goose Up
-- The alliance graph: members, partnerships, shared resources, skills and talents.
-- Enumerations are text columns with CHECK constraints rather than Postgres ENUM types,
-- because adding a value to a CHECK is transactional and needs no type migration dance.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE alliance (
    id          bigserial PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{2,64}$'),
    name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 300),
    name_zh     text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 300),
    city        text NOT NULL,
    founded_on  date NOT NULL,
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One table for every kind of organization: the directory is filtered and paged across
-- kinds, so a single keyset index serves it. Kind-specific columns are checked per kind.
CREATE TABLE organization (
    id             bigserial PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('SCHOOL', 'COMPANY', 'GOVERNMENT_AGENCY', 'INDUSTRIAL_PARK')),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 300),
    name_zh        text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 300),
    description    text NOT NULL DEFAULT '',
    website        text,
    district       text NOT NULL DEFAULT '',
    founded_year   int CHECK (founded_year BETWEEN 1800 AND 2100),
    -- SCHOOL
    school_level   text CHECK (school_level IN ('HIGHER_VOCATIONAL_COLLEGE', 'SECONDARY_VOCATIONAL_SCHOOL', 'TECHNICIAN_COLLEGE', 'UNIVERSITY')),
    majors         text[] NOT NULL DEFAULT '{}',
    student_count  int CHECK (student_count >= 0),
    -- COMPANY
    industry       text CHECK (industry IN ('EQUIPMENT_MANUFACTURING', 'AUTOMOTIVE', 'AEROSPACE', 'ROBOTICS', 'SOFTWARE', 'ELECTRONICS', 'NEW_MATERIALS', 'BIOMEDICINE', 'ENERGY', 'LOGISTICS', 'CONSTRUCTION', 'SERVICES')),
    company_size   text CHECK (company_size IN ('MICRO', 'SMALL', 'MEDIUM', 'LARGE', 'ENTERPRISE')),
    employee_count int CHECK (employee_count >= 0),
    park_id        bigint REFERENCES organization (id),
    foreign_invested boolean NOT NULL DEFAULT false,
    -- GOVERNMENT_AGENCY
    jurisdiction   text CHECK (jurisdiction IN ('NATIONAL', 'PROVINCIAL', 'MUNICIPAL', 'DISTRICT')),
    -- INDUSTRIAL_PARK
    area_km2       numeric(8, 2) CHECK (area_km2 > 0),
    focus_industries text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'SCHOOL') = (school_level IS NOT NULL)),
    CHECK ((kind = 'COMPANY') = (industry IS NOT NULL)),
    CHECK (kind = 'COMPANY' OR park_id IS NULL),
    CHECK ((kind = 'GOVERNMENT_AGENCY') = (jurisdiction IS NOT NULL))
);
CREATE INDEX organization_kind_name ON organization (kind, name_en, id);
CREATE INDEX organization_name ON organization (name_en, id);
CREATE INDEX organization_created ON organization (created_at, id);
CREATE INDEX organization_park ON organization (park_id, name_en, id) WHERE park_id IS NOT NULL;
CREATE INDEX organization_name_en_trgm ON organization USING gin (name_en gin_trgm_ops);
CREATE INDEX organization_name_zh_trgm ON organization USING gin (name_zh gin_trgm_ops);

CREATE TABLE membership (
    id              bigserial PRIMARY KEY,
    alliance_id     bigint NOT NULL REFERENCES alliance (id),
    organization_id bigint NOT NULL REFERENCES organization (id),
    role            text NOT NULL CHECK (role IN ('FOUNDING_MEMBER', 'COUNCIL_MEMBER', 'MEMBER', 'OBSERVER')),
    joined_on       date NOT NULL,
    left_on         date CHECK (left_on >= joined_on),
    UNIQUE (alliance_id, organization_id)
);
CREATE INDEX membership_alliance_joined ON membership (alliance_id, joined_on, id);
CREATE INDEX membership_organization ON membership (organization_id);

CREATE TABLE partnership (
    id          bigserial PRIMARY KEY,
    alliance_id bigint NOT NULL REFERENCES alliance (id),
    title_en    text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 300),
    title_zh    text NOT NULL CHECK (length(title_zh) BETWEEN 1 AND 300),
    kind        text NOT NULL CHECK (kind IN ('LOCAL_PROJECT', 'INTERNATIONAL_COOPERATION', 'INNOVATION_VENTURE', 'ORDER_CLASS', 'APPRENTICESHIP', 'JOINT_TRAINING_BASE')),
    status      text NOT NULL CHECK (status IN ('PROPOSED', 'SIGNED', 'ACTIVE', 'COMPLETED', 'TERMINATED')),
    description text NOT NULL DEFAULT '',
    signed_on   date,
    starts_on   date,
    ends_on     date CHECK (ends_on >= starts_on),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (status = 'PROPOSED' OR signed_on IS NOT NULL)
);
CREATE INDEX partnership_alliance_signed ON partnership (alliance_id, signed_on, id);
CREATE INDEX partnership_signed ON partnership (signed_on, id);
CREATE INDEX partnership_title_en_trgm ON partnership USING gin (title_en gin_trgm_ops);
CREATE INDEX partnership_title_zh_trgm ON partnership USING gin (title_zh gin_trgm_ops);

CREATE TABLE partnership_participant (
    partnership_id  bigint NOT NULL REFERENCES partnership (id) ON DELETE CASCADE,
    organization_id bigint NOT NULL REFERENCES organization (id),
    role            text NOT NULL CHECK (role IN ('LEAD', 'PARTNER', 'SPONSOR')),
    joined_on       date,
    PRIMARY KEY (partnership_id, organization_id)
);
CREATE INDEX partnership_participant_organization ON partnership_participant (organization_id, partnership_id);

CREATE TABLE training_center (
    id             bigserial PRIMARY KEY,
    alliance_id    bigint NOT NULL REFERENCES alliance (id),
    operator_id    bigint NOT NULL REFERENCES organization (id),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 300),
    name_zh        text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 300),
    address        text NOT NULL DEFAULT '',
    description    text NOT NULL DEFAULT '',
    established_on date NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_center_alliance ON training_center (alliance_id, name_en, id);
CREATE INDEX training_center_operator ON training_center (operator_id);

-- Organizations a centre links together besides its operator.
CREATE TABLE training_center_link (
    training_center_id bigint NOT NULL REFERENCES training_center (id) ON DELETE CASCADE,
    organization_id    bigint NOT NULL REFERENCES organization (id),
    PRIMARY KEY (training_center_id, organization_id)
);
CREATE INDEX training_center_link_organization ON training_center_link (organization_id);

CREATE TABLE skill (
    id        bigserial PRIMARY KEY,
    code      text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9.-]{1,31}$'),
    name_en   text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    name_zh   text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
    category  text NOT NULL CHECK (category IN ('MANUFACTURING', 'AUTOMATION', 'DIGITAL', 'AUTOMOTIVE', 'AEROSPACE', 'ENERGY', 'CONSTRUCTION', 'SERVICE', 'GENERAL')),
    parent_id bigint REFERENCES skill (id),
    description text NOT NULL DEFAULT ''
);
CREATE INDEX skill_parent ON skill (parent_id);
CREATE INDEX skill_category_code ON skill (category, code, id);
CREATE INDEX skill_name_en_trgm ON skill USING gin (name_en gin_trgm_ops);
CREATE INDEX skill_name_zh_trgm ON skill USING gin (name_zh gin_trgm_ops);

-- One table for the five kinds of shared resource, for the same reason as organization:
-- catalogues page across categories. Category-specific columns are checked per category.
CREATE TABLE resource (
    id              bigserial PRIMARY KEY,
    alliance_id     bigint NOT NULL REFERENCES alliance (id),
    provider_id     bigint NOT NULL REFERENCES organization (id),
    category        text NOT NULL CHECK (category IN ('TRAINING_FACILITY', 'JOB_OPENING', 'TEACHER', 'TRAINING_COURSE', 'COMPETITION_RESULT')),
    title_en        text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 300),
    title_zh        text NOT NULL CHECK (length(title_zh) BETWEEN 1 AND 300),
    description     text NOT NULL DEFAULT '',
    -- When false, the resource is visible only to the members listed in resource_share.
    shared_with_all boolean NOT NULL DEFAULT true,
    shared_on       date NOT NULL,
    training_center_id bigint REFERENCES training_center (id),
    -- TRAINING_FACILITY
    capacity        int CHECK (capacity > 0),
    address         text,
    equipment       text[] NOT NULL DEFAULT '{}',
    -- JOB_OPENING
    positions       int CHECK (positions > 0),
    filled          int CHECK (filled >= 0),
    salary_min      int CHECK (salary_min >= 0),
    salary_max      int CHECK (salary_max >= salary_min),
    employment_type text CHECK (employment_type IN ('FULL_TIME', 'PART_TIME', 'INTERNSHIP', 'APPRENTICESHIP', 'CONTRACT')),
    opening_status  text CHECK (opening_status IN ('OPEN', 'FILLED', 'CLOSED')),
    closes_on       date,
    -- TEACHER
    teacher_name    text,
    teacher_title   text,
    dual_qualified  boolean,
    years_experience int CHECK (years_experience >= 0),
    -- TRAINING_COURSE
    hours           int CHECK (hours > 0),
    seats           int CHECK (seats > 0),
    enrolled        int CHECK (enrolled >= 0),
    starts_on       date,
    ends_on         date CHECK (ends_on >= starts_on),
    facility_id     bigint REFERENCES resource (id),
    -- COMPETITION_RESULT
    competition     text,
    competition_level text CHECK (competition_level IN ('WORLD', 'NATIONAL', 'PROVINCIAL', 'CITY')),
    award           text CHECK (award IN ('GOLD', 'SILVER', 'BRONZE', 'EXCELLENCE', 'PARTICIPATION')),
    awarded_on      date,
    talent_id       bigint,
    skill_id        bigint REFERENCES skill (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((category = 'TRAINING_FACILITY') = (capacity IS NOT NULL)),
    CHECK ((category = 'JOB_OPENING') = (positions IS NOT NULL AND filled IS NOT NULL AND opening_status IS NOT NULL AND employment_type IS NOT NULL)),
    CHECK (filled IS NULL OR filled <= positions),
    CHECK ((category = 'TEACHER') = (teacher_name IS NOT NULL AND dual_qualified IS NOT NULL)),
    CHECK ((category = 'TRAINING_COURSE') = (hours IS NOT NULL AND seats IS NOT NULL AND enrolled IS NOT NULL)),
    CHECK (enrolled IS NULL OR enrolled <= seats),
    CHECK ((category = 'COMPETITION_RESULT') = (competition IS NOT NULL AND competition_level IS NOT NULL AND award IS NOT NULL AND awarded_on IS NOT NULL))
);
CREATE INDEX resource_alliance_shared ON resource (alliance_id, shared_on, id);
CREATE INDEX resource_shared ON resource (shared_on, id);
CREATE INDEX resource_category_shared ON resource (category, shared_on, id);
CREATE INDEX resource_provider_shared ON resource (provider_id, shared_on, id);
CREATE INDEX resource_training_center ON resource (training_center_id) WHERE training_center_id IS NOT NULL;
CREATE INDEX resource_facility ON resource (facility_id) WHERE facility_id IS NOT NULL;
CREATE INDEX resource_result_talent ON resource (talent_id) WHERE talent_id IS NOT NULL;
CREATE INDEX resource_result_skill ON resource (skill_id) WHERE skill_id IS NOT NULL;
CREATE INDEX resource_open_jobs ON resource (opening_status, shared_on, id) WHERE category = 'JOB_OPENING';
CREATE INDEX resource_title_en_trgm ON resource USING gin (title_en gin_trgm_ops);
CREATE INDEX resource_title_zh_trgm ON resource USING gin (title_zh gin_trgm_ops);

-- Members a resource is shared with when it is not shared with the whole alliance.
CREATE TABLE resource_share (
    resource_id     bigint NOT NULL REFERENCES resource (id) ON DELETE CASCADE,
    organization_id bigint NOT NULL REFERENCES organization (id),
    PRIMARY KEY (resource_id, organization_id)
);
CREATE INDEX resource_share_organization ON resource_share (organization_id);

-- Skills linked to a resource: required by an opening, taught by a course, or a
-- teacher's expertise. Level is 1 (basic) to 5 (expert).
CREATE TABLE resource_skill (
    resource_id bigint NOT NULL REFERENCES resource (id) ON DELETE CASCADE,
    skill_id    bigint NOT NULL REFERENCES skill (id),
    level       smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (resource_id, skill_id)
);
CREATE INDEX resource_skill_skill ON resource_skill (skill_id, resource_id);

CREATE TABLE course_teacher (
    course_id  bigint NOT NULL REFERENCES resource (id) ON DELETE CASCADE,
    teacher_id bigint NOT NULL REFERENCES resource (id),
    PRIMARY KEY (course_id, teacher_id)
);
CREATE INDEX course_teacher_teacher ON course_teacher (teacher_id, course_id);

CREATE TABLE talent (
    id            bigserial PRIMARY KEY,
    alliance_id   bigint NOT NULL REFERENCES alliance (id),
    full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    name_zh       text NOT NULL DEFAULT '',
    email         text,
    phone         text,
    birth_date    date,
    status        text NOT NULL CHECK (status IN ('STUDENT', 'TRAINEE', 'EMPLOYED', 'JOB_SEEKING')),
    school_id     bigint REFERENCES organization (id),
    employer_id   bigint REFERENCES organization (id),
    graduation_year int CHECK (graduation_year BETWEEN 1950 AND 2100),
    registered_on date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX talent_alliance_registered ON talent (alliance_id, registered_on, id);
CREATE INDEX talent_registered ON talent (registered_on, id);
CREATE INDEX talent_school ON talent (school_id, registered_on, id);
CREATE INDEX talent_employer ON talent (employer_id, registered_on, id);

ALTER TABLE resource ADD CONSTRAINT resource_talent_fk FOREIGN KEY (talent_id) REFERENCES talent (id);

CREATE TABLE talent_skill (
    talent_id    bigint NOT NULL REFERENCES talent (id) ON DELETE CASCADE,
    skill_id     bigint NOT NULL REFERENCES skill (id),
    level        smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    certified_on date,
    PRIMARY KEY (talent_id, skill_id)
);
CREATE INDEX talent_skill_skill ON talent_skill (skill_id, talent_id);

-- Courses a talent has taken or is taking.
CREATE TABLE enrollment (
    talent_id   bigint NOT NULL REFERENCES talent (id) ON DELETE CASCADE,
    course_id   bigint NOT NULL REFERENCES resource (id),
    enrolled_on date NOT NULL,
    completed   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (talent_id, course_id)
);
CREATE INDEX enrollment_course ON enrollment (course_id, talent_id);

-- An application of a talent to an opening, and what became of it.
CREATE TABLE placement (
    id         bigserial PRIMARY KEY,
    opening_id bigint NOT NULL REFERENCES resource (id),
    talent_id  bigint NOT NULL REFERENCES talent (id),
    status     text NOT NULL CHECK (status IN ('APPLIED', 'SHORTLISTED', 'HIRED', 'REJECTED', 'WITHDRAWN')),
    applied_on date NOT NULL,
    hired_on   date CHECK (hired_on >= applied_on),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (opening_id, talent_id),
    CHECK ((status = 'HIRED') = (hired_on IS NOT NULL))
);
CREATE INDEX placement_opening ON placement (opening_id, applied_on, id);
CREATE INDEX placement_talent ON placement (talent_id, applied_on, id);

-- +goose Down
DROP TABLE placement;
DROP TABLE enrollment;
DROP TABLE talent_skill;
ALTER TABLE resource DROP CONSTRAINT resource_talent_fk;
DROP TABLE talent;
DROP TABLE course_teacher;
DROP TABLE resource_skill;
DROP TABLE resource_share;
DROP TABLE resource;
DROP TABLE skill;
DROP TABLE training_center_link;
DROP TABLE training_center;
DROP TABLE partnership_participant;
DROP TABLE partnership;
DROP TABLE membership;
DROP TABLE organization;
DROP TABLE alliance;
