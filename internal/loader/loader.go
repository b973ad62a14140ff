// Package loader batches the store lookups of one GraphQL request: every related object
// or nested page that resolvers ask for while the rest of the request's fields catch up
// is fetched in one statement, so the number of SQL statements depends on the shape of a
// query, never on the number of objects it returns or on how fast the machine runs it.
package loader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// ErrNotFound reports that no row has the requested key.
var ErrNotFound = store.ErrNotFound

// Loaders holds one request's loaders. Create it per request: loaders cache results for
// their lifetime and run each batch with the context of its first caller.
type Loaders struct {
	Alliance       *Batcher[int64, *store.Alliance]
	Organization   *Batcher[int64, *store.Organization]
	Membership     *Batcher[int64, *store.Membership]
	Partnership    *Batcher[int64, *store.Partnership]
	TrainingCenter *Batcher[int64, *store.TrainingCenter]
	Resource       *Batcher[int64, *store.Resource]
	Skill          *Batcher[int64, *store.Skill]
	Talent         *Batcher[int64, *store.Talent]
	Placement      *Batcher[int64, *store.Placement]
	Event          *Batcher[int64, *store.Event]
	// Booking reads facility bookings; none unless the viewer may see bookings.
	Booking *Batcher[int64, *store.Booking]
	// Competition reads competition editions, which everyone may see.
	Competition *Batcher[int64, *store.Competition]
	// CompetitionSkills, RegistrationCounts and CompetitionResults read what an edition
	// contests, how many talents it has (a number everyone may read) and its results the
	// viewer sees; Registration and CompetitionRegistrations read entries within the
	// viewer's registration scope.
	CompetitionSkills        *Batcher[int64, []store.CompetitionSkill]
	RegistrationCounts       *Batcher[int64, int]
	CompetitionResults       *Paged[store.EditionResultFilter, store.Resource]
	Registration             *Batcher[int64, *store.Registration]
	CompetitionRegistrations *Paged[store.RegistrationFilter, store.Registration]
	// Enrollment and Certificate read those the viewer's enrolment scope sees.
	Enrollment  *Batcher[int64, *store.Enrollment]
	Certificate *Batcher[int64, *store.Certificate]
	// Person reads talents' personal data; resolvers use it only where policy allows.
	Person *Batcher[int64, *store.Person]

	Participants     *Batcher[int64, []store.Participant]
	Invitations      *Batcher[int64, []store.Invitation]
	InvitationsTo    *Batcher[int64, []store.Invitation]
	MembershipsOfOrg *Batcher[int64, []store.Membership]
	CentersOfOrg     *Batcher[int64, []store.Link]
	SharedWith       *Batcher[int64, []store.Link]
	ResourceSkills   *Batcher[int64, []store.SkillLevel]
	CourseTeachers   *Batcher[int64, []store.Link]
	CenterFacilities *Batcher[int64, []store.Resource]
	CenterLinks      *Batcher[int64, []store.Link]
	SkillChildren    *Batcher[int64, []store.Skill]
	TalentSkills     *Batcher[int64, []store.SkillLevel]
	TalentCourses    *Batcher[int64, []store.Link]
	TalentResults    *Batcher[int64, []store.Resource]
	TalentPlacements *Batcher[int64, []store.Placement]
	// HirePartnership is the order class or apprenticeship a hire came through, by
	// placement; placements that came through none are absent (ErrNotFound).
	HirePartnership *Batcher[int64, int64]

	AllianceMembers      *Paged[store.MembershipFilter, store.Membership]
	AlliancePartnerships *Paged[store.PartnershipFilter, store.Partnership]
	AllianceCenters      *Paged[store.TrainingCenterFilter, store.TrainingCenter]
	AllianceResources    *Paged[store.ResourceFilter, store.Resource]
	ParkCompanies        *Paged[store.OrganizationFilter, store.Organization]
	OrgPartnerships      *Paged[store.PartnershipFilter, store.Partnership]
	Partners             *Paged[store.OrganizationFilter, store.Partner]
	SharedPartnerships   *Batcher[PairKey, []store.Partnership]
	ProviderResources    *Paged[store.ResourceFilter, store.Resource]
	CompanyJobOpenings   *Paged[store.JobOpeningFilter, store.Resource]
	SkillJobOpenings     *Paged[store.JobOpeningFilter, store.Resource]
	SkillTeachers        *Paged[store.Scope, store.Resource]
	OpeningPlacements    *Paged[store.PlacementFilter, store.Placement]
	Courses              map[store.CourseParent]*Paged[store.CourseFilter, store.Resource]
	Talents              map[store.TalentParent]*Paged[store.TalentFilter, store.Talent]

	OpeningMatches      *Paged[store.MatchFilter, store.Match]
	RecommendedOpenings *Paged[store.OpeningMatchFilter, store.Match]
	GapCourses          *Grouped[store.GapCourseFilter, []store.GapCourse]
	// FacilityBookings pages a facility's bookings: empty unless the viewer may see
	// bookings. Busy is the time its standing bookings take, which everyone who sees
	// the facility may know (its free time).
	FacilityBookings *Paged[store.BookingFilter, store.Booking]
	Busy             *Grouped[store.BookingFilter, []store.Booking]
	// Secondment reads teacher secondments; TeacherSecondments and OrgSecondments page
	// a teacher's and an organization's (of the teachers the viewer sees). All three
	// are empty unless the viewer may see secondments.
	Secondment         *Batcher[int64, *store.Secondment]
	TeacherSecondments *Paged[store.SecondmentFilter, store.Secondment]
	OrgSecondments     *Paged[store.SecondmentFilter, store.Secondment]
	// CourseTrainees pages a course's enrolments, TalentEnrollments and the certificate
	// lists group them: all within the viewer's enrolment scope, which the loaders set.
	CourseTrainees         *Paged[store.EnrollmentFilter, store.Enrollment]
	TalentEnrollments      *Batcher[int64, []store.Enrollment]
	TalentCertificates     *Batcher[int64, []store.Certificate]
	EnrollmentCertificates *Batcher[int64, []store.Certificate]
	// EventVersion reads the event log's position once per request, for the answers kept
	// until it moves.
	EventVersion *Batcher[struct{}, int64]
}

