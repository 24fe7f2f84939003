import type { ServerResponse } from 'node:http';

/**
 * Where the instrumentation keeps a request's state on its response. A `Symbol.for` key, so an
 * endpoint built on one installed copy of core still finds the state another copy's middleware set.
 */
export const REQUEST_STATE: unique symbol = Symbol.for('threadline.http.request-state.v1') as never;

/** What an own-endpoint mark reaches on the response: the request's state and its instrumentation. */
interface MarkTarget {
  readonly owner?: { markOwn(state: MarkTarget, route: string | undefined): void };
}

type ResponseWithState = ServerResponse & { [REQUEST_STATE]?: MarkTarget };

/**
 * Marks a response as answered by one of Threadline's own endpoints (`/metrics`, the debug switch,
 * a dashboard page), so the middleware neither measures nor logs it unless `includeOwnEndpoints` is
 * set, and labels it `route` on every framework when it does. Any Threadline-owned handler calls it
 * before answering; without Threadline's middleware in front it does nothing. Never throws.
 */
export function markOwnEndpoint(res: ServerResponse, route?: string): void {
  try {
    const target = (res as ResponseWithState)[REQUEST_STATE];
    if (target && typeof target.owner?.markOwn === 'function') target.owner.markOwn(target, route);
  } catch {
    // Marking is bookkeeping: an odd response object leaves the request measured as traffic.
  }
}
