// Two small, real recommenders trained on the ratings: a popularity + genre-affinity baseline and
// a matrix factorisation fitted by stochastic gradient descent.
import type { Movie, Rating } from './data.js';
import { prng } from './data.js';

/** One recommended film. */
export interface RecommendedItem {
  readonly movie_id: number;
  readonly title: string;
  readonly genre: string;
  /** Predicted rating on the 1-5 scale. */
  readonly score: number;
}

/** A trained model: predicted ratings, and the top films a user has not rated yet. */
export interface Recommender {
  readonly kind: 'popularity-genre' | 'matrix-factorization';
  /** Predicted rating of a film for a user (unknown users get the film's mean). */
  predict(userId: number, movie: Movie): number;
  /** The `k` best films the user has not rated, optionally of one genre. */
  recommend(userId: number, k: number, genre?: string): RecommendedItem[];
}

/** Users' rating histories, shared by both models to skip films already seen. */
class History {
  readonly seen = new Map<number, Set<number>>();
  constructor(ratings: readonly Rating[]) {
    for (const r of ratings) {
      let set = this.seen.get(r.user_id);
      if (!set) {
        set = new Set();
        this.seen.set(r.user_id, set);
      }
      set.add(r.movie_id);
    }
  }
}

function topK(
  movies: readonly Movie[],
  seen: ReadonlySet<number> | undefined,
  k: number,
  genre: string | undefined,
  score: (m: Movie) => number,
): RecommendedItem[] {
  const scored: RecommendedItem[] = [];
  for (const m of movies) {
    if (seen?.has(m.id) || (genre !== undefined && m.genre !== genre)) continue;
    scored.push({ movie_id: m.id, title: m.title, genre: m.genre, score: score(m) });
  }
  scored.sort((a, b) => b.score - a.score || a.movie_id - b.movie_id);
  return scored.slice(0, k).map((i) => ({ ...i, score: Math.round(i.score * 1000) / 1000 }));
}

/**
 * Baseline: each film's Bayesian-average rating (shrunk toward the global mean by `prior` virtual
 * ratings, so a film rated 5 once does not top the list), plus the user's affinity for its genre.
 */
export function trainPopularity(
  movies: readonly Movie[],
  ratings: readonly Rating[],
  prior = 5,
): Recommender {
  const mean = ratings.reduce((s, r) => s + r.rating, 0) / Math.max(1, ratings.length);
  const sums = new Map<number, { sum: number; n: number }>();
  for (const r of ratings) {
    const s = sums.get(r.movie_id) ?? { sum: 0, n: 0 };
    s.sum += r.rating;
    s.n++;
    sums.set(r.movie_id, s);
  }
  const item = new Map<number, number>();
  for (const m of movies) {
    const s = sums.get(m.id) ?? { sum: 0, n: 0 };
    item.set(m.id, (s.sum + prior * mean) / (s.n + prior));
  }
  const byId = new Map(movies.map((m) => [m.id, m]));
  const affinity = new Map<string, { sum: number; n: number }>();
  for (const r of ratings) {
    const m = byId.get(r.movie_id);
    if (!m) continue;
    const key = `${r.user_id}|${m.genre}`;
    const a = affinity.get(key) ?? { sum: 0, n: 0 };
    a.sum += r.rating - item.get(m.id)!;
    a.n++;
    affinity.set(key, a);
  }
  const history = new History(ratings);
  const predict = (userId: number, m: Movie): number => {
    const a = affinity.get(`${userId}|${m.genre}`);
    return (item.get(m.id) ?? mean) + (a ? a.sum / (a.n + 2) : 0);
  };
  return {
    kind: 'popularity-genre',
    predict,
    recommend: (userId, k, genre) =>
      topK(movies, history.seen.get(userId), k, genre, (m) => predict(userId, m)),
  };
}

/** Options of the matrix factorisation. */
export interface FactorizationOptions {
  readonly factors?: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly regularization?: number;
  readonly seed?: number;
  /** Share of ratings held out to measure validation RMSE each epoch. */
  readonly holdout?: number;
}