// New creates the loaders of one request with the given batch timing. v is what the
// request's viewer may see: every loader that returns resource rows, rows that lead to
// one, or events reads through it, so a related row the viewer may not see is absent,
// exactly as if it did not exist.
func New(s *store.Store, t Timing, v store.Visibility) *Loaders {
	return newLoaders(s, t, v, nil)
}

func newLoaders(s *store.Store, t Timing, v store.Visibility, track *tracker) *Loaders {
	sched := newScheduler()
	sched.track = track
	scope := v.Resources
	l := &Loaders{
		Alliance:       newBatcher(sched, t, s.AlliancesByID),
		Organization:   newBatcher(sched, t, s.OrganizationsByID),
		Membership:     newBatcher(sched, t, s.MembershipsByID),
		Partnership:    newBatcher(sched, t, s.PartnershipsByID),
		TrainingCenter: newBatcher(sched, t, s.TrainingCentersByID),
		Resource:       newBatcher(sched, t, scoped(scope, s.ResourcesByID)),
		Skill:          newBatcher(sched, t, s.SkillsByID),
		Talent:         newBatcher(sched, t, s.TalentsByID),
		Placement:      newBatcher(sched, t, scoped(scope, s.PlacementsByID)),
		Event: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64]*store.Event, error) {
			return s.EventsByID(ctx, v, ids)
		}),
		Person: newBatcher(sched, t, s.PersonsByID),
		Enrollment: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64]*store.Enrollment, error) {
			return s.EnrollmentsByID(ctx, v, ids)
		}),
		Certificate: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64]*store.Certificate, error) {
			return s.CertificatesByID(ctx, v, ids)
		}),
		TalentEnrollments: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64][]store.Enrollment, error) {
			return s.EnrollmentsOfTalents(ctx, v, ids)
		}),
		TalentCertificates: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64][]store.Certificate, error) {
			return s.CertificatesOfTalents(ctx, v, ids)
		}),
		EnrollmentCertificates: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64][]store.Certificate, error) {
			return s.CertificatesOfEnrollments(ctx, v, ids)
		}),
		Booking: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64]*store.Booking, error) {
			return s.BookingsByID(ctx, v, ids)
		}),
		Competition:        newBatcher(sched, t, s.CompetitionsByID),
		CompetitionSkills:  newBatcher(sched, t, s.SkillsOfCompetitions),
		RegistrationCounts: newBatcher(sched, t, s.RegistrationCounts),
		CompetitionResults: newPaged(
			func(ctx context.Context, ids []int64, f store.EditionResultFilter, o store.Order, p store.Page) (map[int64]store.Result[store.Resource], error) {
				return s.ResultsOfCompetitions(ctx, scope, ids, f, o, p)
			},
			func(ctx context.Context, ids []int64, f store.EditionResultFilter) (map[int64]int, error) {
				return s.CountResultsOfCompetitions(ctx, scope, ids, f)
			}, sched, t),
		Registration: newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64]*store.Registration, error) {
			return s.RegistrationsByID(ctx, v.Registrations, ids)
		}),
		CompetitionRegistrations: newPaged(
			func(ctx context.Context, ids []int64, f store.RegistrationFilter, o store.Order, p store.Page) (map[int64]store.Result[store.Registration], error) {
				return s.RegistrationsOfCompetitions(ctx, v.Registrations, ids, f, o, p)
			},
			func(ctx context.Context, ids []int64, f store.RegistrationFilter) (map[int64]int, error) {
				return s.CountRegistrationsOfCompetitions(ctx, v.Registrations, ids, f)
			}, sched, t),

		Participants:     newBatcher(sched, t, s.ParticipantsOf),
		Invitations:      newBatcher(sched, t, s.InvitationsOf),
		InvitationsTo:    newBatcher(sched, t, s.PendingInvitationsTo),
		MembershipsOfOrg: newBatcher(sched, t, s.MembershipsOfOrganizations),
		CentersOfOrg:     newBatcher(sched, t, s.TrainingCenterIDsOfOrganizations),
		SharedWith:       newBatcher(sched, t, s.SharedWith),
		ResourceSkills:   newBatcher(sched, t, s.SkillsOfResources),
		CourseTeachers:   newBatcher(sched, t, scoped(scope, s.TeachersOfCourses)),
		CenterFacilities: newBatcher(sched, t, scoped(scope, s.FacilitiesOfCenters)),
		CenterLinks:      newBatcher(sched, t, s.LinksOfCenters),
		SkillChildren:    newBatcher(sched, t, s.ChildrenOfSkills),
		TalentSkills:     newBatcher(sched, t, s.SkillsOfTalents),
		TalentCourses:    newBatcher(sched, t, scoped(scope, s.CoursesOfTalents)),
		TalentResults:    newBatcher(sched, t, scoped(scope, s.ResultsOfTalents)),
		TalentPlacements: newBatcher(sched, t, scoped(scope, s.PlacementsOfTalents)),
		HirePartnership:  newBatcher(sched, t, s.HirePartnerships),

		AllianceMembers:      newPaged(s.AllianceMembers, s.CountAllianceMembers, sched, t),
		AlliancePartnerships: newPaged(s.AlliancePartnerships, s.CountAlliancePartnerships, sched, t),
		AllianceCenters:      newPaged(s.AllianceTrainingCenters, s.CountAllianceTrainingCenters, sched, t),
		AllianceResources:    newPaged(s.AllianceResources, s.CountAllianceResources, sched, t),
		ParkCompanies:        newPaged(s.ParkCompanies, s.CountParkCompanies, sched, t),
		OrgPartnerships:      newPaged(s.OrganizationPartnerships, s.CountOrganizationPartnerships, sched, t),
		Partners:             newPaged(s.Partners, s.CountPartners, sched, t),
		SharedPartnerships:   newBatcher(sched, t, sharedPartnerships(s)),
		ProviderResources:    newPaged(s.ProviderResources, s.CountProviderResources, sched, t),
		CompanyJobOpenings:   newPaged(s.CompanyJobOpenings, s.CountCompanyJobOpenings, sched, t),
		SkillJobOpenings:     newPaged(s.SkillJobOpenings, s.CountSkillJobOpenings, sched, t),
		OpeningPlacements:    newPaged(s.OpeningPlacements, s.CountOpeningPlacements, sched, t),
		SkillTeachers: newPaged(
			func(ctx context.Context, skills []int64, scope store.Scope, _ store.Order, p store.Page) (map[int64]store.Result[store.Resource], error) {
				return s.SkillTeachers(ctx, skills, scope, p)
			},
			func(ctx context.Context, skills []int64, scope store.Scope) (map[int64]int, error) {
				return s.CountSkillTeachers(ctx, skills, scope)
			}, sched, t),
		Courses: map[store.CourseParent]*Paged[store.CourseFilter, store.Resource]{},
		Talents: map[store.TalentParent]*Paged[store.TalentFilter, store.Talent]{},

		// Matches have one order, by score; the page key's order stays empty.
		OpeningMatches: newPaged(
			func(ctx context.Context, openings []int64, f store.MatchFilter, _ store.Order, p store.Page) (map[int64]store.Result[store.Match], error) {
				return s.OpeningMatches(ctx, openings, f, p)
			}, s.CountOpeningMatches, sched, t),
		RecommendedOpenings: newPaged(
			func(ctx context.Context, talents []int64, f store.OpeningMatchFilter, _ store.Order, p store.Page) (map[int64]store.Result[store.Match], error) {
				return s.RecommendedOpenings(ctx, talents, f, p)
			}, s.CountRecommendedOpenings, sched, t),
		GapCourses: newGrouped(s.GapCourses, sched, t),
		Busy:       newGrouped(s.BusyPeriods, sched, t),
	}
	l.FacilityBookings = newPaged(s.FacilityBookings, s.CountFacilityBookings, sched, t)
	l.CourseTrainees = newPaged(
		func(ctx context.Context, courses []int64, f store.EnrollmentFilter, o store.Order, p store.Page) (map[int64]store.Result[store.Enrollment], error) {
			f.Visibility = v
			return s.CourseTrainees(ctx, courses, f, o, p)
		},
		func(ctx context.Context, courses []int64, f store.EnrollmentFilter) (map[int64]int, error) {
			f.Visibility = v
			return s.CountCourseTrainees(ctx, courses, f)
		}, sched, t)
	if !v.Bookings {
		l.FacilityBookings = newPaged(noPages[store.BookingFilter, store.Booking], noCounts[store.BookingFilter], sched, t)
	}
	l.secondments(s, sched, t, v)
	for _, via := range []store.CourseParent{store.CoursesOfCenter, store.CoursesOfFacility, store.CoursesOfTeacher, store.CoursesOfSkill} {
		l.Courses[via] = newPaged(
			func(ctx context.Context, parents []int64, f store.CourseFilter, ord store.Order, p store.Page) (map[int64]store.Result[store.Resource], error) {
				return s.NestedCourses(ctx, via, parents, f, ord, p)
			},
			func(ctx context.Context, parents []int64, f store.CourseFilter) (map[int64]int, error) {
				return s.CountNestedCourses(ctx, via, parents, f)
			}, sched, t)
	}
	for _, via := range []store.TalentParent{store.TalentsOfAlliance, store.TalentsOfSchool, store.TalentsOfEmployer, store.TalentsOfSkill, store.TalentsPendingFor} {
		l.Talents[via] = newPaged(
			func(ctx context.Context, parents []int64, f store.TalentFilter, ord store.Order, p store.Page) (map[int64]store.Result[store.Talent], error) {
				return s.NestedTalents(ctx, via, parents, f, ord, p)
			},
			func(ctx context.Context, parents []int64, f store.TalentFilter) (map[int64]int, error) {
				return s.CountNestedTalents(ctx, via, parents, f)
			}, sched, t)
	}
	l.EventVersion = newBatcher(sched, t, func(ctx context.Context, _ []struct{}) (map[struct{}]int64, error) {
		v, err := s.LatestEventID(ctx)
		return map[struct{}]int64{{}: v}, err
	})
	return l
}

