// Typed client for "Up next" (GET /api/tracks/:id/next). Shares api.ts's request, so failures read the same.
import { request, type TrackSummary } from './api';

export interface UpNextAnswer {
  track: TrackSummary;
  /** 'sequence': the next-track model; 'similar': its fallback when no model knows the track. */
  source: 'sequence' | 'similar';
  /** Why the fallback was used. */
  note?: string;
  historyUsed: number;
  items: { track: TrackSummary; score: number }[];
}

/** The tracks to play after `id`, given the recent plays before it (oldest first). */
export function fetchUpNext(id: string, recent: readonly string[], n: number, signal?: AbortSignal): Promise<UpNextAnswer> {
  return request<UpNextAnswer>('GET', `/tracks/${encodeURIComponent(id)}/next`, { query: { n, recent: recent.join(',') }, signal });
}