/** Per-epoch numbers of the factorisation. */
export interface EpochMetrics {
  readonly epoch: number;
  /** Root mean squared error on the training ratings. */
  readonly loss: number;
  readonly val_rmse: number;
}

/**
 * Biased matrix factorisation: rating ~ mean + user bias + film bias + user . film factors, fitted by
 * SGD over shuffled ratings. `onEpoch` runs after each epoch (for the training logger).
 */
export async function trainFactorization(
  movies: readonly Movie[],
  ratings: readonly Rating[],
  options: FactorizationOptions = {},
  onEpoch: (metrics: EpochMetrics) => void | Promise<void> = () => {},
): Promise<Recommender & { readonly valRmse: number }> {
  const k = options.factors ?? 16;
  const epochs = options.epochs ?? 12;
  const lr = options.learningRate ?? 0.01;
  const reg = options.regularization ?? 0.05;
  const random = prng(options.seed ?? 7);
  const shuffled = [...ratings].sort(() => random() - 0.5);
  const cut = Math.floor(shuffled.length * (1 - (options.holdout ?? 0.1)));
  const train = shuffled.slice(0, cut);
  const valid = shuffled.slice(cut);
  const mean = train.reduce((s, r) => s + r.rating, 0) / Math.max(1, train.length);
  const users = new Map<number, { bias: number; f: Float64Array }>();
  const items = new Map<number, { bias: number; f: Float64Array }>();
  const vector = () => Float64Array.from({ length: k }, () => (random() - 0.5) * 0.1);
  for (const r of ratings) {
    if (!users.has(r.user_id)) users.set(r.user_id, { bias: 0, f: vector() });
    if (!items.has(r.movie_id)) items.set(r.movie_id, { bias: 0, f: vector() });
  }
  const raw = (u: number, i: number): number => {
    const pu = users.get(u);
    const qi = items.get(i);
    let dot = 0;
    if (pu && qi) for (let d = 0; d < k; d++) dot += pu.f[d]! * qi.f[d]!;
    return mean + (pu?.bias ?? 0) + (qi?.bias ?? 0) + dot;
  };
  const rmse = (set: readonly Rating[]) =>
    Math.sqrt(
      set.reduce((s, r) => s + (r.rating - raw(r.user_id, r.movie_id)) ** 2, 0) / Math.max(1, set.length),
    );
  let valRmse = rmse(valid);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const r of train) {
      const pu = users.get(r.user_id)!;
      const qi = items.get(r.movie_id)!;
      const err = r.rating - raw(r.user_id, r.movie_id);
      pu.bias += lr * (err - reg * pu.bias);
      qi.bias += lr * (err - reg * qi.bias);
      for (let d = 0; d < k; d++) {
        const p = pu.f[d]!;
        const q = qi.f[d]!;
        pu.f[d] = p + lr * (err * q - reg * p);
        qi.f[d] = q + lr * (err * p - reg * q);
      }
    }
    valRmse = rmse(valid);
    await onEpoch({ epoch, loss: rmse(train), val_rmse: valRmse });
  }
  const history = new History(ratings);
  const predict = (userId: number, m: Movie) => Math.min(5, Math.max(1, raw(userId, m.id)));
  return {
    kind: 'matrix-factorization',
    valRmse,
    predict,
    recommend: (userId, k2, genre) =>
      topK(movies, history.seen.get(userId), k2, genre, (m) => predict(userId, m)),
  };
}

/** Validation RMSE of any recommender on held-out ratings (to compare the two versions). */
export function rmseOf(model: Recommender, movies: readonly Movie[], ratings: readonly Rating[]): number {
  const byId = new Map(movies.map((m) => [m.id, m]));
  let sum = 0;
  let n = 0;
  for (const r of ratings) {
    const m = byId.get(r.movie_id);
    if (!m) continue;
    sum += (r.rating - model.predict(r.user_id, m)) ** 2;
    n++;
  }
  return Math.sqrt(sum / Math.max(1, n));
}
