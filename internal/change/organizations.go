package change

import (
	"context"

	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/policy"
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// CreateOrganizationInput is a new organization, as given.
type CreateOrganizationInput struct {
	Kind            store.OrganizationKind
	Name            Bilingual
	Description     *string
	Website         *string
	District        *string
	FoundedYear     *int
	SchoolLevel     *store.SchoolLevel
	Majors          []string
	StudentCount    *int
	Industry        *store.Industry
	Size            *store.CompanySize
	EmployeeCount   *int
	ParkID          *string
	ForeignInvested *bool
	Jurisdiction    *store.Jurisdiction
	AreaKm2         *float64
	FocusIndustries []store.Industry
}

// UpdateOrganizationInput is a change to an organization; nil fields stay.
type UpdateOrganizationInput struct {
	ID              string
	Version         int
	Name            *Bilingual
	Description     *string
	Website         *string
	District        *string
	FoundedYear     *int
	SchoolLevel     *store.SchoolLevel
	Majors          []string
	StudentCount    *int
	Industry        *store.Industry
	Size            *store.CompanySize
	EmployeeCount   *int
	ParkID          *string
	ForeignInvested *bool
	Jurisdiction    *store.Jurisdiction
	AreaKm2         *float64
	FocusIndustries []store.Industry
}

// checkOrganization validates o as it will be stored, kind-specific fields included.
func (p *problems) checkOrganization(o *store.Organization) {
	p.between("foundedYear", o.FoundedYear, 1800, 2100)
	p.between("studentCount", o.StudentCount, 0, 1_000_000)
	p.between("employeeCount", o.EmployeeCount, 0, 10_000_000)
	if o.AreaKm2 != nil && (*o.AreaKm2 <= 0 || *o.AreaKm2 > 100_000) {
		p.add(OutOfRange, "areaKm2", "must be above 0 and at most 100000")
	}
	type only struct {
		set   bool
		field string
		kind  store.OrganizationKind
	}
	for _, f := range []only{
		{o.SchoolLevel != nil, "schoolLevel", store.KindSchool}, {len(o.Majors) > 0, "majors", store.KindSchool},
		{o.StudentCount != nil, "studentCount", store.KindSchool}, {o.Industry != nil, "industry", store.KindCompany},
		{o.CompanySize != nil, "size", store.KindCompany}, {o.EmployeeCount != nil, "employeeCount", store.KindCompany},
		{o.ParkID != nil, "parkId", store.KindCompany}, {o.ForeignInvested, "foreignInvested", store.KindCompany},
		{o.Jurisdiction != nil, "jurisdiction", store.KindAgency}, {o.AreaKm2 != nil, "areaKm2", store.KindPark},
		{len(o.FocusIndustries) > 0, "focusIndustries", store.KindPark},
	} {
		if f.set && o.Kind != f.kind {
			p.add(Invalid, f.field, "applies only to a %s, not to a %s", f.kind, o.Kind)
		}
	}
	required := map[store.OrganizationKind]struct {
		set   bool
		field string
	}{store.KindSchool: {o.SchoolLevel != nil, "schoolLevel"}, store.KindCompany: {o.Industry != nil, "industry"}, store.KindAgency: {o.Jurisdiction != nil, "jurisdiction"}}
	if r, ok := required[o.Kind]; ok && !r.set {
		p.add(Required, r.field, "is required for a %s", o.Kind)
	}
}

func industries(in []store.Industry) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// CreateOrganization adds an organization to the directory (ADMIN).
func (s *Service) CreateOrganization(ctx context.Context, in CreateOrganizationInput) (*store.Organization, error) {
	if err := policy.Admin(auth.ViewerFrom(ctx), "create organizations"); err != nil {
		return nil, err
	}
	var p problems
	o := &store.Organization{Kind: in.Kind, SchoolLevel: in.SchoolLevel, StudentCount: in.StudentCount, Industry: in.Industry,
		CompanySize: in.Size, EmployeeCount: in.EmployeeCount, Jurisdiction: in.Jurisdiction, AreaKm2: in.AreaKm2,
		FoundedYear: in.FoundedYear, ForeignInvested: in.ForeignInvested != nil && *in.ForeignInvested}
	o.NameEn, o.NameZh = p.bilingual("name", in.Name)
	o.Description = p.text("description", deref(in.Description), false, maxDescription)
	o.Website = p.url("website", in.Website)
	o.District = p.text("district", deref(in.District), false, maxShort)
	o.Majors = p.texts("majors", in.Majors, maxShort)
	o.FocusIndustries = industries(in.FocusIndustries)
	o.ParkID = p.optKey("parkId", relay.TypeOrganization, in.ParkID)
	p.checkOrganization(o)
	if err := p.err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *store.Tx) error {
		if o.ParkID != nil {
			if err := p.organizations(ctx, tx, "parkId", []int64{*o.ParkID}, store.KindPark); err != nil {
				return err
			}
		}
		if err := p.err(); err != nil {
			return err
		}
		id, err := tx.CreateOrganization(ctx, o)
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, store.EventOrganizationCreated, nil, relay.ID(relay.TypeOrganization, id), map[string]any{"kind": o.Kind}); err != nil {
			return err
		}
		o, err = tx.Organization(ctx, id)
		return err
	})
	return o, err
}

