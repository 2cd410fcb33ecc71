// Typed client for online evaluation (GET /api/stats/online). Shares api.ts's request, so failures read the same.
import { request } from './api';

export const ANSWERS = ['played', 'liked', 'skipped', 'disliked'] as const;
export type Answer = (typeof ANSWERS)[number];

/** Of the distinct tracks a model showed listeners, how many were then played, liked, skipped, disliked. */
export interface OnlineFigures {
  model: string;
  shown: number;
  played: number;
  liked: number;
  skipped: number;
  disliked: number;
  /** Each count divided by shown, 0 to 1. */
  rates: Record<Answer, number>;
}

export interface OnlineReport {
  days: number;
  /** First day counted, YYYY-MM-DD (UTC). */
  since: string;
  /** Feedback this many hours after a track was shown still counts as the answer to it. */
  windowHours: number;
  models: OnlineFigures[];
  daily: (OnlineFigures & { day: string })[];
}

/** The periods the page offers, in days. */
export const PERIODS = [1, 7, 30, 90] as const;

export function fetchOnlineStats(days: number, signal?: AbortSignal): Promise<OnlineReport> {
  return request<OnlineReport>('GET', '/stats/online', { query: { days }, signal });
}
