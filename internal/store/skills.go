package store

import (
	"context"
	"fmt"
)

// SkillFilter selects skills of the taxonomy.
type SkillFilter struct {
	Categories []SkillCategory
	Parent     *int64
	TopLevel   *bool
	Search     *string
}

var skillOrders = map[string]sortKey{
	"CODE": {"k.code", "text"},
	"NAME": {byName("k.name_en"), "text"},
}

func skillList(f SkillFilter, o Order) *list {
	l := &list{cols: "k.*", from: "skill k", id: "k.id", orders: skillOrders, order: o}
	in(l, "k.category", f.Categories)
	if f.Parent != nil {
		l.where("k.parent_id = " + l.arg(*f.Parent))
	}
	if f.TopLevel != nil {
		if *f.TopLevel {
			l.where("k.parent_id IS NULL")
		} else {
			l.where("k.parent_id IS NOT NULL")
		}
	}
	contains(l, f.Search, "k.code", "k.name_en", "k.name_zh")
	return l
}

func skillID(k *Skill) int64 { return k.ID }

// Skills lists the taxonomy.
func (s *Store) Skills(ctx context.Context, f SkillFilter, o Order, p Page) (Result[Skill], error) {
	return page(ctx, s, "skills", skillList(f, o), p, skillID)
}

// CountSkills counts the skills f selects.
func (s *Store) CountSkills(ctx context.Context, f SkillFilter) (int, error) {
	return count(ctx, s, "skills", skillList(f, Order{}))
}

// SkillsByID loads skills by id.
func (s *Store) SkillsByID(ctx context.Context, ids []int64) (map[int64]*Skill, error) {
	return byID(ctx, s, "skills", "SELECT * FROM skill WHERE id = ANY($1)", ids, skillID)
}

// SkillByCode loads the skill with the given code.
func (s *Store) SkillByCode(ctx context.Context, code string) (*Skill, error) {
	var k Skill
	if err := s.getRow(ctx, &k, "SELECT * FROM skill WHERE code = $1", code); err != nil {
		return nil, fmt.Errorf("load skill %q: %w", code, err)
	}
	return &k, nil
}

// ChildrenOfSkills lists each skill's direct refinements by code.
func (s *Store) ChildrenOfSkills(ctx context.Context, skills []int64) (map[int64][]Skill, error) {
	return groupList(ctx, s, "child skills", skillChildList, "k", "k.*", Scope{}, skills, func(k *Skill) int64 { return *k.ParentID })
}

// skillChildList is a skill's direct refinements, by code.
var skillChildList = &ManyDecl{To: "skill", Key: keyColumn("parent_id"),
	From:  func(a string) string { return "skill " + a },
	Order: func(a string) string { return a + ".code" },
}
