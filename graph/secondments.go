package graph

import (
	"context"
	"time"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/errcode"
	"github.com/alliance-graph/alliance-graph/internal/loader"
	"github.com/alliance-graph/alliance-graph/internal/secondment"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

func wrapSecondment(s *store.Secondment) *model.Secondment { return &model.Secondment{Secondment: *s} }

// secondmentFilter reads the arguments of a list of secondments; a window given at both
// ends is bounded, which bounds what reading it costs.
func secondmentFilter(states []secondment.State, from, to *time.Time) (store.SecondmentFilter, error) {
	if from != nil && to != nil {
		if p := secondment.CheckWindow(secondment.Period{From: *from, To: *to}); p != nil {
			return store.SecondmentFilter{}, errcode.BadInput(p.Field, "%s", p.Message)
		}
	}
	return store.SecondmentFilter{States: states, From: from, To: to}, nil
}

// secondmentsOf pages the secondments l lists for parent; the loaders list none for a
// viewer who may not see secondments.
func secondmentsOf(ctx context.Context, l *loader.Paged[store.SecondmentFilter, store.Secondment], parent int64, states []secondment.State, from, to *time.Time,
	first *int, after *string, last *int, before *string) (*model.SecondmentConnection, error) {
	f, err := secondmentFilter(states, from, to)
	if err != nil {
		return nil, err
	}
	return nestedPage(ctx, pageArgs{first, after, last, before, nil, "START"}, f,
		func(context.Context, store.SecondmentFilter) (store.SecondmentFilter, error) { return f, nil },
		l, parent, wrapSecondment)
}

func teacherSecondments(ctx context.Context, obj *model.Teacher, states []secondment.State, from, to *time.Time, first *int, after *string, last *int, before *string) (*model.SecondmentConnection, error) {
	return secondmentsOf(ctx, loader.From(ctx).TeacherSecondments, obj.Resource.ID, states, from, to, first, after, last, before)
}

func orgSecondments(ctx context.Context, org int64, states []secondment.State, from, to *time.Time, first *int, after *string, last *int, before *string) (*model.SecondmentConnection, error) {
	return secondmentsOf(ctx, loader.From(ctx).OrgSecondments, org, states, from, to, first, after, last, before)
}
