package model

import (
	"github.com/alliance-graph/alliance-graph/internal/relay"
	"github.com/alliance-graph/alliance-graph/internal/store"
)

// The connection and edge types of secondments.
type (
	SecondmentConnection = Connection[*Secondment]
	SecondmentEdge       = Edge[*Secondment]
)

// Secondment is a teacher's secondment to another member.
type Secondment struct{ store.Secondment }

func (s *Secondment) GlobalID() string { return relay.ID(relay.TypeSecondment, s.Secondment.ID) }
