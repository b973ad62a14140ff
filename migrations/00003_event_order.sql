-- +goose Up
-- Event ids follow commit order, so that a reader who has seen event N and asks for the
-- events after N (a dashboard resuming, a replica replaying) can never miss one that was
-- still uncommitted when it read. A bigserial alone does not promise this: a transaction
-- can draw id 10, another id 11 and commit first. Here every insert first takes a
-- transaction-level advisory lock, held until commit, and only then draws its id; event
-- writers therefore commit one after another, in id order. Writes to the log are rare
-- and short (one row at the end of a mutation), so the lock costs little.

-- +goose StatementBegin
CREATE FUNCTION event_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('alliance-graph.event'));
    NEW.id := nextval(pg_get_serial_sequence('event', 'id'));
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER event_in_commit_order BEFORE INSERT ON event
    FOR EACH ROW EXECUTE FUNCTION event_in_commit_order();

-- +goose Down
DROP TRIGGER event_in_commit_order ON event;
DROP FUNCTION event_in_commit_order();
