// Apollo Client 4: queries and mutations over HTTP, subscriptions over graphql-ws, every
// operation sent by the id GraphQL Codegen gave it (trusted documents).
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import type { DocumentNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { CompaniesQuery, FeedSubscription, PostOpeningMutation } from './operations.js';
import type { FeedSubscription as FeedSubscriptionType } from './gql/graphql.js';
import { browserFetch, collect, openingInput, report, token, url, WebSocketImpl, wsUrl } from './harness.js';

// The id is the one in the manifest: codegen's hash of its own printing of the document.
const generateHash = (document: DocumentNode) => (document as { __meta__?: { hash: string } }).__meta__!.hash;

// Node 20 has no WebSocket of its own, and GraphQLWsLink reads the global one when the
// server answers with an error: without it, the error throws a ReferenceError.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocketImpl;

const ws = createClient({ url: wsUrl, webSocketImpl: WebSocketImpl, connectionParams: { Authorization: `Bearer ${token}` } });

const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: ApolloLink.from([
    new PersistedQueryLink({ generateHash }),
    ApolloLink.split(
      ({ query }) => {
        const main = getMainDefinition(query);
        return main.kind === 'OperationDefinition' && main.operation === 'subscription';
      },
      new GraphQLWsLink(ws),
      new HttpLink({ uri: url, headers: { Authorization: `Bearer ${token}` }, fetch: browserFetch }),
    ),
  ]),
});

const page1 = (await client.query({ query: CompaniesQuery, variables: { first: 5 } })).data!;
const page2 = (await client.query({
  query: CompaniesQuery,
  variables: { first: 5, after: page1.organizations.pageInfo.endCursor },
})).data!;
const alliance = page1.alliances.edges[0].node.id;

// From the last event before the mutation: the server replays what the subscription
// missed while it was starting, so the opening's event cannot slip past it.
const feed = collect<FeedSubscriptionType['events']>((next, fail) => {
  const sub = client
    .subscribe({ query: FeedSubscription, variables: { after: page1.events.edges[0]?.cursor } })
    .subscribe({ next: (r) => (r.error ? fail(r.error) : r.data && next(r.data.events)), error: fail });
  return () => sub.unsubscribe();
});

const refused = (await client.mutate({ mutation: PostOpeningMutation, variables: { input: openingInput(alliance, 0) } })).data!.postJobOpening;
const posted = (await client.mutate({ mutation: PostOpeningMutation, variables: { input: openingInput(alliance, 2) } })).data!.postJobOpening;
const event = await feed.first((e) => e.node.subjectId === posted.jobOpening?.id);
await ws.dispose();
report('apollo', [page1, page2], refused, posted, event);
