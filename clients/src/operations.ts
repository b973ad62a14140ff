import { graphql } from './gql/index.js';

export const CompaniesQuery = graphql(`
  query Companies($first: Int!, $after: String) {
    alliances(first: 1) { edges { node { id foundedOn } } }
    organizations(first: $first, after: $after, filter: { kinds: [COMPANY] }, orderBy: { field: NAME }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name { en } } }
    }
    events(last: 1) { edges { cursor } }
  }
`);

export const PostOpeningMutation = graphql(`
  mutation PostOpening($input: PostJobOpeningInput!) {
    postJobOpening(input: $input) {
      jobOpening { id status sharedOn }
      userErrors { field code message }
    }
  }
`);

export const FeedSubscription = graphql(`
  subscription Feed($after: String) {
    events(after: $after) { cursor node { kind subjectId occurredAt payload } }
  }
`);
