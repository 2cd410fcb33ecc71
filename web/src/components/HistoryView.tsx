import { useEffect, useState } from 'react';
import { isAbort, type FeedbackKind, type HistoryEvent } from '../api';
import { useTrackActions } from '../actions';
import { formatArtists, relativeTime } from '../format';
import { Artwork, SkeletonRows } from './TrackRow';
import { DislikeIcon, HeartIcon, HistoryIcon, PlayIcon, SkipIcon } from './Icons';

const KIND_LABEL: Record<FeedbackKind, string> = {
  play: 'Played',
  like: 'Liked',
  skip: 'Skipped',
  dislike: 'Disliked',
};

function KindIcon({ kind }: { kind: FeedbackKind }) {
  switch (kind) {
    case 'play':
      return <PlayIcon size={14} />;
    case 'like':
      return <HeartIcon size={14} filled />;
    case 'skip':
      return <SkipIcon size={14} />;
    case 'dislike':
      return <DislikeIcon size={14} />;
    default:
      return null;
  }
}

interface HistoryViewProps {
  /** Loads the listener's history (oldest first). */
  load: (signal: AbortSignal) => Promise<HistoryEvent[]>;
  /** Changes whenever new feedback was recorded, to reload. */
  refreshKey: string;
  onError: (err: unknown) => void;
}

export function HistoryView({ load, refreshKey, onError }: HistoryViewProps) {
  const { open } = useTrackActions();
  const [events, setEvents] = useState<HistoryEvent[] | null>(null);
  const [filter, setFilter] = useState<FeedbackKind | 'all'>('all');
  const [, setNow] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    load(ctl.signal)
      .then((evs) => setEvents([...evs].reverse()))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setEvents((e) => e ?? []);
        onError(err);
      });
    return () => ctl.abort();
  }, [load, refreshKey, onError]);

  // Keep the relative times fresh.
  useEffect(() => {
    const timer = window.setInterval(() => setNow((n) => n + 1), 30_000);
    return () => window.clearInterval(timer);
  }, []);

  const shown = events?.filter((e) => filter === 'all' || e.kind === filter) ?? null;

  return (
    <section className="panel history" aria-labelledby="history-title">
      <div className="panel-head">
        <h2 id="history-title">
          <HistoryIcon /> Listening history
        </h2>
        <div className="segmented" role="group" aria-label="Filter history">
          {(['all', 'play', 'like', 'skip', 'dislike'] as const).map((k) => (
            <button
              key={k}
              type="button"
              className={filter === k ? 'is-active' : undefined}
              aria-pressed={filter === k}
              onClick={() => setFilter(k)}
            >
              {k === 'all' ? 'All' : KIND_LABEL[k]}
            </button>
          ))}
        </div>
      </div>
      {shown === null ? (
        <SkeletonRows count={8} />
      ) : shown.length === 0 ? (
        <p className="empty-hint">
          {filter === 'all' ? 'Nothing yet. Play, like or skip a few tracks and they will show up here.' : 'No events of this kind yet.'}
        </p>
      ) : (
        <ol className="history-list" data-testid="history-list">
          {shown.map((ev) => (
            <li key={ev.seq} className={`history-row kind-${ev.kind}`} data-testid="history-item" data-kind={ev.kind}>
              <span className={`kind-badge kind-${ev.kind}`} title={KIND_LABEL[ev.kind]}>
                <KindIcon kind={ev.kind} />
              </span>
              {ev.track ? <Artwork track={ev.track} size={36} /> : <span className="art art-missing" />}
              <div className="track-text">
                {ev.track ? (
                  <button type="button" className="track-name" onClick={() => open(ev.trackId)}>
                    {ev.track.name}
                  </button>
                ) : (
                  <span className="track-name muted">Unknown track ({ev.trackId})</span>
                )}
                <div className="track-sub">
                  {KIND_LABEL[ev.kind]}
                  {ev.track && ` · ${formatArtists(ev.track.artists)}`}
                </div>
              </div>
              <time className="history-time" dateTime={ev.at} title={new Date(ev.at).toLocaleString()}>
                {relativeTime(ev.at)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
