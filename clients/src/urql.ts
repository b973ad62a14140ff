// urql: queries and mutations over HTTP (GET for queries), subscriptions over graphql-ws,
// every operation sent by the id GraphQL Codegen gave it (trusted documents).
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient } from 'graphql-ws';
import { CompaniesQuery, FeedSubscription, PostOpeningMutation } from './operations.js';
import type { FeedSubscription as FeedSubscriptionType } from './gql/graphql.js';
import { browserFetch, collect, openingInput, report, token, url, WebSocketImpl, wsUrl } from './harness.js';

const ws = createClient({ url: wsUrl, webSocketImpl: WebSocketImpl, connectionParams: { Authorization: `Bearer ${token}` } });

const client = new Client({
  url,
  fetch: browserFetch,
  fetchOptions: { headers: { Authorization: `Bearer ${token}` } },
  exchanges: [
    cacheExchange,
    persistedExchange({
      // Only ids: the server knows no other document, and nothing falls back to the text.
      enforcePersistedQueries: true,
      enableForMutation: true,
      enableForSubscriptions: true,
      // The id is the one in the manifest: codegen's hash of its own printing of the document.
      generateHash: async (_query, document) => (document as { __meta__?: { hash: string } }).__meta__?.hash,
    }),
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        // With enforcePersistedQueries the request has no query, only extensions.persistedQuery.
        const input = { ...request, query: request.query ?? '' };
        return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
      },
    }),
  ],
});

// toPromise() gives the result with its error, if any, rather than throwing: unwrap says so.
function unwrap<T>(r: { data?: T; error?: Error }): T {
  if (r.error || !r.data) throw r.error ?? new Error('no data');
  return r.data;
}

const page1 = unwrap(await client.query(CompaniesQuery, { first: 5 }).toPromise());
const page2 = unwrap(await client.query(CompaniesQuery, { first: 5, after: page1.organizations.pageInfo.endCursor }).toPromise());
const alliance = page1.alliances.edges[0].node.id;

// From the last event before the mutation: the server replays what the subscription
// missed while it was starting, so the opening's event cannot slip past it.
const feed = collect<FeedSubscriptionType['events']>((next, fail) => {
  const sub = client
    .subscription(FeedSubscription, { after: page1.events.edges[0]?.cursor })
    .subscribe((r) => (r.error ? fail(r.error) : r.data && next(r.data.events)));
  return () => sub.unsubscribe();
});

const refused = unwrap(await client.mutation(PostOpeningMutation, { input: openingInput(alliance, 0) }).toPromise()).postJobOpening;
const posted = unwrap(await client.mutation(PostOpeningMutation, { input: openingInput(alliance, 2) }).toPromise()).postJobOpening;
const event = await feed.first((e) => e.node.subjectId === posted.jobOpening?.id);
await ws.dispose();
report('urql', [page1, page2], refused, posted, event);
