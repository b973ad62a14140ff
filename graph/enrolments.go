package graph

import (
	"context"
	"fmt"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/enrolment"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

func wrapEnrollment(e *store.Enrollment) *model.Enrollment { return &model.Enrollment{Enrollment: *e} }
func wrapCertificate(c *store.Certificate) *model.Certificate {
	return &model.Certificate{Certificate: *c}
}

// courseTrainees pages a course's enrolments; the loader reads only those the viewer's
// enrolment scope sees.
func courseTrainees(ctx context.Context, obj *model.TrainingCourse, states []enrolment.State, first *int, after *string, last *int, before *string) (*model.EnrollmentConnection, error) {
	f := store.EnrollmentFilter{States: states}
	return nestedPage(ctx, pageArgs{first, after, last, before, nil, "APPLIED_AT"}, f,
		func(context.Context, store.EnrollmentFilter) (store.EnrollmentFilter, error) { return f, nil },
		loader.From(ctx).CourseTrainees, obj.Resource.ID, wrapEnrollment)
}

// wrapAll wraps a list of rows.
func wrapAll[T any, N any](rows []T, wrap func(*T) N) []N {
	out := make([]N, len(rows))
	for i := range rows {
		out[i] = wrap(&rows[i])
	}
	return out
}

func talentEnrollments(ctx context.Context, obj *model.Talent) ([]*model.Enrollment, error) {
	rows, err := loader.From(ctx).TalentEnrollments.Load(ctx, obj.Talent.ID)
	if err != nil {
		return nil, fmt.Errorf("load enrolments of talent %d: %w", obj.Talent.ID, err)
	}
	return wrapAll(rows, wrapEnrollment), nil
}

func talentCertificates(ctx context.Context, obj *model.Talent) ([]*model.Certificate, error) {
	rows, err := loader.From(ctx).TalentCertificates.Load(ctx, obj.Talent.ID)
	if err != nil {
		return nil, fmt.Errorf("load certificates of talent %d: %w", obj.Talent.ID, err)
	}
	return wrapAll(rows, wrapCertificate), nil
}

func enrollmentCertificates(ctx context.Context, obj *model.Enrollment) ([]*model.Certificate, error) {
	rows, err := loader.From(ctx).EnrollmentCertificates.Load(ctx, obj.Enrollment.ID)
	if err != nil {
		return nil, fmt.Errorf("load certificates of enrolment %d: %w", obj.Enrollment.ID, err)
	}
	return wrapAll(rows, wrapCertificate), nil
}
