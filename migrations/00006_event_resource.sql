-- +goose Up
-- The resource an event concerns, if any, so that events about resources shared with
-- named members only reach only those who may see the resource.
-- restricted marks those events, so that readers check visibility only for them.
ALTER TABLE event ADD COLUMN resource_id bigint REFERENCES resource (id);
ALTER TABLE event ADD COLUMN restricted boolean NOT NULL DEFAULT false;
CREATE INDEX event_resource ON event (resource_id) WHERE restricted;

-- +goose Down
ALTER TABLE event DROP COLUMN restricted;
ALTER TABLE event DROP COLUMN resource_id;