// UpdateOrganization changes an organization's profile (ADMIN, or MEMBER for its own).
func (s *Service) UpdateOrganization(ctx context.Context, in UpdateOrganizationInput) (*store.Organization, error) {
	var p problems
	id := p.key("id", relay.TypeOrganization, in.ID)
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := policy.ActFor(auth.ViewerFrom(ctx), "change organizations", id); err != nil {
		return nil, err
	}
	var o *store.Organization
	err := s.tx(ctx, func(tx *store.Tx) error {
		var err error
		if o, err = tx.Organization(ctx, id); err != nil {
			return err
		}
		o.Version = in.Version
		if in.Name != nil {
			o.NameEn, o.NameZh = p.bilingual("name", *in.Name)
		}
		if in.Description != nil {
			o.Description = p.text("description", *in.Description, false, maxDescription)
		}
		if in.Website != nil {
			o.Website = p.url("website", in.Website)
		}
		if in.District != nil {
			o.District = p.text("district", *in.District, false, maxShort)
		}
		set(&o.FoundedYear, in.FoundedYear)
		set(&o.SchoolLevel, in.SchoolLevel)
		set(&o.StudentCount, in.StudentCount)
		set(&o.Industry, in.Industry)
		set(&o.CompanySize, in.Size)
		set(&o.EmployeeCount, in.EmployeeCount)
		set(&o.Jurisdiction, in.Jurisdiction)
		set(&o.AreaKm2, in.AreaKm2)
		if in.ForeignInvested != nil {
			o.ForeignInvested = *in.ForeignInvested
		}
		if in.Majors != nil {
			o.Majors = p.texts("majors", in.Majors, maxShort)
		}
		if in.FocusIndustries != nil {
			o.FocusIndustries = industries(in.FocusIndustries)
		}
		if in.ParkID != nil {
			o.ParkID = p.optKey("parkId", relay.TypeOrganization, in.ParkID)
			if o.ParkID != nil {
				if err := p.organizations(ctx, tx, "parkId", []int64{*o.ParkID}, store.KindPark); err != nil {
					return err
				}
			}
		}
		p.checkOrganization(o)
		if err := p.err(); err != nil {
			return err
		}
		if err := tx.UpdateOrganization(ctx, o); err != nil {
			return err
		}
		if err := s.event(ctx, tx, store.EventOrganizationUpdated, nil, in.ID, map[string]any{"version": in.Version + 1}); err != nil {
			return err
		}
		o, err = tx.Organization(ctx, id)
		return err
	})
	return o, err
}

// set replaces *dst with v when v is given.
func set[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
