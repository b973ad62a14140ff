// graphql-sse in distinct connections mode (one event stream per subscription), with
// queries and mutations as plain GraphQL over HTTP: every operation named by documentId.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type RequestParams } from 'graphql-sse';
import { CompaniesQuery, FeedSubscription, PostOpeningMutation } from './operations.js';
import type { FeedSubscription as FeedSubscriptionType } from './gql/graphql.js';
import { browserFetch, collect, openingInput, report, token, url } from './harness.js';

const authorization = { Authorization: `Bearer ${token}` };

// The id GraphQL Codegen gave the document, as in the manifest the server loads.
const documentId = (document: TypedDocumentNode<any, any>) => (document as { __meta__?: { hash: string } }).__meta__!.hash;

async function execute<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const res = await browserFetch(url, {
    method: 'POST',
    headers: { ...authorization, 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
    body: JSON.stringify({ documentId: documentId(document), variables }),
  });
  const body = (await res.json()) as { data?: R; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`${res.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

// singleConnection: false (the default) opens one event stream per subscription, a POST
// with Accept: text/event-stream, so it passes any proxy and needs no reservation first.
const sse = createClient({ url, singleConnection: false, headers: authorization, fetchFn: browserFetch });

const page1 = await execute(CompaniesQuery, { first: 5 });
const page2 = await execute(CompaniesQuery, { first: 5, after: page1.organizations.pageInfo.endCursor });
const alliance = page1.alliances.edges[0].node.id;

// From the last event before the mutation: the server replays what the subscription
// missed while it was starting, so the opening's event cannot slip past it.
const feed = collect<FeedSubscriptionType['events']>((next, fail) => {
  // graphql-sse sends the request as given: an empty query and the documentId.
  const request: RequestParams & { documentId: string } = {
    query: '',
    documentId: documentId(FeedSubscription),
    variables: { after: page1.events.edges[0]?.cursor },
  };
  return sse.subscribe<FeedSubscriptionType>(request, {
    next: (r) => (r.errors ? fail(r.errors) : r.data && next(r.data.events)),
    error: fail,
    complete: () => {},
  });
});

const refused = (await execute(PostOpeningMutation, { input: openingInput(alliance, 0) })).postJobOpening;
const posted = (await execute(PostOpeningMutation, { input: openingInput(alliance, 2) })).postJobOpening;
const event = await feed.first((e) => e.node.subjectId === posted.jobOpening?.id);
sse.dispose();
report('graphql-sse', [page1, page2], refused, posted, event);
