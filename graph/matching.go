package graph

import (
	"context"
	"errors"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// TODO(matching): implemented on the matching branch.
var errMatchingPending = errors.New("matching is not implemented yet")

func openingMatches(ctx context.Context, o *model.JobOpening, first *int, after *string, minScore *float64, statuses []store.TalentStatus) (*model.TalentMatchConnection, error) {
	return nil, errMatchingPending
}

func openingGapCourses(ctx context.Context, o *model.JobOpening, talent *string, first *int) ([]*model.GapCourse, error) {
	return nil, errMatchingPending
}

func recommendedOpenings(ctx context.Context, t *model.Talent, first *int, after *string, minScore *float64) (*model.OpeningMatchConnection, error) {
	return nil, errMatchingPending
}

func (r *Resolver) skillGap(ctx context.Context, alliance *string, filter *model.SkillGapFilter, orderBy *model.Order, first *int, after *string) (*model.SkillGapConnection, error) {
	return nil, errMatchingPending
}
