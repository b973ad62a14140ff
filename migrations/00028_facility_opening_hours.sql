-- +goose Up
-- A facility's weekly opening hours, in Shenyang's time: a JSON array of stretches
-- {"day": 0-6 (Sunday first, as Go's time.Weekday), "opens": minutes after midnight,
-- "closes": minutes after midnight}. NULL: always open. Bookings must lie within one
-- stretch; its free time and utilization are counted within them. The rules live in
-- internal/booking, which reads the week whole, so it is kept whole.
ALTER TABLE resource ADD COLUMN opening_hours jsonb
    CHECK (opening_hours IS NULL OR (category = 'TRAINING_FACILITY' AND jsonb_typeof(opening_hours) = 'array'));

-- +goose Down
ALTER TABLE resource DROP COLUMN opening_hours;
