import type { TrackSummary } from '../api';
import { useTrackActions } from '../actions';
import { formatArtists } from '../format';
import { isSpotifyId, spotifyEmbedUrl, useOnline } from '../spotify';
import { Artwork, SpotifyLink } from './TrackRow';
import { HeartIcon, StopIcon } from './Icons';
import { UpNext } from './UpNext';

/** Spotify's compact embed is 80 px high; the bar is sized around it. */
const EMBED_HEIGHT = 80;

/**
 * Spotify's embedded player for a preview, only while the browser says it is online: offline the app never
 * requests it, and if it fails to load the rest of the bar (link, like, stop) still works.
 */
function Preview({ track }: { track: TrackSummary }) {
  const online = useOnline();
  if (!isSpotifyId(track.id)) {
    return <p className="np-note">No preview for this track.</p>;
  }
  if (!online) {
    return (
      <p className="np-note" data-testid="preview-offline">
        You’re offline: previews need the internet. Open it in Spotify later.
      </p>
    );
  }
  return (
    <iframe
      key={track.id}
      className="np-embed"
      data-testid="spotify-embed"
      title={`Spotify preview of ${track.name}`}
      src={spotifyEmbedUrl(track.id)}
      height={EMBED_HEIGHT}
      loading="lazy"
      allow="autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture"
    />
  );
}

/** The player bar: what is playing, Spotify's preview of it, and a link to the whole track on Spotify. */
export function NowPlaying({ track, onStop }: { track: TrackSummary; onStop: () => void }) {
  const { liked, feedback, open } = useTrackActions();
  const isLiked = liked.has(track.id);
  return (
    <div className="now-playing" data-testid="now-playing" data-track-id={track.id}>
      <Artwork track={track} size={44} playing />
      <div className="np-text">
        <button type="button" className="track-name" onClick={() => open(track.id)} title={track.name}>
          {track.name}
        </button>
        <span className="track-sub">{formatArtists(track.artists)}</span>
      </div>
      <div className="np-preview">
        <Preview track={track} />
      </div>
      <div className="np-actions">
        <SpotifyLink track={track} />
        <button
          type="button"
          className={`icon-btn like${isLiked ? ' is-on' : ''}`}
          aria-label={isLiked ? 'Liked' : 'Like'}
          aria-pressed={isLiked}
          onClick={() => feedback(track, 'like')}
        >
          <HeartIcon filled={isLiked} />
        </button>
        <button type="button" className="icon-btn" aria-label="Stop" data-testid="np-stop" onClick={onStop}>
          <StopIcon />
        </button>
      </div>
      <UpNext track={track} />
    </div>
  );
}
