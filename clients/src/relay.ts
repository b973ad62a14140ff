// Relay: the network layer sends each operation's persisted id (params.id, written by
// relay-compiler's persistConfig) as documentId, over HTTP and over graphql-ws.
import relay from 'relay-runtime';
import type { FetchFunction, GraphQLResponse, SubscribeFunction } from 'relay-runtime';
import { createClient } from 'graphql-ws';
import CompaniesQuery, { type relayOperationsCompaniesQuery } from './__generated__/relayOperationsCompaniesQuery.graphql.js';
import PostOpeningMutation, { type relayOperationsPostOpeningMutation } from './__generated__/relayOperationsPostOpeningMutation.graphql.js';
import FeedSubscription, { type relayOperationsFeedSubscription } from './__generated__/relayOperationsFeedSubscription.graphql.js';
import { browserFetch, collect, openingInput, report, token, url, WebSocketImpl, wsUrl } from './harness.js';

// relay-runtime is CommonJS: its exports come through the default import.
const { Environment, Network, Observable, RecordSource, Store, commitMutation, fetchQuery, requestSubscription } = relay;

const fetchFn: FetchFunction = async (params, variables) => {
  const res = await browserFetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
    body: JSON.stringify({ documentId: params.id, operationName: params.name, variables }),
  });
  return (await res.json()) as GraphQLResponse;
};

const ws = createClient({ url: wsUrl, webSocketImpl: WebSocketImpl, connectionParams: { Authorization: `Bearer ${token}` } });

const subscribeFn: SubscribeFunction = (params, variables) =>
  Observable.create<GraphQLResponse>((sink) =>
    // The server reads documentId in a subscribe message as in a POST body.
    ws.subscribe({ query: '', documentId: params.id, operationName: params.name, variables } as { query: string }, {
      next: (r) => sink.next(r as GraphQLResponse),
      error: (e) => sink.error(e instanceof Error ? e : new Error(JSON.stringify(e))),
      complete: () => sink.complete(),
    }),
  );

const environment = new Environment({ network: Network.create(fetchFn, subscribeFn), store: new Store(new RecordSource()) });

const page1 = (await fetchQuery<relayOperationsCompaniesQuery>(environment, CompaniesQuery, { first: 5 }).toPromise())!;
const page2 = (await fetchQuery<relayOperationsCompaniesQuery>(environment, CompaniesQuery, { first: 5, after: page1.organizations.pageInfo.endCursor }).toPromise())!;
const alliance = page1.alliances.edges[0].node.id;

// From the last event before the mutation: the server replays what the subscription
// missed while it was starting, so the opening's event cannot slip past it.
const feed = collect<relayOperationsFeedSubscription['response']['events']>((next, fail) => {
  const sub = requestSubscription<relayOperationsFeedSubscription>(environment, {
    subscription: FeedSubscription,
    variables: { after: page1.events.edges[0]?.cursor },
    onNext: (r) => r && next(r.events),
    onError: fail,
  });
  return () => sub.dispose();
});

function post(positions: number) {
  return new Promise<relayOperationsPostOpeningMutation['response']['postJobOpening']>((resolve, reject) =>
    commitMutation<relayOperationsPostOpeningMutation>(environment, {
      mutation: PostOpeningMutation,
      variables: { input: openingInput(alliance, positions) },
      onCompleted: (r, errors) => (errors?.length ? reject(new Error(JSON.stringify(errors))) : resolve(r.postJobOpening)),
      onError: reject,
    }),
  );
}

const refused = await post(0);
const posted = await post(2);
const event = await feed.first((e) => e.node.subjectId === posted.jobOpening?.id);
await ws.dispose();
report('relay', [page1, page2], refused, posted, event);
