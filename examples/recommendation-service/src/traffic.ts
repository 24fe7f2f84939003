// Built-in synthetic traffic, so the dashboards move without a load tool: known users most of the
// time, bursts of new (cold-start) users that drift the inputs, a few invalid requests, and delayed
// click outcomes decided by each user's hidden taste.
import { type Movie, prng, type Taste, trueRating } from './data.js';

/** Options of `startTraffic`. */
export interface TrafficOptions {
  /** Where the service listens, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  readonly movies: readonly Movie[];
  /** Hidden tastes of the generated users (decide the clicks). */
  readonly tastes: ReadonlyMap<number, Taste>;
  /** Requests per second (default 20). */
  readonly rate?: number;
  /** Length of one cycle in ms: the last third of each cycle sends mostly new users (default 90 s). */
  readonly cycleMs?: number;
  /** Share of deliberately invalid requests (default 0.03). */
  readonly invalidShare?: number;
  /** Most requests in flight; ticks beyond it are skipped, never queued (default 50). */
  readonly maxInFlight?: number;
  /** Outcome delay range in ms (default 500 to 5000). */
  readonly outcomeDelayMs?: readonly [number, number];
  readonly seed?: number;
}

/** What the generator has done so far. */
export interface TrafficStats {
  requests: number;
  ok: number;
  rejected: number;
  failed: number;
  outcomes: number;
  skipped: number;
}

/** A running generator. */
export interface Traffic {
  readonly stats: TrafficStats;
  /** Stops sending and waits for requests in flight (pending outcomes are dropped). */
  stop(): Promise<void>;
}

interface RecommendationBody {
  readonly items: readonly { movie_id: number }[];
  readonly prediction_id: string;
}

/** Starts sending requests to the service until `stop()`. */
export function startTraffic(options: TrafficOptions): Traffic {
  const random = prng(options.seed ?? 42);
  const rate = options.rate ?? 20;
  const cycleMs = options.cycleMs ?? 90_000;
  const invalidShare = options.invalidShare ?? 0.03;
  const maxInFlight = options.maxInFlight ?? 50;
  const [minDelay, maxDelay] = options.outcomeDelayMs ?? [500, 5_000];
  const users = [...options.tastes.keys()];
  const movies = new Map(options.movies.map((m) => [m.id, m]));
  const stats: TrafficStats = { requests: 0, ok: 0, rejected: 0, failed: 0, outcomes: 0, skipped: 0 };
  const inFlight = new Set<Promise<void>>();
  const outcomeTimers = new Set<NodeJS.Timeout>();
  const started = Date.now();
  let stopped = false;

  const track = (p: Promise<void>) => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  };

  const pickPath = (): { path: string; userId: number } => {
    if (random() < invalidShare) {
      const bad = [
        '/recommendations/abc',
        '/recommendations/7?k=500',
        '/recommendations/9?genre=Space%20Opera',
      ];
      return { path: bad[Math.floor(random() * bad.length)]!, userId: 0 };
    }
    const drifted = (Date.now() - started) % cycleMs > (cycleMs * 2) / 3;
    const newUser = random() < (drifted ? 0.7 : 0.02);
    const userId = newUser
      ? 100_000 + Math.floor(random() * 50_000)
      : users[Math.floor(random() * users.length)]!;
    const k = [5, 10, 10, 10, 20][Math.floor(random() * 5)]!;
    return { path: `/recommendations/${userId}?k=${k}`, userId };
  };

  const clicked = (userId: number, movieId: number | undefined): boolean => {
    const taste = options.tastes.get(userId);
    const movie = movieId === undefined ? undefined : movies.get(movieId);
    if (!taste || !movie) return random() < 0.3;
    return trueRating(taste, movie) + (random() - 0.5) >= 3.9;
  };

  const one = async (): Promise<void> => {
    const { path, userId } = pickPath();
    stats.requests++;
    let res: Response;
    try {
      res = await fetch(options.baseUrl + path, { signal: AbortSignal.timeout(10_000) });
    } catch {
      stats.failed++;
      return;
    }
    if (res.status === 422) {
      stats.rejected++;
      await res.body?.cancel();
      return;
    }
    if (!res.ok) {
      stats.failed++;
      await res.body?.cancel();
      return;
    }
    stats.ok++;
    const body = (await res.json()) as RecommendationBody;
    const delay = minDelay + random() * (maxDelay - minDelay);
    const timer = setTimeout(() => {
      outcomeTimers.delete(timer);
      if (stopped) return;
      track(
        fetch(`${options.baseUrl}/outcomes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            prediction_id: body.prediction_id,
            clicked: clicked(userId, body.items[0]?.movie_id),
          }),
          signal: AbortSignal.timeout(10_000),
        }).then(
          async (r) => {
            stats.outcomes++;
            await r.body?.cancel();
          },
          () => {},
        ),
      );
    }, delay);
    timer.unref();
    outcomeTimers.add(timer);
  };

  const interval = setInterval(
    () => {
      if (inFlight.size >= maxInFlight) {
        stats.skipped++;
        return;
      }
      track(one().catch(() => {}));
    },
    Math.max(1, Math.round(1000 / rate)),
  );
  interval.unref();

  return {
    stats,
    stop: async () => {
      stopped = true;
      clearInterval(interval);
      for (const t of outcomeTimers) clearTimeout(t);
      outcomeTimers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