// pageKey identifies one page of one parent's nested list. The query is the canonical
// JSON of the filter, order and page, so that identical requests share a batch and a
// cache entry while different ones are fetched separately.
type pageKey struct {
	parent int64
	query  string
}

type pageQuery[F any] struct {
	Filter F
	Order  store.Order
	Page   store.Page
}

// Paged loads one page of a nested list for many parents at once: each distinct
// (filter, order, page) among the batched keys becomes one statement.
type Paged[F any, T any] struct {
	pages  *Batcher[pageKey, store.Result[T]]
	counts *Batcher[pageKey, int]
}

func newPaged[F any, T any](
	list func(ctx context.Context, parents []int64, f F, o store.Order, p store.Page) (map[int64]store.Result[T], error),
	count func(ctx context.Context, parents []int64, f F) (map[int64]int, error),
	sched *scheduler,
	t Timing,
) *Paged[F, T] {
	return &Paged[F, T]{
		pages: newBatcher(sched, t, func(ctx context.Context, keys []pageKey) (map[pageKey]store.Result[T], error) {
			return fetchGrouped(ctx, keys, func(ctx context.Context, parents []int64, q pageQuery[F]) (map[int64]store.Result[T], error) {
				return list(ctx, parents, q.Filter, q.Order, q.Page)
			})
		}),
		counts: newBatcher(sched, t, func(ctx context.Context, keys []pageKey) (map[pageKey]int, error) {
			return fetchGrouped(ctx, keys, func(ctx context.Context, parents []int64, q pageQuery[F]) (map[int64]int, error) {
				return count(ctx, parents, q.Filter)
			})
		}),
	}
}

