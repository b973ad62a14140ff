package model

import "context"

// SkillMatch is how a talent covers one required skill.
type SkillMatch struct {
	SkillID       int64
	RequiredLevel int
	Level         *int
	Coverage      float64
}

// TalentMatchEdge is a talent's fit with an opening.
type TalentMatchEdge struct {
	Cursor        string
	TalentID      int64
	Score         float64
	MatchedSkills []*SkillMatch
	MissingSkills []*SkillMatch
}

// TalentMatchConnection is one page of an opening's matches.
type TalentMatchConnection struct {
	Edges    []*TalentMatchEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

// TotalCount counts every matching talent.
func (c *TalentMatchConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// OpeningMatchEdge is an opening's fit with a talent.
type OpeningMatchEdge struct {
	Cursor        string
	OpeningID     int64
	Score         float64
	MatchedSkills []*SkillMatch
	MissingSkills []*SkillMatch
}

// OpeningMatchConnection is one page of a talent's recommended openings.
type OpeningMatchConnection struct {
	Edges    []*OpeningMatchEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

// TotalCount counts every matching opening.
func (c *OpeningMatchConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// GapCourse is a course that closes part of a skill gap.
type GapCourse struct {
	CourseID int64
	Teaches  []*SkillAtLevel
	Coverage float64
}

// SkillGap is one skill's demand against its supply.
type SkillGap struct {
	SkillID       int64
	Demand        float64
	OpenPositions int
	Openings      int
	Supply        float64
	CourseSeats   int
	FreeSeats     int
	Courses       int
	Talents       int
	Gap           float64
}

// The skill gap list's connection types.
type (
	SkillGapConnection = Connection[*SkillGap]
	SkillGapEdge       = Edge[*SkillGap]
)
