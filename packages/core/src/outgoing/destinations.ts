import { isIP } from 'node:net';
import { ThreadlineConfigError } from '../errors.js';
import { safeCall } from '../guard.js';

/**
 * A destination that may (or may not) receive the context's headers: a host name (`api.internal`),
 * a wildcard suffix (`*.corp.example` matches its subdomains), a pattern tested against the origin
 * (`https://host:8443`), or a predicate over the request URL (run inside a guard).
 */
export type DestinationPattern = string | RegExp | ((url: URL) => boolean);

/** Where the context's headers go: `'internal'` (the default), `'all'`, or a list of patterns. */
export type DestinationPolicy = 'internal' | 'all' | readonly DestinationPattern[];

/** One outgoing call as the destination check sees it. */
export interface Destination {
  /** Host name, lowercase, without brackets or port. */
  readonly hostname: string;
  /** `http:` or `https:`. */
  readonly protocol: string;
  /** `host[:port]` as in the Host header. */
  readonly host: string;
  readonly path: string;
}

const COMPONENT = 'core.outgoing';

// The RFC 1918, loopback, link-local and unique-local ranges: addresses that do not leave the network.
function internalIp(host: string): boolean {
  const kind = isIP(host);
  if (kind === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  if (kind === 6) {
    const h = host.toLowerCase();
    if (h === '::1') return true;
    if (h.startsWith('::ffff:')) return internalIp(h.slice(7));
    return /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  }
  return false;
}

const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.svc', '.lan', '.home.arpa'];

/**
 * True for destinations inside the deployment: loopback and private IP addresses, `localhost`,
 * single-label names (container and Kubernetes service names) and the `.local`, `.internal`, `.svc`,
 * `.lan`, `.home.arpa` domains. Names are not resolved: a public name pointing at a private
 * address is not internal by this test.
 */
export function isInternalHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (isIP(h)) return internalIp(h);
  if (h === 'localhost' || !h.includes('.')) return true;
  return INTERNAL_SUFFIXES.some((s) => h.endsWith(s));
}

type Matcher = (d: Destination) => boolean;

function compile(name: string, pattern: unknown): Matcher {
  if (typeof pattern === 'string' && pattern !== '') {
    const p = pattern.toLowerCase();
    if (p.startsWith('*.')) {
      const suffix = p.slice(1);
      return (d) => d.hostname.endsWith(suffix);
    }
    return (d) => d.hostname === p;
  }
  if (pattern instanceof RegExp) {
    const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    return (d) => re.test(`${d.protocol}//${d.host}`);
  }
  if (typeof pattern === 'function') {
    const fn = pattern as (url: URL) => boolean;
    return (d) => {
      let url: URL;
      try {
        url = new URL(`${d.protocol}//${d.host}${d.path}`);
      } catch {
        return false;
      }
      return safeCall(COMPONENT, fn, [url], false) === true;
    };
  }
  throw new ThreadlineConfigError(
    COMPONENT,
    `option ${name}: each destination must be a host name, a *.suffix, a RegExp or a function`,
  );
}

/** Compiles the allow-list and deny-list at setup (throws on a bad entry); the deny-list wins. */
export function destinationFilter(
  allow: DestinationPolicy | undefined,
  deny: readonly DestinationPattern[] | undefined,
): (d: Destination) => boolean {
  let allowed: Matcher;
  if (allow === undefined || allow === 'internal') allowed = (d) => isInternalHost(d.hostname);
  else if (allow === 'all') allowed = () => true;
  else if (Array.isArray(allow)) {
    const list = allow.map((p, i) => compile(`propagateTo[${i}]`, p));
    allowed = (d) => list.some((m) => m(d));
  } else {
    throw new ThreadlineConfigError(
      COMPONENT,
      "option propagateTo must be 'internal', 'all' or a list of destinations",
    );
  }
  if (deny === undefined) return allowed;
  if (!Array.isArray(deny))
    throw new ThreadlineConfigError(COMPONENT, 'option doNotPropagateTo must be a list of destinations');
  const denied = deny.map((p, i) => compile(`doNotPropagateTo[${i}]`, p));
  return (d) => !denied.some((m) => m(d)) && allowed(d);
}
