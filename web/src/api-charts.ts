// Typed client for the chart routes (GET /api/charts, GET /api/charts/:name) and the theme charts are drawn in.
import { api, request, type TrackSummary } from './api';

export type ChartTheme = 'light' | 'dark';

/** One chart the server draws, as GET /api/charts lists it. */
export interface ChartInfo {
  name: string;
  title: string;
  description: string;
  /** What it is drawn from: 'tracks' (the catalogue), 'aggregates', 'listening', 'playlists', 'models'. */
  needs: string[];
  /** Whether the server can mark a track on it (a cluster map). */
  highlightable: boolean;
}

/** A Vega-Lite spec as the server sends it (with the theme's config inside); the page only passes it on. */
export type ChartSpec = Record<string, unknown>;

const enc = encodeURIComponent;

export const chartsApi = {
  list: (signal?: AbortSignal) => request<{ charts: ChartInfo[] }>('GET', '/charts', { signal }),

  /** The chart's spec; `highlight` marks a track on charts of tracks that can place one. */
  spec: (name: string, theme: ChartTheme, signal?: AbortSignal, highlight?: string) =>
    request<ChartSpec>('GET', `/charts/${enc(name)}`, { query: { theme, highlight }, signal }),

  /** Tracks credited to an artist: a search for the name, kept to the tracks that name them exactly. */
  artistTracks: async (artist: string, signal?: AbortSignal): Promise<TrackSummary[]> => {
    const { items } = await api.search(artist, ARTIST_SEARCH_LIMIT, signal);
    const key = artist.toLocaleLowerCase();
    return items.filter((t) => t.artists.some((a) => a.toLocaleLowerCase() === key));
  },
};

/** Search hits asked for when listing an artist's tracks: the search's own maximum. */
const ARTIST_SEARCH_LIMIT = 50;

/** The theme the page is drawn in: its CSS color-scheme, else the system's preference. */
export function pageTheme(): ChartTheme {
  const scheme = getComputedStyle(document.documentElement).colorScheme;
  if (scheme === 'dark' || scheme === 'light') return scheme;
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