func fetchGrouped[F any, V any](ctx context.Context, keys []pageKey, fetch func(context.Context, []int64, pageQuery[F]) (map[int64]V, error)) (map[pageKey]V, error) {
	groups := map[string][]int64{}
	var order []string
	for _, k := range keys {
		if _, ok := groups[k.query]; !ok {
			order = append(order, k.query)
		}
		groups[k.query] = append(groups[k.query], k.parent)
	}
	out := make(map[pageKey]V, len(keys))
	for _, query := range order {
		var q pageQuery[F]
		if err := json.Unmarshal([]byte(query), &q); err != nil {
			return nil, fmt.Errorf("decode page query: %w", err)
		}
		values, err := fetch(ctx, groups[query], q)
		if err != nil {
			return nil, err
		}
		for parent, v := range values {
			out[pageKey{parent, query}] = v
		}
	}
	return out, nil
}

func key[F any](parent int64, q pageQuery[F]) (pageKey, error) {
	b, err := json.Marshal(q)
	if err != nil {
		return pageKey{}, fmt.Errorf("encode page query: %w", err)
	}
	return pageKey{parent, string(b)}, nil
}

// Load returns one page of parent's list.
func (p *Paged[F, T]) Load(ctx context.Context, parent int64, f F, o store.Order, pg store.Page) (store.Result[T], error) {
	k, err := key(parent, pageQuery[F]{f, o, pg})
	if err != nil {
		return store.Result[T]{}, err
	}
	return p.pages.Load(ctx, k)
}

