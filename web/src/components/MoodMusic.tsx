import { useEffect, useState } from 'react';
import { isAbort, type Credentials } from '../api';
import { moodsApi, type MoodName, type MoodTrackItem } from '../api-moods';
import { useTrackActions, visible } from '../actions';
import { MoodChip } from './MoodChip';
import { SkeletonRows, TrackRow } from './TrackRow';
import { ListIcon } from './Icons';
import '../moods.css';

type WithListener = <T>(fn: (c: Credentials) => Promise<T>) => Promise<T>;

/** Tracks loaded for a mood: enough to browse, few enough to load at once. */
const MOOD_TRACKS = 20;
/** Shown before "Show more", so the panel stays about as tall as its neighbours. */
const FIRST_SHOWN = 8;

interface MoodMusicProps {
  /** The listener's current mood (picked or inferred); null when segue does not know one yet. */
  mood: MoodName | null;
  listenerId: string | null;
  withListener: WithListener;
  onError: (err: unknown) => void;
}

interface Loaded {
  mood: MoodName;
  items: MoodTrackItem[];
  failed: boolean;
}

/** "Music for this mood": the mood's tracks nearest the listener's taste, without what they heard or turned down. */
export function MoodMusic({ mood, listenerId, withListener, onError }: MoodMusicProps) {
  const { dismissed } = useTrackActions();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [expanded, setExpanded] = useState(false);

  useEffect(() => {
    if (!mood || !listenerId) return;
    const ctl = new AbortController();
    setExpanded(false);
    withListener((c) => moodsApi.tracks(c, mood, MOOD_TRACKS, ctl.signal))
      .then((r) => setLoaded({ mood, items: r.items, failed: false }))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setLoaded({ mood, items: [], failed: true });
        onError(err);
      });
    return () => ctl.abort();
  }, [mood, listenerId, withListener, onError]);

  const loading = mood !== null && loaded?.mood !== mood;
  const items = loaded && !loading ? visible(loaded.items, dismissed) : [];
  const shown = (loading ? visible(loaded?.items ?? [], dismissed) : items).slice(0, expanded ? undefined : FIRST_SHOWN);
  const more = items.length - shown.length;

  return (
    <section className="panel mood-music" aria-labelledby="mood-music-title" aria-busy={loading}>
      <div className="panel-head">
        <h2 id="mood-music-title">
          <ListIcon /> Music for this mood
        </h2>
        {mood && <MoodChip mood={mood} />}
      </div>
      {mood && <p className="panel-hint">{mood} tracks closest to your taste, leaving out what you’ve heard or turned down.</p>}
      <div data-testid="mood-music-list" data-state={loading ? 'loading' : 'ready'} data-mood={mood ?? ''}>
        {!mood ? (
          <p className="empty-hint">Pick a mood above and segue will find music for it.</p>
        ) : loading && !loaded ? (
          <SkeletonRows count={5} />
        ) : loaded?.failed && !loading ? (
          <p className="empty-hint">Couldn’t load music for {mood} just now. Pick the mood again to retry.</p>
        ) : items.length === 0 && !loading ? (
          <p className="empty-hint">Nothing new for {mood} right now — you’ve heard or turned down everything that fits.</p>
        ) : (
          <>
            <ul className={`track-list${loading ? ' is-refreshing' : ''}`}>
              {shown.map((it) => (
                <TrackRow key={it.track.id} track={it.track} testId="mood-track" mood={it.mood} />
              ))}
            </ul>
            {more > 0 && !loading && (
              <button type="button" className="btn btn-ghost btn-small mood-more" data-testid="mood-more" onClick={() => setExpanded(true)}>
                Show {more} more
              </button>
            )}
          </>
        )}
      </div>
    </section>
  );
}
