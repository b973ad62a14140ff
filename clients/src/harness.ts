// What every recipe shares and is not part of it: the server to call (from the
// environment clients_test.go sets), a browser's cross-origin checks, the job opening the
// mutation posts, and the summary the test reads on stdout.
import WebSocket from 'ws';
import type { CompaniesQuery, FeedSubscription } from './gql/graphql.js';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/** The GraphQL endpoint over HTTP, e.g. http://localhost:8080/query. */
export const url = required('ALLIANCE_URL');
/** The same endpoint for WebSockets. */
export const wsUrl = url.replace(/^http/, 'ws');
/** A MEMBER token of the company ALLIANCE_COMPANY, which the mutation posts for. */
export const token = required('ALLIANCE_TOKEN');
export const company = required('ALLIANCE_COMPANY');
/** Set, the scripts call the server as a page served from this origin would. */
const origin = process.env.ALLIANCE_ORIGIN;

/**
 * fetch as a browser on ALLIANCE_ORIGIN sends it: a preflight naming the method and the
 * headers the client library set, which must allow them, then the request with its Origin,
 * whose answer must allow that origin. Without ALLIANCE_ORIGIN, plain fetch.
 */
export const browserFetch: typeof fetch = async (input, init = {}) => {
  const res = await corsFetch(input, init);
  // The test checks that queries and mutations were answered with JSON, not a stream,
  // whatever the client's Accept header offered.
  answers.add(`${(init.method ?? 'GET').toUpperCase()} ${res.headers.get('content-type')}`);
  return res;
};

const answers = new Set<string>();

const corsFetch: typeof fetch = async (input, init = {}) => {
  if (!origin) return fetch(input, init);
  const headers = new Headers(init.headers);
  const method = (init.method ?? 'GET').toUpperCase();
  const asked = [...headers.keys()].filter((h) => h !== 'accept');
  const pre = await fetch(input, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': asked.join(',') },
  });
  const allowed = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
  if (pre.headers.get('access-control-allow-origin') !== origin || asked.some((h) => !allowed.includes(h))) {
    throw new Error(`preflight from ${origin} for ${method} with ${asked} refused: ${pre.status} ${await pre.text()}`);
  }
  headers.set('Origin', origin);
  const res = await fetch(input, { ...init, headers });
  if (res.headers.get('access-control-allow-origin') !== origin) {
    throw new Error(`a browser on ${origin} may not read the answer to ${method} ${input}`);
  }
  return res;
};

/** The WebSocket class graphql-ws needs on Node 20, which has none; with the Origin a browser sends. */
export const WebSocketImpl = origin
  ? class extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { origin });
      }
    }
  : WebSocket;

/** The opening the mutation posts: positions 0 is refused with a user error. */
export function openingInput(alliance: string, positions: number) {
  return {
    allianceId: alliance,
    providerId: company,
    title: { en: 'CNC machinist', zh: '数控机床操作工' },
    positions,
    salaryMin: 6500,
    salaryMax: 9000,
    employmentType: 'FULL_TIME' as const,
  };
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Event = FeedSubscription['events']['node'];
// The custom scalars are typed (codegen.ts maps them): any would fail the build here.
const scalarsTyped: [
  Equal<CompaniesQuery['alliances']['edges'][number]['node']['foundedOn'], string>,
  Equal<Event['occurredAt'], string>,
  Equal<Event['payload'], unknown>,
] = [true, true, true];
void scalarsTyped;

// What report reads of the answers, whichever generator typed them.
type Page = {
  organizations: { totalCount: number; edges: readonly { node: { id: string } }[] };
  alliances: { edges: readonly { node: { foundedOn: string } }[] };
};
type Payload = { jobOpening?: { id: string } | null; userErrors: readonly { field: readonly string[]; code: string }[] };
type FeedEvent = { node: { kind: string; subjectId: string; occurredAt: string } };

/** Prints what the test checks, as one JSON line. */
export function report(client: string, pages: [Page, Page], refused: Payload, posted: Payload, event: FeedEvent) {
  const ids = (page: Page) => page.organizations.edges.map((e) => e.node.id);
  console.log(
    JSON.stringify({
      client,
      totalCount: pages[0].organizations.totalCount,
      page1: ids(pages[0]),
      page2: ids(pages[1]),
      foundedOn: pages[0].alliances.edges[0]?.node.foundedOn,
      userErrors: refused.userErrors.map((e) => ({ field: e.field, code: e.code })),
      opening: posted.jobOpening?.id,
      openingErrors: posted.userErrors.length,
      httpAnswers: [...answers].sort(),
      event: { kind: event.node.kind, subjectId: event.node.subjectId, occurredAt: event.node.occurredAt },
    }),
  );
}

/**
 * Keeps what a subscription delivers from the moment it starts, so that the test can wait
 * for an event caused after it started: start subscribes and returns how to unsubscribe.
 */
export function collect<T>(start: (next: (value: T) => void, fail: (error: unknown) => void) => () => void) {
  const seen: T[] = [];
  let failure: unknown;
  let wake = () => {};
  const stop = start(
    (v) => {
      seen.push(v);
      wake();
    },
    (e) => {
      failure = e ?? new Error('the subscription failed');
      wake();
    },
  );
  return {
    /** The first value that matches, within 10 seconds; then unsubscribes. */
    first(match: (value: T) => boolean): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error('no matching event within 10 s')), 10_000);
        const done = (err?: unknown, v?: T) => {
          clearTimeout(timer);
          wake = () => {};
          stop();
          if (err !== undefined) reject(err);
          else resolve(v as T);
        };
        wake = () => {
          const hit = seen.find(match);
          if (hit !== undefined) done(undefined, hit);
          else if (failure !== undefined) done(failure);
        };
        wake();
      });
    },
  };
}
