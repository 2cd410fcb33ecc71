import type { IncomingMessage, ServerResponse } from 'node:http'
import helmet, { type HelmetOptions } from 'helmet'

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

/** helmet's settings: the CSP above plus helmet's other defaults, with the exceptions explained. */
export const HELMET_OPTIONS: HelmetOptions = {
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

/**
 * The headers helmet sets for HELMET_OPTIONS, worked out once. None of them depends on the request (no CSP
 * nonces), and running helmet's middleware on every request (as @fastify/helmet does) cost about a third of
 * the health route's throughput and a tenth of similar tracks'.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  let failure: unknown
  helmet(HELMET_OPTIONS)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => { failure = err })
  if (failure !== undefined) throw failure
  return Object.freeze(headers)
}
