import { isIPv6 } from 'node:net'
import { SegueError } from '../core/errors.js'

/**
 * Counts per key in fixed windows: every count starts again when the window turns, and a key is only dropped
 * then. Nothing is evicted early, so no flood of other keys can reset one key's count (a bounded LRU of keys
 * can: 5,100 requests with bogus tokens used to give a listener a fresh budget). Memory is bounded by the keys
 * seen in one window.
 */
export class WindowCounter {
  private counts = new Map<string, number>()
  private windowEnds = 0

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one more for `key`; returns its count in this window, this one included. */
  hit(key: string): number {
    this.turn()
    const n = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, n)
    return n
  }

  /** The count for `key` in this window. */
  count(key: string): number {
    this.turn()
    return this.counts.get(key) ?? 0
  }

  /** Whole seconds until the window turns, at least 1: the Retry-After of a refusal. */
  secondsLeft(): number {
    return Math.max(1, Math.ceil((this.windowEnds - this.now()) / 1000))
  }

  private turn(): void {
    const now = this.now()
    if (now < this.windowEnds) return
    this.counts.clear()
    this.windowEnds = now + this.windowMs
  }
}

/** Hextets of an IPv6 address kept as its network: one /64 is one subscriber, who holds all 2^64 addresses in it. */
const IPV6_NETWORK_HEXTETS = 4

/**
 * The key an address is counted under: an IPv4 address as it is, an IPv6 address by its /64 network (anyone
 * holding one address holds the whole /64, so counting single addresses would not limit anybody).
 */
export function addressKey(ip: string): string {
  if (!isIPv6(ip)) return ip
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]
  return `${expandIPv6(ip).slice(0, IPV6_NETWORK_HEXTETS).join(':')}::/64`
}

/** The eight hextets of an IPv6 address, "::" expanded (an embedded IPv4 tail counts as two). */
function expandIPv6(ip: string): string[] {
  const [head, tail = ''] = ip.split('%')[0].split('::')
  const part = (s: string) => (s === '' ? [] : s.split(':').flatMap((h) => (h.includes('.') ? ['0', '0'] : [h])))
  const left = part(head)
  const right = ip.includes('::') ? part(tail) : []
  const zeros = Array(8 - left.length - right.length).fill('0')
  return [...left, ...zeros, ...right].map((h) => h.toLowerCase().replace(/^0+(?=.)/, ''))
}

/** E_RATE_LIMITED for `what`, saying when to try again. */
export function rateLimited(what: string, max: number, windowMs: number): SegueError {
  return new SegueError('E_RATE_LIMITED', `too many ${what}: at most ${max} per ${Math.round(windowMs / 1000)} s; try again later`)
}
