// graphql-sse in single connection mode: one event stream for the whole client, reserved
// with a PUT, and every operation (queries and mutations too) a POST whose results arrive
// on that stream. Every operation is named by documentId.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type RequestParams } from 'graphql-sse';
import { CompaniesQuery, FeedSubscription, PostOpeningMutation } from './operations.js';
import type { FeedSubscription as FeedSubscriptionType } from './gql/graphql.js';
import { browserFetch, collect, openingInput, report, token, url } from './harness.js';

// The id GraphQL Codegen gave the document, as in the manifest the server loads.
const documentId = (document: TypedDocumentNode<any, any>) => (document as { __meta__?: { hash: string } }).__meta__!.hash;

// The reservation, the stream and every operation carry the token in the headers; the
// server keeps the reservation for the viewer who made it.
const sse = createClient({ url, singleConnection: true, headers: { Authorization: `Bearer ${token}` }, fetchFn: browserFetch });

// graphql-sse sends the request as given: an empty query and the documentId.
const request = <V>(document: TypedDocumentNode<any, V>, variables: V): RequestParams & { documentId: string } => ({
  query: '',
  documentId: documentId(document),
  variables: variables as Record<string, unknown>,
});

// A query or a mutation is one result, then the operation completes.
function execute<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  return new Promise((resolve, reject) => {
    let data: R | undefined;
    sse.subscribe<R>(request(document, variables), {
      next: (r) => (r.errors?.length ? reject(new Error(JSON.stringify(r.errors))) : (data = r.data as R)),
      error: reject,
      complete: () => (data ? resolve(data) : reject(new Error('completed without data'))),
    });
  });
}

const page1 = await execute(CompaniesQuery, { first: 5 });
const page2 = await execute(CompaniesQuery, { first: 5, after: page1.organizations.pageInfo.endCursor });
const alliance = page1.alliances.edges[0].node.id;

// From the last event before the mutation: the server replays what the subscription
// missed while it was starting, so the opening's event cannot slip past it.
const feed = collect<FeedSubscriptionType['events']>((next, fail) =>
  sse.subscribe<FeedSubscriptionType>(request(FeedSubscription, { after: page1.events.edges[0]?.cursor }), {
    next: (r) => (r.errors ? fail(r.errors) : r.data && next(r.data.events)),
    error: fail,
    complete: () => {},
  }),
);

const refused = (await execute(PostOpeningMutation, { input: openingInput(alliance, 0) })).postJobOpening;
const posted = (await execute(PostOpeningMutation, { input: openingInput(alliance, 2) })).postJobOpening;
const event = await feed.first((e) => e.node.subjectId === posted.jobOpening?.id);
sse.dispose();
report('graphql-sse-single', [page1, page2], refused, posted, event);
