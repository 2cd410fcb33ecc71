/**
 * Connection details never reach an error message: store errors travel to HTTP clients (503 E_STORE) and to
 * logs that others read, and a driver's own text can carry the host, port and user it tried
 * ("connect ECONNREFUSED 10.0.0.5:5432", 'password authentication failed for user "app"').
 */

/** What replaces a redacted part. */
export const REDACTED = '***'

/** Any URL with a scheme and an authority: a connection string wherever it appears in a message. */
const ANY_URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi
/** Role names PostgreSQL quotes in its messages (user "x", role "x"). */
const QUOTED_ROLE = /\b(user|role) "[^"]*"/gi
/** key=value connection parameters (libpq keyword form): password=..., user=..., host=... */
const KEYWORD_SECRET = /\b(password|user|host|hostaddr|port)=[^\s'"]+/gi
/** Query parameters of a connection URL that name a secret or where the server is. */
const URL_SECRETS = ['password', 'user', 'host', 'hostaddr', 'port']

/** Removes anything that looks like a connection string or credentials, knowing nothing about the store. */
export function scrubSecrets(message: string): string {
  return message
    .replace(ANY_URL, `<${REDACTED}>`)
    .replace(QUOTED_ROLE, (_m, word: string) => `${word} "${REDACTED}"`)
    .replace(KEYWORD_SECRET, (_m, ...groups: string[]) => `${groups[0]}=${REDACTED}`)
}

/**
 * A redactor for one store location (a connection URL or a file path): it removes that location and its user,
 * password, host and port wherever they appear, then anything else {@link scrubSecrets} recognises.
 */
export function redactor(location: string): (message: string) => string {
  const parts = secretParts(location)
  return (message) => {
    let s = message
    for (const part of parts) s = s.replace(tokenPattern(part), REDACTED)
    return scrubSecrets(s)
  }
}

/** The location itself and, for a URL, each secret part; longest first so "host:port" goes before "host". */
function secretParts(location: string): string[] {
  const parts = new Set<string>([location])
  const url = parseUrl(location)
  if (url) {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    for (const p of [url.username, url.password, host, decode(url.username), decode(url.password)]) parts.add(p)
    if (url.port !== '') parts.add(`${host}:${url.port}`).add(`${url.hostname}:${url.port}`)
    for (const key of URL_SECRETS) for (const v of url.searchParams.getAll(key)) parts.add(v)
  }
  return [...parts].filter((p) => p.length > 0 && p !== REDACTED).sort((a, b) => b.length - a.length)
}

/** `part` as a whole token: not inside a longer word, so a user named "pg" leaves "pgbouncer" alone. */
function tokenPattern(part: string): RegExp {
  const escaped = part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(?<![\\w.-])${escaped}(?![\\w-]|\\.\\w)`, 'g')
}

function parseUrl(location: string): URL | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return null
  try {
    return new URL(location)
  } catch {
    return null
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
