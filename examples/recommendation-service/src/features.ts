// The online feature store: per-user features computed from the training ratings, read at request
// time. Its faults are simulated (a share of lookups time out) so the error panels have something
// to show; the real thing would be a network call.
import type { Movie, Rating } from './data.js';

/** Features of one user at inference time: the inputs the drift monitor watches. */
export interface UserFeatures {
  /** Ratings the user has given (0 for a user the model has never seen). */
  readonly history_length: number;
  /** Their mean rating (the global mean for a new user). */
  readonly mean_rating: number;
  /** The genre they rated most (`none` for a new user). */
  readonly top_genre: string;
}

/** Thrown when a lookup fails: the handler answers 503. */
export class FeatureStoreUnavailableError extends Error {
  override readonly name = 'FeatureStoreUnavailableError';
}

/** Per-user features, built once from the ratings a model was trained on. */
export class FeatureStore {
  private readonly users = new Map<number, UserFeatures>();
  private readonly globalMean: number;
  private faultRate: number;
  private readonly random: () => number;

  constructor(
    movies: readonly Movie[],
    ratings: readonly Rating[],
    options: { faultRate?: number; random?: () => number } = {},
  ) {
    const genreOf = new Map(movies.map((m) => [m.id, m.genre]));
    const acc = new Map<number, { n: number; sum: number; genres: Map<string, number> }>();
    let total = 0;
    for (const r of ratings) {
      total += r.rating;
      let a = acc.get(r.user_id);
      if (!a) {
        a = { n: 0, sum: 0, genres: new Map() };
        acc.set(r.user_id, a);
      }
      a.n++;
      a.sum += r.rating;
      const g = genreOf.get(r.movie_id) ?? 'unknown';
      a.genres.set(g, (a.genres.get(g) ?? 0) + 1);
    }
    this.globalMean = total / Math.max(1, ratings.length);
    for (const [user, a] of acc) {
      const top = [...a.genres.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0]![0];
      this.users.set(user, { history_length: a.n, mean_rating: a.sum / a.n, top_genre: top });
    }
    this.faultRate = options.faultRate ?? 0;
    this.random = options.random ?? Math.random;
  }

  /** The features of every known user: the training reference for drift. */
  reference(): UserFeatures[] {
    return [...this.users.values()];
  }

  /** Number of known users. */
  get size(): number {
    return this.users.size;
  }

  /** Sets the share of lookups that fail (0 to 1). */
  setFaultRate(rate: number): void {
    this.faultRate = Math.min(1, Math.max(0, rate));
  }

  /** Reads a user's features; a new user gets cold-start defaults. */
  async get(userId: number): Promise<UserFeatures> {
    // A real store is a network hop away: yield once so the lookup is asynchronous here too.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.faultRate > 0 && this.random() < this.faultRate) {
      throw new FeatureStoreUnavailableError('feature store lookup timed out');
    }
    return this.users.get(userId) ?? { history_length: 0, mean_rating: this.globalMean, top_genre: 'none' };
  }
}
