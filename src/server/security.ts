import type { FastifyHelmetOptions } from '@fastify/helmet'

/** Where the web app's embedded player comes from: Spotify's track embeds (open.spotify.com/embed/track/<id>). */
export const SPOTIFY_EMBED_ORIGIN = 'https://open.spotify.com'

/**
 * The Content-Security-Policy, fitted to the built web app (React + Vite): its scripts, styles and fonts are
 * files from this server, its only requests go to /api on the same origin, its favicon is a data: URI, and the
 * one thing it embeds is Spotify's player. React sets styles through the DOM (element.style), which CSP allows
 * without 'unsafe-inline'. Nobody may frame the app (clickjacking), and there are no plugins, forms elsewhere or
 * <base> changes.
 */
export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'frame-src': [SPOTIFY_EMBED_ORIGIN],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
}

/** @fastify/helmet's settings: the CSP above plus helmet's other defaults, with the exceptions explained. */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  // The listener's id is in no URL, but nothing else the app links to needs to know where the click came from.
  referrerPolicy: { policy: 'no-referrer' },
  // For browsers that predate frame-ancestors.
  xFrameOptions: { action: 'deny' },
  // segue serves plain HTTP on 127.0.0.1 by default; whoever puts TLS in front of it decides on HSTS there.
  strictTransportSecurity: false,
}

/** Routes whose answers carry a listener's data or token: never stored by a browser or a proxy. */
export function isPrivateRoute(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && routeUrl.startsWith('/api/listeners')
}
