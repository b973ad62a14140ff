package benchmark

// The page queries frontends send (issue 15): the job board, the company directory, a
// filtered list paged backwards, the resource catalogue by category and a job opening by
// ID. Each has alliance-graph's form, PostGraphile's (the same rows and fields under its
// names, with the plugins pinned in bench/postgraphile) and a hand-written SQL floor in
// floor.go; shapes.go says which values of each answer must agree.

const (
	// JobsPage and the other page sizes are the frontends' own.
	JobsPage         = 20
	CompaniesPage    = 20
	PartnershipsPage = 10
	ResourcesPage    = 20
)

// CompanyIndustries is the company directory's second filter (the companies-industry
// operation): three industries that hold about a third of the companies.
var CompanyIndustries = []string{"EQUIPMENT_MANUFACTURING", "AUTOMOTIVE", "ROBOTICS"}

// PartnershipKinds and PartnershipStatuses filter the backward-paged partnership list:
// kinds of training partnerships and statuses that all have a signing date, so that
// ordering by it leaves no ties between signed and unsigned rows for the servers to break
// differently.
var (
	PartnershipKinds    = []string{"APPRENTICESHIP", "ORDER_CLASS", "JOINT_TRAINING_BASE"}
	PartnershipStatuses = []string{"SIGNED", "ACTIVE", "COMPLETED"}
)

const (
	oursJobs = `query Jobs($after: String) {
  jobOpenings(first: 20, after: $after, filter: {statuses: [OPEN]}, orderBy: {field: POSTED_ON, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id title { en zh } sharedOn positions employmentType salary { min max }
      provider { id name { en } }
      requiredSkills { level skill { code name { en } } }
    } }
  }
}`
	postgraphileJobs = `query Jobs($after: Cursor) {
  allResources(first: 20, after: $after, condition: {category: "JOB_OPENING", openingStatus: "OPEN", sharedWithAll: true, withdrawnOn: null}, orderBy: [SHARED_ON_DESC, ID_DESC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id titleEn titleZh sharedOn positions employmentType salaryMin salaryMax
      organizationByProviderId { id nameEn }
      resourceSkillsByResourceId(orderBy: [LEVEL_DESC, SKILL_BY_SKILL_ID__CODE_ASC]) { edges { node { level skillBySkillId { code nameEn } } } }
    } }
  }
}`

	oursCompanies = `query Companies($after: String) {
  organizations(first: 20, after: $after, filter: {kinds: [COMPANY]}, orderBy: {field: NAME}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name { en zh }
      ... on Company { industry }
      memberships { role joinedOn leftOn }
      partnerships(first: 5) { totalCount edges { node { title { en } kind status } } }
    } }
  }
}`
	postgraphileCompanies = `query Companies($after: Cursor) {
  allOrganizations(first: 20, after: $after, condition: {kind: "COMPANY"}, orderBy: [NAME_EN_ASC, ID_ASC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id nameEn nameZh industry
      membershipsByOrganizationId(orderBy: [JOINED_ON_ASC, ID_ASC]) { edges { node { role joinedOn leftOn } } }
      partnershipParticipantsByOrganizationId(first: 5, orderBy: [PARTNERSHIP_BY_PARTNERSHIP_ID__SIGNED_ON_ASC, PARTNERSHIP_ID_ASC]) {
        totalCount edges { node { partnershipByPartnershipId { titleEn kind status } } }
      }
    } }
  }
}`

	oursCompaniesIndustry = `query CompaniesByIndustry($after: String) {
  organizations(first: 20, after: $after, filter: {kinds: [COMPANY], industries: [EQUIPMENT_MANUFACTURING, AUTOMOTIVE, ROBOTICS]}, orderBy: {field: NAME}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name { en zh }
      ... on Company { industry }
      memberships { role joinedOn leftOn }
      partnerships(first: 5) { totalCount edges { node { title { en } kind status } } }
    } }
  }
}`
	postgraphileCompaniesIndustry = `query CompaniesByIndustry($after: Cursor) {
  allOrganizations(first: 20, after: $after, condition: {kind: "COMPANY"}, filter: {industry: {in: ["EQUIPMENT_MANUFACTURING", "AUTOMOTIVE", "ROBOTICS"]}}, orderBy: [NAME_EN_ASC, ID_ASC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id nameEn nameZh industry
      membershipsByOrganizationId(orderBy: [JOINED_ON_ASC, ID_ASC]) { edges { node { role joinedOn leftOn } } }
      partnershipParticipantsByOrganizationId(first: 5, orderBy: [PARTNERSHIP_BY_PARTNERSHIP_ID__SIGNED_ON_ASC, PARTNERSHIP_ID_ASC]) {
        totalCount edges { node { partnershipByPartnershipId { titleEn kind status } } }
      }
    } }
  }
}`

	oursPartnerships = `query Partnerships($before: String) {
  partnerships(last: 10, before: $before, filter: {kinds: [APPRENTICESHIP, ORDER_CLASS, JOINT_TRAINING_BASE], statuses: [SIGNED, ACTIVE, COMPLETED]}, orderBy: {field: SIGNED_ON, direction: DESC}) {
    totalCount
    pageInfo { hasPreviousPage startCursor }
    edges { node { id title { en } kind status signedOn } }
  }
}`
	postgraphilePartnerships = `query Partnerships($before: Cursor) {
  allPartnerships(last: 10, before: $before, filter: {kind: {in: ["APPRENTICESHIP", "ORDER_CLASS", "JOINT_TRAINING_BASE"]}, status: {in: ["SIGNED", "ACTIVE", "COMPLETED"]}}, orderBy: [SIGNED_ON_DESC, ID_DESC]) {
    totalCount
    pageInfo { hasPreviousPage startCursor }
    edges { node { id titleEn kind status signedOn } }
  }
}`

	oursResources = `query Resources($after: String) {
  resources(first: 20, after: $after, filter: {categories: [JOB_OPENING, TRAINING_COURSE]}, orderBy: {field: SHARED_ON, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id category title { en } sharedOn
      ... on JobOpening { positions employmentType status salary { min max } }
      ... on TrainingCourse { hours seats startsOn endsOn }
    } }
  }
}`
	postgraphileResources = `query Resources($after: Cursor) {
  allResources(first: 20, after: $after, condition: {sharedWithAll: true, withdrawnOn: null}, filter: {category: {in: ["JOB_OPENING", "TRAINING_COURSE"]}}, orderBy: [SHARED_ON_DESC, ID_DESC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id category titleEn sharedOn
      positions employmentType openingStatus salaryMin salaryMax
      hours seats startsOn endsOn
    } }
  }
}`

	oursNodeOpening = `query NodeOpening($id: ID!) {
  node(id: $id) { id ... on JobOpening { title { en zh } positions status closesOn provider { name { en } } } }
}`
	postgraphileNodeOpening = `query NodeOpening($id: BigInt!) {
  resourceById(id: $id) { id titleEn titleZh positions openingStatus closesOn organizationByProviderId { nameEn } }
}`
)
