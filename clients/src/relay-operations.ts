// relay-compiler reads these tags and writes src/__generated__/<name>.graphql.ts, which
// relay.ts imports. Without babel-plugin-relay a graphql tag throws when it runs, so this
// file is never imported (tsconfig.json leaves it out).
import { graphql } from 'relay-runtime';

graphql`
  query relayOperationsCompaniesQuery($first: Int!, $after: String) {
    alliances(first: 1) { edges { node { id foundedOn } } }
    organizations(first: $first, after: $after, filter: { kinds: [COMPANY] }, orderBy: { field: NAME }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name { en } } }
    }
    events(last: 1) { edges { cursor } }
  }
`;

graphql`
  mutation relayOperationsPostOpeningMutation($input: PostJobOpeningInput!) {
    postJobOpening(input: $input) {
      jobOpening { id status sharedOn }
      userErrors { field code message }
    }
  }
`;

graphql`
  subscription relayOperationsFeedSubscription($after: String) {
    events(after: $after) { cursor node { kind subjectId occurredAt payload } }
  }
`;
