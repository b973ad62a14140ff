package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/alliance-graph/alliance-graph/graph/model"
)

// inputFilters translate a connection's filter argument, as the one-statement planner
// reads it from the document (gqlgen's argument map: validated against the schema, but
// not bound to Go types), to the store filter with the resolvers' own converters, by the
// argument's input type. A filter of a type not listed here goes to the resolvers.
func inputFilters(r *Resolver) map[string]inputFilter {
	return map[string]inputFilter{
		"OrganizationFilter":   bindFilter(organizationFilter),
		"MembershipFilter":     bindFilter(membershipFilter),
		"PartnershipFilter":    bindFilter(partnershipFilter),
		"ResourceFilter":       bindFilter(resourceFilter),
		"JobOpeningFilter":     bindFilter(jobOpeningFilter),
		"SkillFilter":          bindFilter(skillFilter),
		"TrainingCenterFilter": bindFilter(trainingCenterFilter),
		"TalentFilter":         bindFilter(talentFilter),
		"PlacementFilter":      bindFilter(placementFilter),
		"EventFilter":          bindFilter(eventFilter),
		"TrainingCourseFilter": bindFilter(r.courseFilter),
	}
}

// inputFilter translates a raw filter argument to a store filter.
type inputFilter func(context.Context, any) (any, error)

// bindFilter binds a raw filter to the model's input type M (nil when absent, as gqlgen
// passes it) and converts it as the resolvers do.
func bindFilter[M any, F any](convert func(context.Context, *M) (F, error)) inputFilter {
	return func(ctx context.Context, raw any) (any, error) {
		var m *M
		if raw != nil {
			m = new(M)
			if err := bindInput(raw, reflect.ValueOf(m).Elem()); err != nil {
				return nil, fmt.Errorf("bind %T: %w", *m, err)
			}
		}
		return convert(ctx, m)
	}
}

var (
	timeType = reflect.TypeFor[time.Time]()
	// DateTime and Date are both time.Time in Go, told apart only by the range type:
	// binding reads the ends of a DateTimeRange as instants, every other time as a date.
	dateTimeRangeType = reflect.TypeFor[model.DateTimeRange]()
)

// bindInput sets dst from a value of gqlgen's argument map: objects by the fields' json
// names, lists, strings (enums and IDs), numbers, booleans and dates. Anything it cannot
// bind exactly (an unknown field, a type it does not know) is an error, and the query
// goes to the resolvers.
func bindInput(raw any, dst reflect.Value) error {
	if raw == nil {
		dst.SetZero()
		return nil
	}
	switch {
	case dst.Kind() == reflect.Pointer:
		v := reflect.New(dst.Type().Elem())
		if err := bindInput(raw, v.Elem()); err != nil {
			return err
		}
		dst.Set(v)
		return nil
	case dst.Type() == dateTimeRangeType:
		// Its ends are instants, where every other time.Time of the inputs is a date.
		m, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("%T is not an input object", raw)
		}
		var r model.DateTimeRange
		for k, v := range m {
			var end **time.Time
			switch k {
			case "from":
				end = &r.From
			case "to":
				end = &r.To
			default:
				return fmt.Errorf("no input field %q in %s", k, dst.Type())
			}
			if v == nil {
				continue
			}
			t, err := model.UnmarshalDateTime(v)
			if err != nil {
				return err
			}
			*end = &t
		}
		dst.Set(reflect.ValueOf(r))
		return nil
	case dst.Type() == timeType:
		t, err := model.UnmarshalDate(raw)
		if err != nil {
			return err
		}
		dst.Set(reflect.ValueOf(t))
		return nil
	}
	switch dst.Kind() {
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("%T is not an input object", raw)
		}
		fields := map[string]int{}
		for i := range dst.NumField() {
			name, _, _ := strings.Cut(dst.Type().Field(i).Tag.Get("json"), ",")
			fields[name] = i
		}
		for k, v := range m {
			i, ok := fields[k]
			if !ok {
				return fmt.Errorf("no input field %q in %s", k, dst.Type())
			}
			if err := bindInput(v, dst.Field(i)); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		return nil
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			// A single value where a list is expected is a list of one (input coercion).
			list = []any{raw}
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, v := range list {
			if err := bindInput(v, s.Index(i)); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%T is not a string", raw)
		}
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return fmt.Errorf("%T is not a boolean", raw)
		}
		dst.SetBool(b)
		return nil
	case reflect.Int:
		if n, ok := raw.(json.Number); ok {
			raw = string(n)
		}
		n, err := graphql.UnmarshalInt(raw)
		if err != nil {
			return err
		}
		dst.SetInt(int64(n))
		return nil
	}
	return fmt.Errorf("cannot bind %s", dst.Type())
}
