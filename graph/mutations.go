package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/alliance-graph/alliance-graph/graph/model"
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/change"
	"github.com/alliance-graph/alliance-graph/internal/policy"
)

// outcome splits a change's result: refused input becomes user errors for the payload,
// any other error (forbidden, internal) becomes a GraphQL error.
func outcome(err error) ([]*change.UserError, error) {
	var refused *change.Refused
	if errors.As(err, &refused) {
		out := make([]*change.UserError, len(refused.Errors))
		for i := range refused.Errors {
			out[i] = &refused.Errors[i]
		}
		return out, nil
	}
	return []*change.UserError{}, err
}

// applied wraps the changed row when the change happened.
func applied[T any, N any](row *T, userErrors []*change.UserError, wrap func(*T) N) N {
	var zero N
	if row == nil || len(userErrors) > 0 {
		return zero
	}
	return wrap(row)
}

// Directives returns the implementations of the schema's directives; both defer to the
// policy package.
func Directives() DirectiveRoot {
	return DirectiveRoot{
		Requires: func(ctx context.Context, _ any, next graphql.Resolver, roles []auth.Role) (any, error) {
			if err := policy.RequireRole(auth.ViewerFrom(ctx), "use "+graphql.GetFieldContext(ctx).Field.Name, roles...); err != nil {
				return nil, err
			}
			return next(ctx)
		},
		Personal: func(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
			v := auth.ViewerFrom(ctx)
			var see bool
			switch o := obj.(type) {
			case *model.Talent:
				see = policy.SeePersonal(v, &o.Talent)
			case *model.Placement:
				var err error
				if see, err = seeStartingSalary(ctx, o); err != nil {
					return nil, err
				}
			}
			if !see {
				return nil, policy.PersonalDenied(v)
			}
			return next(ctx)
		},
	}
}
