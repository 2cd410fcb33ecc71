import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, type Counts, type Credentials } from './api';

const STORAGE_KEY = 'segue.listener';

export interface Session extends Credentials {
  name: string | null;
  counts: Counts;
}

export const ZERO_COUNTS: Counts = { play: 0, like: 0, skip: 0, dislike: 0 };

/** 401, 403 or 404 on a listener route: the stored listener is not ours (any more). */
export function isLostListener(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404);
}

function readStored(): Credentials | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<Credentials> | null;
    if (v && typeof v.id === 'string' && typeof v.token === 'string' && v.id && v.token) return { id: v.id, token: v.token };
  } catch {
    // Unreadable storage or bad JSON: start over.
  }
  return null;
}

function writeStored(c: Credentials | null) {
  try {
    if (c) localStorage.setItem(STORAGE_KEY, JSON.stringify({ id: c.id, token: c.token }));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Private mode or full storage: the session still works until reload.
  }
}

async function createSession(): Promise<Session> {
  const r = await api.createListener();
  const s: Session = { id: r.listener.id, token: r.token, name: r.listener.name, counts: { ...ZERO_COUNTS } };
  writeStored(s);
  return s;
}

async function restoreOrCreate(): Promise<Session> {
  const stored = readStored();
  if (stored) {
    try {
      const r = await api.getListener(stored);
      return { ...stored, name: r.listener.name, counts: { ...ZERO_COUNTS, ...r.counts } };
    } catch (err) {
      if (!isLostListener(err)) throw err;
      writeStored(null);
    }
  }
  return createSession();
}

// Shared by both effect runs under StrictMode so only one listener is created at start-up.
let bootPromise: Promise<Session> | null = null;

export type SessionStatus = 'connecting' | 'ready' | 'error';

export function useListenerSession(onError: (err: unknown) => void) {
  const [session, setSessionState] = useState<Session | null>(null);
  const [status, setStatus] = useState<SessionStatus>('connecting');
  const ref = useRef<Session | null>(null);
  const creating = useRef<Promise<Session> | null>(null);

  const setSession = useCallback((s: Session | null) => {
    ref.current = s;
    setSessionState(s);
  }, []);

  const boot = useCallback(() => {
    setStatus('connecting');
    bootPromise ??= restoreOrCreate();
    bootPromise
      .then((s) => {
        setSession(s);
        setStatus('ready');
      })
      .catch((err: unknown) => {
        bootPromise = null;
        setStatus('error');
        onError(err);
      });
  }, [onError, setSession]);

  useEffect(() => {
    boot();
  }, [boot]);

  /** Replaces the current listener with a brand-new one (one request even if called concurrently). */
  const recreate = useCallback((): Promise<Session> => {
    creating.current ??= createSession()
      .then((s) => {
        setSession(s);
        setStatus('ready');
        return s;
      })
      .finally(() => {
        creating.current = null;
      });
    return creating.current;
  }, [setSession]);

  /**
   * Runs a listener request; if the listener turns out to be gone or not ours, makes a new one and retries once.
   * A 404 is only taken as a lost listener when the listener itself no longer answers.
   */
  const withListener = useCallback(
    async <T,>(fn: (c: Credentials) => Promise<T>): Promise<T> => {
      const s = ref.current;
      if (!s) throw new ApiError(0, 'E_NOT_READY', 'Still connecting to segue — try again in a moment.');
      try {
        return await fn(s);
      } catch (err) {
        if (!isLostListener(err)) throw err;
        if ((err as ApiError).status === 404) {
          try {
            await api.getListener(s);
            throw err; // The listener is fine; something else was not found.
          } catch (check) {
            if (check === err || !isLostListener(check)) throw err;
          }
        }
        const current = ref.current;
        const fresh = current && current.id !== s.id ? current : await recreate();
        return fn(fresh);
      }
    },
    [recreate],
  );

  /**
   * Deletes the listener on the server, then forgets it locally and starts fresh. Resolves false (and reports the
   * error) when the server could not delete it: then nothing changes, here or there. `onDeleted` runs between the
   * deletion and the new listener, for the page to drop what belonged to the old one.
   */
  const forget = useCallback(async (onDeleted?: () => void): Promise<boolean> => {
    const s = ref.current;
    if (s) {
      try {
        await api.deleteListener(s);
      } catch (err) {
        if (!isLostListener(err)) {
          onError(err);
          return false;
        }
      }
    }
    setSession(null);
    setStatus('connecting');
    writeStored(null);
    onDeleted?.();
    try {
      await recreate();
    } catch (err) {
      setStatus('error');
      onError(err);
    }
    return true;
  }, [onError, recreate, setSession]);

  const bumpCount = useCallback(
    (kind: keyof Counts) => {
      const s = ref.current;
      if (!s) return;
      setSession({ ...s, counts: { ...s.counts, [kind]: s.counts[kind] + 1 } });
    },
    [setSession],
  );

  return { session, status, withListener, forget, retry: boot, bumpCount };
}