// Count counts parent's whole list.
func (p *Paged[F, T]) Count(ctx context.Context, parent int64, f F) (int, error) {
	k, err := key(parent, pageQuery[F]{Filter: f})
	if err != nil {
		return 0, err
	}
	return p.counts.Load(ctx, k)
}

// Grouped loads a per-parent value that depends on arguments shared by the batch, such
// as an opening's gap courses for a given talent: each distinct filter among the batched
// keys becomes one statement.
type Grouped[F any, V any] struct {
	values *Batcher[pageKey, V]
}

func newGrouped[F any, V any](fetch func(ctx context.Context, parents []int64, f F) (map[int64]V, error), sched *scheduler, t Timing) *Grouped[F, V] {
	return &Grouped[F, V]{values: newBatcher(sched, t, func(ctx context.Context, keys []pageKey) (map[pageKey]V, error) {
		return fetchGrouped(ctx, keys, func(ctx context.Context, parents []int64, q pageQuery[F]) (map[int64]V, error) {
			return fetch(ctx, parents, q.Filter)
		})
	})}
}

// Load returns parent's value under f.
func (g *Grouped[F, V]) Load(ctx context.Context, parent int64, f F) (V, error) {
	k, err := key(parent, pageQuery[F]{Filter: f})
	if err != nil {
		var zero V
		return zero, err
	}
	return g.values.Load(ctx, k)
}

// NotFound reports whether err means the key had no row.
func NotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

type ctxKey struct{}

// With returns a context carrying the request's loaders.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For creates the loaders of one operation of the viewer in ctx: they see what policy
// lets that viewer see. In an operation tracked by Shapes.Track, they batch by its count
// of field resolutions, and t serves only as their limit of keys per batch.
func For(ctx context.Context, s *store.Store, t Timing) *Loaders {
	return newLoaders(s, t, policy.Visibility(auth.ViewerFrom(ctx)), trackerFrom(ctx))
}

