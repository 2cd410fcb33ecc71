import type { TrackSummary } from '../api';
import { useTrackActions } from '../actions';
import { formatArtists, formatDuration } from '../format';
import { Artwork } from './TrackRow';
import { HeartIcon, StopIcon } from './Icons';

/** The player bar. There is no audio: it shows what is "playing" with a moving progress line. */
export function NowPlaying({ track, onStop }: { track: TrackSummary; onStop: () => void }) {
  const { liked, feedback, open } = useTrackActions();
  const isLiked = liked.has(track.id);
  const seconds = Math.max(30, Math.round((track.durationMs ?? 180_000) / 1000));
  return (
    <div className="now-playing" data-testid="now-playing" data-track-id={track.id}>
      <Artwork track={track} size={44} playing />
      <div className="np-text">
        <button type="button" className="track-name" onClick={() => open(track.id)}>
          {track.name}
        </button>
        <span className="track-sub">{formatArtists(track.artists)}</span>
      </div>
      <div className="np-progress" aria-hidden="true">
        <span className="np-time">0:00</span>
        <span className="np-bar">
          <span key={track.id} style={{ animationDuration: `${seconds}s` }} />
        </span>
        <span className="np-time">{formatDuration(track.durationMs)}</span>
      </div>
      <div className="np-actions">
        <button
          type="button"
          className={`icon-btn like${isLiked ? ' is-on' : ''}`}
          aria-label={isLiked ? 'Liked' : 'Like'}
          aria-pressed={isLiked}
          onClick={() => feedback(track, 'like')}
        >
          <HeartIcon filled={isLiked} />
        </button>
        <button type="button" className="icon-btn" aria-label="Stop" onClick={onStop}>
          <StopIcon />
        </button>
      </div>
    </div>
  );
}
