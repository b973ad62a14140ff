package policy

import (
	"github.com/alliance-graph/alliance-graph/internal/auth"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// MinHiresForMedian is the fewest hires a group of employment outcomes must hold for its
// medians (starting salary, days to hire) to be published; below it they are null. A
// starting salary is personal data, and the median of a group of one is that person's
// salary; of a group of two, their mean. Counts are published for every group: they
// add up facts the anonymised profiles already show (status, school, graduation year,
// hires).
const MinHiresForMedian = 5

// SeeStartingSalary reports whether v may see the starting salary of a hire of talent t
// by the opening's provider: ADMIN, whoever may see t's personal data (its school or
// employer), and the provider that agreed the salary.
func SeeStartingSalary(v auth.Viewer, t *store.Talent, provider int64) bool {
	return SeePersonal(v, t) || (v.Role == auth.RoleMember && v.OrganizationID == provider)
}
