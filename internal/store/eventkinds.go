package store

// The kinds of event, value for value the EventKind enum of the GraphQL contract.
const (
	EventOrganizationCreated      EventKind = "ORGANIZATION_CREATED"
	EventOrganizationUpdated      EventKind = "ORGANIZATION_UPDATED"
	EventMemberAdmitted           EventKind = "MEMBER_ADMITTED"
	EventMemberRoleChanged        EventKind = "MEMBER_ROLE_CHANGED"
	EventMemberLeft               EventKind = "MEMBER_LEFT"
	EventPartnershipProposed      EventKind = "PARTNERSHIP_PROPOSED"
	EventPartnershipUpdated       EventKind = "PARTNERSHIP_UPDATED"
	EventPartnershipStatusChanged EventKind = "PARTNERSHIP_STATUS_CHANGED"
	EventParticipantAdded         EventKind = "PARTICIPANT_ADDED"
	EventParticipantRemoved       EventKind = "PARTICIPANT_REMOVED"
	EventParticipantInvited       EventKind = "PARTICIPANT_INVITED"
	EventInvitationAccepted       EventKind = "INVITATION_ACCEPTED"
	EventInvitationDeclined       EventKind = "INVITATION_DECLINED"
	EventInvitationWithdrawn      EventKind = "INVITATION_WITHDRAWN"
	EventResourceShared           EventKind = "RESOURCE_SHARED"
	EventResourceUpdated          EventKind = "RESOURCE_UPDATED"
	EventResourceWithdrawn        EventKind = "RESOURCE_WITHDRAWN"
	EventOpeningClosed            EventKind = "OPENING_CLOSED"
	EventOpeningFilled            EventKind = "OPENING_FILLED"
	EventApplicationRecorded      EventKind = "APPLICATION_RECORDED"
	EventPlacementStatusChanged   EventKind = "PLACEMENT_STATUS_CHANGED"
	EventTalentEnrolled           EventKind = "TALENT_ENROLLED"
	EventResultRecorded           EventKind = "RESULT_RECORDED"
	EventSkillCreated             EventKind = "SKILL_CREATED"
	EventSkillUpdated             EventKind = "SKILL_UPDATED"
	EventTalentRegistered         EventKind = "TALENT_REGISTERED"
	EventTalentUpdated            EventKind = "TALENT_UPDATED"
	EventEmploymentAccepted       EventKind = "EMPLOYMENT_ACCEPTED"
	EventEmploymentDeclined       EventKind = "EMPLOYMENT_DECLINED"
	EventCourseStateChanged       EventKind = "COURSE_STATE_CHANGED"
	EventFacilityBooked           EventKind = "FACILITY_BOOKED"
	EventBookingCancelled         EventKind = "FACILITY_BOOKING_CANCELLED"
	// Enrolment to certificate (TALENT_ENROLLED above is a seat taken at once).
	EventTalentWaitlisted    EventKind = "TALENT_WAITLISTED"
	EventWaitlistPromoted    EventKind = "WAITLIST_PROMOTED"
	EventEnrollmentDropped   EventKind = "ENROLLMENT_DROPPED"
	EventEnrollmentCompleted EventKind = "ENROLLMENT_COMPLETED"
	EventCertificateIssued   EventKind = "CERTIFICATE_ISSUED"
)

// The events of teacher secondments; the subject is the secondment.
const (
	EventSecondmentRequested EventKind = "SECONDMENT_REQUESTED"
	EventSecondmentAccepted  EventKind = "SECONDMENT_ACCEPTED"
	EventSecondmentDeclined  EventKind = "SECONDMENT_DECLINED"
	EventSecondmentCancelled EventKind = "SECONDMENT_CANCELLED"
)

// The events of competition editions (the subject is the edition) and of talents'
// entries in them (the subject is the entry).
const (
	EventCompetitionScheduled      EventKind = "COMPETITION_SCHEDULED"
	EventCompetitionUpdated        EventKind = "COMPETITION_UPDATED"
	EventCompetitionRegistered     EventKind = "COMPETITION_REGISTERED"
	EventCompetitionEntryWithdrawn EventKind = "COMPETITION_REGISTRATION_WITHDRAWN"
)

// EventKinds lists every kind of event, in the contract's order.
var EventKinds = []EventKind{
	EventOrganizationCreated, EventOrganizationUpdated, EventMemberAdmitted, EventMemberRoleChanged, EventMemberLeft,
	EventPartnershipProposed, EventPartnershipUpdated, EventPartnershipStatusChanged, EventParticipantAdded,
	EventParticipantRemoved, EventParticipantInvited, EventInvitationAccepted, EventInvitationDeclined,
	EventInvitationWithdrawn, EventResourceShared, EventResourceUpdated, EventResourceWithdrawn, EventOpeningClosed,
	EventOpeningFilled, EventApplicationRecorded, EventPlacementStatusChanged, EventTalentEnrolled, EventResultRecorded,
	EventSkillCreated, EventSkillUpdated, EventTalentRegistered, EventTalentUpdated, EventEmploymentAccepted,
	EventEmploymentDeclined, EventCourseStateChanged, EventFacilityBooked, EventBookingCancelled,
	EventTalentWaitlisted, EventWaitlistPromoted, EventEnrollmentDropped, EventEnrollmentCompleted, EventCertificateIssued,
	EventSecondmentRequested, EventSecondmentAccepted, EventSecondmentDeclined, EventSecondmentCancelled,
	EventCompetitionScheduled, EventCompetitionUpdated, EventCompetitionRegistered, EventCompetitionEntryWithdrawn,
}

// ActorSystem is the role of changes the server makes by itself, such as closing an
// opening past its closing date.
const ActorSystem ActorRole = "SYSTEM"
