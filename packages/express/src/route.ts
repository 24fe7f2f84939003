// Express keeps no route template for a request past the last router: `req.route.path` is the
// innermost route's template and `req.baseUrl` is the concrete prefix (`/users/42`). The template
// prefix is rebuilt by walking the app's router tree along the request's path: mounted sub-apps
// carry their `mountpath`; Express 5 layers report the pattern they matched; Express 4 layers only
// keep the concrete match and its params, so each param value is put back as `:name`.

interface RouteLike {
  readonly path: unknown;
}

interface LayerLike {
  readonly route?: RouteLike;
  readonly handle?: unknown;
  readonly keys?: readonly { readonly name: string | number }[];
  readonly params?: Record<string, string>;
  readonly path?: string;
  match(path: string): unknown;
}

interface StackOwner {
  readonly stack: readonly LayerLike[];
}

interface AppLike {
  readonly parent?: AppLike;
  readonly mountpath?: unknown;
  readonly _router?: StackOwner;
  readonly router?: StackOwner;
}

interface Match {
  readonly path: string;
  readonly pattern: unknown;
  readonly params: Record<string, string>;
  readonly keys: readonly (string | number)[];
}

/** What the route resolver reads from an Express request. */
export interface ExpressRequestLike {
  readonly route?: RouteLike;
  readonly baseUrl?: string;
  readonly originalUrl?: string;
  readonly url?: string;
  readonly app?: AppLike;
}

/** Deepest router nesting followed, so a cyclic mount cannot loop. */
const MAX_DEPTH = 32;

function stackOf(owner: unknown): readonly LayerLike[] | undefined {
  if (!owner || (typeof owner !== 'function' && typeof owner !== 'object')) return undefined;
  const o = owner as {
    stack?: unknown;
    _router?: StackOwner;
    router?: StackOwner;
    handle?: unknown;
    mountpath?: unknown;
  };
  if (Array.isArray(o.stack)) return o.stack as LayerLike[];
  // A mounted Express app: `_router` in Express 4, `router` in Express 5.
  if (o.mountpath !== undefined && typeof o.handle === 'function') return routerOf(o)?.stack;
  return undefined;
}

/** An app's router: `_router` in Express 4, `router` in Express 5 (Express 4's `router` getter throws). */
export function routerOf(app: unknown): StackOwner | undefined {
  try {
    const a = app as AppLike;
    const router = a._router ?? a.router;
    return router && Array.isArray(router.stack) ? router : undefined;
  } catch {
    return undefined;
  }
}

function matchLayer(layer: LayerLike, path: string): Match | undefined {
  let m: unknown;
  try {
    m = layer.match(path);
  } catch {
    return undefined;
  }
  if (!m) return undefined;
  if (m === true) {
    // Express 4: the result is left on the layer.
    return {
      path: layer.path ?? '',
      pattern: undefined,
      params: layer.params ?? {},
      keys: (layer.keys ?? []).map((k) => k.name),
    };
  }
  const r = m as { path?: string; pattern?: unknown; params?: Record<string, string>; keys?: string[] };
  return { path: r.path ?? '', pattern: r.pattern, params: r.params ?? {}, keys: r.keys ?? [] };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function trimSlash(t: string): string {
  return t === '/' ? '' : t.endsWith('/') ? t.slice(0, -1) : t;
}

/** A template from a concrete match and its params: `/users/42` with `{id: '42'}` gives `/users/:id`. */
function fromParams(match: Match): string {
  if (match.keys.length === 0) return trimSlash(match.path);
  const segments = match.path.split('/');
  let from = 0;
  for (const key of match.keys) {
    const value = match.params[key as string];
    let i = from;
    while (i < segments.length && safeDecode(segments[i]!) !== value) i++;
    // A param spanning segments or sharing one with text cannot be placed: say so rather than
    // let a concrete value into a label.
    if (i === segments.length) return '/*';
    segments[i] = `:${key}`;
    from = i + 1;
  }
  return trimSlash(segments.join('/'));
}

function template(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof RegExp) return String(value);
  if (Array.isArray(value)) return value.map((v) => template(v) ?? '').join('|');
  return undefined;
}

function mountTemplate(layer: LayerLike, match: Match): string {
  const mountpath = (layer.handle as { mountpath?: unknown } | undefined)?.mountpath;
  if (typeof mountpath === 'string') return trimSlash(mountpath);
  if (typeof match.pattern === 'string') return trimSlash(match.pattern);
  return fromParams(match);
}

function routeTemplate(route: RouteLike, match: Match): string {
  if (Array.isArray(route.path) && typeof match.pattern === 'string') return match.pattern;
  return template(route.path) ?? '';
}

function search(
  stack: readonly LayerLike[],
  path: string,
  target: RouteLike,
  prefix: string,
  depth: number,
  apps: readonly AppLike[],
): string | undefined {
  for (const layer of stack) {
    if (layer.route) {
      if (layer.route !== target) continue;
      const m = matchLayer(layer, path);
      if (m) return prefix + routeTemplate(layer.route, m);
      continue;
    }
    if (depth >= MAX_DEPTH) continue;
    const child = stackOf(layer.handle);
    // A mounted sub-app hides behind a wrapper function; the candidates are the apps the request
    // passed through (req.app and its parents), which carry their mount templates.
    const mounted = !child && (layer.handle as { name?: string } | undefined)?.name === 'mounted_app';
    if (!child && !mounted) continue;
    const m = matchLayer(layer, path);
    if (!m) continue;
    let rest = path.slice(m.path.length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
    if (child) {
      const found = search(child, rest, target, prefix + mountTemplate(layer, m), depth + 1, apps);
      if (found !== undefined) return found;
      continue;
    }
    for (const app of apps) {
      const sub = routerOf(app);
      if (!sub) continue;
      const mount = typeof app.mountpath === 'string' ? trimSlash(app.mountpath) : mountTemplate(layer, m);
      const found = search(sub.stack, rest, target, prefix + mount, depth + 1, apps);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The route template of a finished Express request (`/api/users/:id`), or `undefined` when no route
 * matched. Never the raw path.
 */
export function routeTemplateOf(req: ExpressRequestLike): string | undefined {
  const route = req.route;
  if (!route) return undefined;
  const own = template(route.path);
  if (!req.baseUrl) return own;
  let app = req.app;
  const apps: AppLike[] = [];
  for (let i = 0; app?.parent && i < MAX_DEPTH; i++) {
    apps.push(app);
    app = app.parent;
  }
  const root = routerOf(app);
  if (!root) return own;
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const found = search(root.stack, path, route, '', 0, apps);
  // Should the walk fail (a router changed after the request), the innermost template is still a
  // template; a concrete baseUrl never becomes a label.
  return found ?? own;
}
