-- +goose Up
-- Class meetings were booked under their course's title ("Class: ..."), which anyone who
-- sees the facility's bookings reads, while the course may be shared with named members
-- only. They now read "Class meeting"; the booking's course names the course to those who
-- may see it.
UPDATE facility_booking SET purpose = 'Class meeting' WHERE course_id IS NOT NULL AND purpose <> 'Class meeting';

-- +goose Down
-- The titles are not written back: they are the courses' own, read through course_id by
-- those who may see them.
SELECT 1;
