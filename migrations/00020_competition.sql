-- +goose Up
-- The alliance's calendar of skills competitions: the editions held, whose results
-- members share as COMPETITION_RESULT resources, and those still to come, so that
-- schools can plan whom to train for what.
CREATE TABLE competition (
    id          bigserial PRIMARY KEY,
    alliance_id bigint NOT NULL REFERENCES alliance (id),
    name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 300),
    name_zh     text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 300),
    level       text NOT NULL CHECK (level IN ('WORLD', 'NATIONAL', 'PROVINCIAL', 'CITY')),
    held_on     date NOT NULL,
    UNIQUE (alliance_id, name_en, held_on)
);
CREATE INDEX competition_held ON competition (alliance_id, held_on, id);

-- +goose Down
DROP TABLE competition;
