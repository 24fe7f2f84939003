// The data: real movies from the `vega-datasets` package, and user ratings derived from them.
//
// vega-datasets ships 3,201 films with genre, IMDB rating and vote count, but no per-user ratings.
// The users and their ratings are therefore generated here, deterministically from a fixed seed:
// each user has favourite and disliked genres, picks films in proportion to their popularity (IMDB
// votes) and rates them from the film's IMDB rating shifted by their taste. Same seed, same data.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One film of the catalogue. */
export interface Movie {
  readonly id: number;
  readonly title: string;
  readonly genre: string;
  readonly imdbRating: number;
  readonly imdbVotes: number;
}

/** One rating as it arrives in a batch file. */
export interface Rating {
  readonly user_id: number;
  readonly movie_id: number;
  readonly rating: number;
  readonly ts: string;
}

/** A generated user's hidden taste: what the synthetic traffic uses to decide clicks. */
export interface Taste {
  readonly favourite: readonly string[];
  readonly disliked: readonly string[];
  /** Personal offset to every rating (some people rate high). */
  readonly bias: number;
}

interface RawMovie {
  readonly Title: string | number | null;
  readonly 'Major Genre': string | null;
  readonly 'IMDB Rating': number | null;
  readonly 'IMDB Votes': number | null;
}

/** mulberry32: a small, well-known 32-bit PRNG; enough for reproducible sampling. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  // Box-Muller; 1 - u keeps log() away from 0.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Loads the films that have a genre, an IMDB rating and votes (about 2,900 of 3,201). */
export function loadMovies(): Movie[] {
  // The package exports only its JS entry (build/index.js); the data files sit beside build/.
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  const path = join(dirname(entry), '..', 'data', 'movies.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as RawMovie[];
  const movies: Movie[] = [];
  for (const m of raw) {
    if (!m['Major Genre'] || m['IMDB Rating'] == null || !m['IMDB Votes']) continue;
    movies.push({
      id: movies.length + 1,
      title: String(m.Title),
      genre: m['Major Genre'],
      imdbRating: m['IMDB Rating'],
      imdbVotes: m['IMDB Votes'],
    });
  }
  return movies;
}

/** The genres of the catalogue, sorted: a bounded domain for validation and drift. */
export function genresOf(movies: readonly Movie[]): string[] {
  return [...new Set(movies.map((m) => m.genre))].sort();
}

/** Options of `generateRatings`. */
export interface GenerateOptions {
  readonly users?: number;
  readonly seed?: number;
  /** Ratings per user: uniform in [min, max]. */
  readonly perUser?: readonly [number, number];
}

/** Users, their hidden tastes, and their ratings, from the catalogue and a seed. */
export interface Population {
  readonly tastes: ReadonlyMap<number, Taste>;
  readonly ratings: readonly Rating[];
}

/** The rating `taste` would give `movie` before noise: what "this user likes it" means here. */
export function trueRating(taste: Taste, movie: Movie): number {
  let r = movie.imdbRating / 2 + taste.bias;
  if (taste.favourite.includes(movie.genre)) r += 1.2;
  if (taste.disliked.includes(movie.genre)) r -= 1.5;
  return r;
}

/** Generates users, their tastes and their ratings, deterministically. */
export function generateRatings(movies: readonly Movie[], options: GenerateOptions = {}): Population {
  const random = prng(options.seed ?? 20230928);
  const users = options.users ?? 600;
  const [minPer, maxPer] = options.perUser ?? [15, 60];
  const genres = genresOf(movies);
  const tastes = new Map<number, Taste>();
  const ratings: Rating[] = [];
  const start = Date.UTC(2023, 8, 1);
  for (let u = 1; u <= users; u++) {
    const shuffled = [...genres].sort(() => random() - 0.5);
    const taste: Taste = {
      favourite: shuffled.slice(0, 2),
      disliked: shuffled.slice(2, 4),
      bias: gaussian(random) * 0.3,
    };
    tastes.set(u, taste);
    const count = minPer + Math.floor(random() * (maxPer - minPer + 1));
    // Popular films and the user's favourite genres are picked more often (cumulative weights,
    // binary search: a linear scan per pick would cost seconds at start-up).
    const cumulative = new Float64Array(movies.length);
    let total = 0;
    movies.forEach((m, i) => {
      total += Math.sqrt(m.imdbVotes) * (taste.favourite.includes(m.genre) ? 4 : 1);
      cumulative[i] = total;
    });
    const seen = new Set<number>();
    for (let n = 0; n < count * 3 && seen.size < count; n++) {
      const pick = random() * total;
      let lo = 0;
      let hi = movies.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! < pick) lo = mid + 1;
        else hi = mid;
      }
      const i = lo;
      const movie = movies[i]!;
      if (seen.has(movie.id)) continue;
      seen.add(movie.id);
      const rating = Math.min(5, Math.max(1, Math.round(trueRating(taste, movie) + gaussian(random) * 0.6)));
      const ts = new Date(start + Math.floor(random() * 7 * 86_400_000)).toISOString();
      ratings.push({ user_id: u, movie_id: movie.id, rating, ts });
    }
  }
  ratings.sort((a, b) => a.ts.localeCompare(b.ts));
  return { tastes, ratings };
}
