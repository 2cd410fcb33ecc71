// Typed client for the segue HTTP API (served under /api by the same process).
import type { MoodName } from './api-moods';

export interface TrackSummary {
  id: string;
  name: string;
  artists: string[];
  album: string | null;
  genres: string[];
  popularity: number | null;
  releaseYear: number | null;
  durationMs: number | null;
  /** The track's most likely mood, where the API sends it. */
  mood?: MoodName;
}

export interface TrackDetail extends TrackSummary {
  explicit: boolean | null;
  features: Record<string, number>;
}

/** One audio feature that a recommendation shares with a seed, in original units. */
export interface Because {
  feature: string;
  seed: number;
  track: number;
}

export interface SimilarItem {
  track: TrackSummary;
  score: number;
  because: Because[];
  sharedGenres: string[];
  mood?: MoodName;
}

export interface PlaylistItem {
  track: TrackSummary;
  seedId: string;
  score: number;
  because: Because[];
  mood?: MoodName;
}

/** A playlist request; with `mood`, only tracks of that mood. */
export interface PlaylistRequest {
  seeds: string[];
  perSeed?: number;
  total?: number;
  mood?: MoodName;
}

export interface Playlist {
  seeds: TrackSummary[];
  items: PlaylistItem[];
}

export type ModelName = 'content' | 'collaborative' | 'hybrid';

export interface ModelInfo {
  name: ModelName;
  label: string;
  description: string;
}

export interface ModelList {
  default: ModelName;
  models: ModelInfo[];
  /** Trained embedding models the server can find similar tracks with (besides the default, 'features'). */
  similar?: string[];
}

export interface Listener {
  id: string;
  name: string | null;
  createdAt: string;
}

export type FeedbackKind = 'play' | 'like' | 'skip' | 'dislike';

export type Counts = Record<FeedbackKind, number>;

export interface FeedbackEvent {
  seq: number;
  trackId: string;
  kind: FeedbackKind;
  at: string;
}

export interface HistoryEvent extends FeedbackEvent {
  track: TrackSummary | null;
}

export type ReasonKind = 'seed' | 'like' | 'play' | 'collaborative' | 'popular';

export interface Reason {
  kind: ReasonKind;
  trackId?: string;
  text: string;
}

export interface Recommendation {
  track: TrackSummary;
  score: number;
  reasons: Reason[];
  because: Because[];
  mood?: MoodName;
}

export interface Recommendations {
  model: string;
  coldStart: boolean;
  items: Recommendation[];
}

/** What the app keeps in localStorage to act as a listener. */
export interface Credentials {
  id: string;
  token: string;
}

/** An error answered by the API (or a transport failure, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: string | undefined;

  constructor(status: number, code: string, message: string, path?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.path = path;
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** Turns anything thrown into an ApiError so the UI can show it uniformly. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Error) return new ApiError(0, 'E_CLIENT', err.message);
  return new ApiError(0, 'E_CLIENT', String(err));
}

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  auth?: Credentials;
  signal?: AbortSignal;
}

function buildUrl(path: string, query?: Query): string {
  let url = `/api${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  return url;
}

function isErrorBody(value: unknown): value is { error: { code?: unknown; message?: unknown; path?: unknown } } {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'object' &&
    (value as { error?: unknown }).error !== null;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.auth) headers.Authorization = `Bearer ${opts.auth.token}`;

  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, 'E_NETWORK', 'Cannot reach the segue server. Is it running?');
  }

  if (res.status === 204) return undefined as T;

  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (!res.ok) {
    if (isErrorBody(data)) {
      const e = data.error;
      throw new ApiError(
        res.status,
        typeof e.code === 'string' ? e.code : `E_HTTP_${res.status}`,
        typeof e.message === 'string' ? e.message : res.statusText || 'Request failed',
        typeof e.path === 'string' ? e.path : undefined,
      );
    }
    throw new ApiError(res.status, `E_HTTP_${res.status}`, res.statusText || `Request failed with status ${res.status}`);
  }
  if (data === undefined) {
    throw new ApiError(res.status, 'E_BAD_RESPONSE', 'The server answered with something that is not JSON');
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  health: (signal?: AbortSignal) => request<{ status: string; tracks: number }>('GET', '/health', { signal }),

  search: (q: string, limit = 8, signal?: AbortSignal) =>
    request<{ items: TrackSummary[] }>('GET', '/search', { query: { q, limit }, signal }),

  track: (id: string, signal?: AbortSignal) =>
    request<{ track: TrackDetail }>('GET', `/tracks/${enc(id)}`, { signal }),

  /** Similar tracks; with `mood`, only tracks of that mood; `model`: a trained embedding model (default: features). */
  similar: (id: string, n = 10, signal?: AbortSignal, mood?: MoodName | null, model?: string | null) =>
    request<{ seed: TrackSummary; items: SimilarItem[] }>('GET', `/tracks/${enc(id)}/similar`, { query: { n, mood: mood ?? undefined, model: model ?? undefined }, signal }),

  playlist: (body: { seeds: string[]; perSeed?: number; total?: number }, signal?: AbortSignal) =>
    request<Playlist>('POST', '/playlists', { body, signal }),

  /** The listener's playlist: the same, but never a track they skipped or disliked. */
  listenerPlaylist: (auth: Credentials, body: PlaylistRequest, signal?: AbortSignal) =>
    request<Playlist>('POST', `/listeners/${enc(auth.id)}/playlists`, { auth, body, signal }),

  models: (signal?: AbortSignal) => request<ModelList>('GET', '/models', { signal }),

  createListener: (name?: string) =>
    request<{ listener: Listener; token: string }>('POST', '/listeners', { body: name ? { name } : {} }),

  getListener: (auth: Credentials, signal?: AbortSignal) =>
    request<{ listener: Listener; counts: Counts }>('GET', `/listeners/${enc(auth.id)}`, { auth, signal }),

  deleteListener: (auth: Credentials) => request<void>('DELETE', `/listeners/${enc(auth.id)}`, { auth }),

  feedback: (auth: Credentials, trackId: string, kind: FeedbackKind) =>
    request<{ event: FeedbackEvent }>('POST', `/listeners/${enc(auth.id)}/feedback`, { auth, body: { trackId, kind } }),

  history: (auth: Credentials, limit = 50, signal?: AbortSignal) =>
    request<{ events: HistoryEvent[] }>('GET', `/listeners/${enc(auth.id)}/history`, { auth, query: { limit }, signal }),

  recommendations: (
    auth: Credentials,
    opts: { n?: number; model?: string; seeds?: string[]; mood?: MoodName | null },
    signal?: AbortSignal,
  ) =>
    request<Recommendations>('GET', `/listeners/${enc(auth.id)}/recommendations`, {
      auth,
      signal,
      query: {
        n: opts.n ?? 10,
        model: opts.model,
        seeds: opts.seeds && opts.seeds.length > 0 ? opts.seeds.join(',') : undefined,
        mood: opts.mood ?? undefined,
      },
    }),
};
