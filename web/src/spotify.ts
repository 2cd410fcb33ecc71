// Track ids of the Spotify catalogues are Spotify's own: each opens on Spotify, and previews in its embed.
import { useSyncExternalStore } from 'react';

/** Spotify track ids are 22 base-62 characters; other ids (test fixtures, other datasets) get no link. */
const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/;

export function isSpotifyId(id: string): boolean {
  return SPOTIFY_ID.test(id);
}

export function spotifyTrackUrl(id: string): string {
  return `https://open.spotify.com/track/${encodeURIComponent(id)}`;
}

export function spotifyEmbedUrl(id: string): string {
  return `https://open.spotify.com/embed/track/${encodeURIComponent(id)}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** navigator.onLine, kept current: the embed is only tried when the browser says it is online. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribe, () => navigator.onLine, () => false);
}