// secondments sets the loaders of teacher secondments, which list none unless v may see
// secondments.
func (l *Loaders) secondments(s *store.Store, sched *scheduler, t Timing, v store.Visibility) {
	l.Secondment = newBatcher(sched, t, func(ctx context.Context, ids []int64) (map[int64]*store.Secondment, error) {
		return s.SecondmentsByID(ctx, v, ids)
	})
	if !v.Secondments {
		l.TeacherSecondments = newPaged(noPages[store.SecondmentFilter, store.Secondment], noCounts[store.SecondmentFilter], sched, t)
		l.OrgSecondments = newPaged(noPages[store.SecondmentFilter, store.Secondment], noCounts[store.SecondmentFilter], sched, t)
		return
	}
	l.TeacherSecondments = newPaged(s.TeacherSecondments, s.CountTeacherSecondments, sched, t)
	l.OrgSecondments = newPaged(
		func(ctx context.Context, orgs []int64, f store.SecondmentFilter, o store.Order, p store.Page) (map[int64]store.Result[store.Secondment], error) {
			return s.OrganizationSecondments(ctx, v.Resources, orgs, f, o, p)
		},
		func(ctx context.Context, orgs []int64, f store.SecondmentFilter) (map[int64]int, error) {
			return s.CountOrganizationSecondments(ctx, v.Resources, orgs, f)
		}, sched, t)
}

// scoped fixes the scope of a store read, for a loader's batch function.
// noPages and noCounts are the lists of rows the viewer may not see at all: empty,
// without asking the database.
func noPages[F any, T any](_ context.Context, parents []int64, _ F, _ store.Order, _ store.Page) (map[int64]store.Result[T], error) {
	out := make(map[int64]store.Result[T], len(parents))
	for _, p := range parents {
		out[p] = store.Result[T]{}
	}
	return out, nil
}

func noCounts[F any](_ context.Context, parents []int64, _ F) (map[int64]int, error) {
	out := make(map[int64]int, len(parents))
	for _, p := range parents {
		out[p] = 0
	}
	return out, nil
}

func scoped[K comparable, V any](scope store.Scope, read func(context.Context, store.Scope, []K) (map[K]V, error)) func(context.Context, []K) (map[K]V, error) {
	return func(ctx context.Context, keys []K) (map[K]V, error) { return read(ctx, scope, keys) }
}

// From returns the request's loaders; it panics if the server wiring forgot them, which
// is a programming error that tests catch at once.
func From(ctx context.Context) *Loaders {
	l, ok := FromOK(ctx)
	if !ok {
		panic("loader: no loaders in context; wrap the handler with loader middleware")
	}
	return l
}

// FromOK returns the request's loaders, and whether there are any.
func FromOK(ctx context.Context) (*Loaders, bool) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	return l, ok
}

// PairKey asks for the partnerships two organizations share under a network filter, kept
// as canonical JSON so that the key is comparable and equal filters share a batch.
type PairKey struct {
	store.Pair
	Filter string
}

// Pair makes the key for the partnerships a and b share under f.
func Pair(a, b int64, f store.NetworkFilter) PairKey {
	j, _ := json.Marshal(f) // a struct of string slices always encodes
	return PairKey{store.Pair{A: a, B: b}, string(j)}
}

// sharedPartnerships loads a batch of pairs with one statement per distinct filter.
func sharedPartnerships(s *store.Store) func(context.Context, []PairKey) (map[PairKey][]store.Partnership, error) {
	return func(ctx context.Context, keys []PairKey) (map[PairKey][]store.Partnership, error) {
		byFilter := map[string][]store.Pair{}
		for _, k := range keys {
			byFilter[k.Filter] = append(byFilter[k.Filter], k.Pair)
		}
		out := make(map[PairKey][]store.Partnership, len(keys))
		for filter, pairs := range byFilter {
			var f store.NetworkFilter
			if err := json.Unmarshal([]byte(filter), &f); err != nil {
				return nil, fmt.Errorf("decode network filter %s: %w", filter, err)
			}
			rows, err := s.SharedPartnerships(ctx, pairs, f)
			if err != nil {
				return nil, err
			}
			for p, r := range rows {
				out[PairKey{p, filter}] = r
			}
		}
		return out, nil
	}
}
