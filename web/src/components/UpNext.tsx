import { useEffect, useRef, useState } from 'react';
import type { TrackSummary } from '../api';
import { fetchUpNext, type UpNextAnswer } from '../api-next';
import { useTrackActions } from '../actions';
import { formatArtists } from '../format';
import { Artwork } from './TrackRow';
import '../upnext.css';

/** Tracks shown; the panel sits above the player bar and must not cover the page. */
const SHOWN = 5;
/** Plays sent as the listener's recent history (the model reads its last 50; a session rarely has more). */
const RECENT_KEPT = 20;
/** Phones (as upnext.css): there the panel starts folded, as open it would cover much of the page. */
const PHONE_QUERY = '(max-width: 760px)';

/** The fallback's reason in a listener's words (the server's note, meant for whoever runs it, goes in the tooltip). */
function listenerNote(a: UpNextAnswer): string | null {
  if (a.source !== 'similar') return null;
  return /no sequence model/.test(a.note ?? '')
    ? 'No next-track model yet, so these sound like it.'
    : 'The next-track model has not met this track yet, so these sound like it.';
}

/**
 * "Up next" beside the now-playing track: what the next-track model (or, when none is trained, similar tracks)
 * would play after it, given the tracks played before it in this session. A click plays one.
 */
export function UpNext({ track }: { track: TrackSummary }) {
  const { feedback } = useTrackActions();
  const recent = useRef<string[]>([]);
  const previous = useRef<string | null>(null);
  const [answer, setAnswer] = useState<UpNextAnswer | null>(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(() => !window.matchMedia(PHONE_QUERY).matches);

  useEffect(() => {
    if (previous.current && previous.current !== track.id) {
      recent.current = [...recent.current.filter((id) => id !== previous.current), previous.current].slice(-RECENT_KEPT);
    }
    previous.current = track.id;
    const ctl = new AbortController();
    setFailed(false);
    fetchUpNext(track.id, recent.current.filter((id) => id !== track.id), SHOWN, ctl.signal)
      .then(setAnswer)
      .catch(() => {
        if (!ctl.signal.aborted) setFailed(true);
      });
    return () => ctl.abort();
  }, [track.id]);

  const current = answer?.track.id === track.id ? answer : null;
  return (
    <section className={`up-next${open ? ' is-open' : ''}`} data-testid="up-next" aria-label="Up next">
      <button type="button" className="un-head" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Up next{current ? <span className="un-source" data-testid="up-next-source">{current.source === 'sequence' ? 'next-track model' : 'similar tracks'}</span> : null}
      </button>
      {open && (
        <div className="un-body">
          {failed && <p className="un-note">Up next is unavailable right now.</p>}
          {!failed && !current && <p className="un-note">Finding what comes next…</p>}
          {current && listenerNote(current) && (
            <p className="un-note" data-testid="up-next-note" title={current.note}>
              {listenerNote(current)}
            </p>
          )}
          {current && (
            <ol className="un-list">
              {current.items.map((it) => (
                <li key={it.track.id}>
                  <button type="button" className="un-item" data-testid="up-next-item" data-track-id={it.track.id} onClick={() => feedback(it.track, 'play')} title={`Play ${it.track.name}`}>
                    <Artwork track={it.track} size={30} />
                    <span className="un-text">
                      <span className="un-name">{it.track.name}</span>
                      <span className="un-artist">{formatArtists(it.track.artists)}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
