package demo

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/alliance-graph/alliance-graph/internal/relay"
)

// history writes the demo's past into the event log: every admission, proposal,
// invitation, signing, share, registration, enrolment, application and hire at its own
// date, with the payloads the change service writes for the same changes, so that the
// feed, timelines and change history tell the alliance's story from the first start.
func (g *gen) history() {
	add := func(on day, kind, subject string, res *resource, payload map[string]any) {
		if on == 0 || on > g.asOf {
			return
		}
		b, err := json.Marshal(payload)
		if err != nil {
			panic(err) // maps of strings and numbers always encode
		}
		g.events = append(g.events, event{on: on, kind: kind, subject: subject, resource: res, payload: string(b)})
	}
	orgID := func(o *org) string { return relay.ID(relay.TypeOrganization, o.id) }
	for _, o := range g.orgs {
		m := relay.ID(relay.TypeMembership, o.membershipID)
		add(o.joined, "MEMBER_ADMITTED", m, nil, map[string]any{"organization": orgID(o), "role": o.role})
		add(o.left, "MEMBER_LEFT", m, nil, map[string]any{"leftOn": o.left.String()})
	}
	for _, p := range g.partnerships {
		pid := relay.ID(relay.TypePartnership, p.id)
		proposed := p.proposed
		if proposed == 0 {
			proposed = p.signed - 14
			if p.signed == dayFounded {
				proposed = dayFounded // the kick-off projects were agreed at the founding
			}
		}
		add(proposed, "PARTNERSHIP_PROPOSED", pid, nil, map[string]any{"kind": p.kind, "participants": 1, "invited": len(p.members) - 1})
		for i, o := range p.members {
			if p.roles[i] == "LEAD" {
				continue
			}
			invited, answered := proposed, p.signed-7
			if p.signed == dayFounded {
				answered = dayFounded
			}
			add(invited, "PARTICIPANT_INVITED", pid, nil, map[string]any{"organization": orgID(o), "role": p.roles[i]})
			if p.signed != 0 {
				add(answered, "INVITATION_ACCEPTED", pid, nil, map[string]any{"organization": orgID(o), "role": p.roles[i]})
			}
		}
		if p.signed == 0 {
			continue
		}
		add(p.signed, "PARTNERSHIP_STATUS_CHANGED", pid, nil, map[string]any{"from": "PROPOSED", "to": "SIGNED"})
		if p.status == "SIGNED" || p.starts == 0 {
			continue
		}
		add(p.starts, "PARTNERSHIP_STATUS_CHANGED", pid, nil, map[string]any{"from": "SIGNED", "to": "ACTIVE"})
		if p.status == "COMPLETED" || p.status == "TERMINATED" {
			add(p.ends, "PARTNERSHIP_STATUS_CHANGED", pid, nil, map[string]any{"from": "ACTIVE", "to": p.status})
		}
	}
	byID := make(map[int64]*resource, len(g.resources))
	for _, r := range g.resources {
		byID[r.id] = r
		kind := "RESOURCE_SHARED"
		if r.category == "COMPETITION_RESULT" {
			kind = "RESULT_RECORDED"
		}
		rid := relay.ID(relay.TypeResource, r.id)
		add(r.sharedOn, kind, rid, r, map[string]any{"category": r.category})
		if r.category == "JOB_OPENING" {
			switch r.openingStatus {
			case "FILLED":
				add(r.filledOn, "OPENING_FILLED", rid, r, map[string]any{"positions": r.positions})
			case "CLOSED":
				// As the calendar job records a closing (change.FollowCalendar).
				add(r.closesOn+1, "OPENING_CLOSED", rid, r, map[string]any{"category": r.category, "closesOn": r.closesOn.String()})
			}
		}
	}
	for _, t := range g.talents {
		status := "JOB_SEEKING"
		switch t.background {
		case asStudent:
			status = "STUDENT"
		case asEmployee:
			status = "EMPLOYED"
		}
		add(t.registered, "TALENT_REGISTERED", relay.ID(relay.TypeTalent, t.id), nil, map[string]any{"status": status})
	}
	g.enrolmentEvents(add, byID)
	for _, p := range g.placements {
		o := byID[p.opening]
		pid := relay.ID(relay.TypePlacement, p.id)
		oid := relay.ID(relay.TypeResource, p.opening)
		add(p.applied, "APPLICATION_RECORDED", pid, o, map[string]any{"opening": oid})
		switch {
		case p.status == "HIRED":
			add(p.hired, "PLACEMENT_STATUS_CHANGED", pid, o, map[string]any{"status": p.status, "opening": oid})
		case p.decided != 0:
			add(p.decided, "PLACEMENT_STATUS_CHANGED", pid, o, map[string]any{"status": p.status, "opening": oid})
		}
	}
	// Day by day; within a day, in the order things happen (an opening is shared
	// before anyone applies, a partnership proposed before it is signed).
	sort.SliceStable(g.events, func(i, j int) bool { return g.events[i].on < g.events[j].on })
	for i := 0; i < len(g.events); {
		j := i
		for j < len(g.events) && g.events[j].on == g.events[i].on {
			j++
		}
		// The day's events spread over its working hours, 09:00 to 18:00 in Shenyang.
		start := g.events[i].on.time().Add(time.Hour) // 09:00 UTC+8
		step := 9 * time.Hour / time.Duration(j-i+1)
		for k := i; k < j; k++ {
			g.last.event++
			g.events[k].id = g.last.event
			g.events[k].at = start.Add(step * time.Duration(k-i+1))
		}
		i = j
	}
}
