-- +goose Up
-- Every committed event wakes the servers listening on channel alliance_event, whichever
-- process (or plain SQL) wrote it. NOTIFY is delivered only on commit; the payload is
-- just the id, and listeners read the rows themselves, in id (= commit) order.

-- +goose StatementBegin
CREATE FUNCTION event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('alliance_event', NEW.id::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER event_notify AFTER INSERT ON event
    FOR EACH ROW EXECUTE FUNCTION event_notify();

-- +goose Down
DROP TRIGGER event_notify ON event;
DROP FUNCTION event_notify();
