import type { ReactNode } from 'react';
import type { TrackSummary } from '../api';
import { useTrackActions } from '../actions';
import { artGradient, formatArtists, formatDuration } from '../format';
import { genreDisplayName } from '../../../src/core/genre-names';
import { isSpotifyId, spotifyTrackUrl } from '../spotify';
import { DislikeIcon, HeartIcon, PlayIcon, SkipIcon, SpotifyIcon, StopIcon } from './Icons';
import { MoodChip } from './MoodChip';

export function Equalizer() {
  return (
    <span className="eq" aria-hidden="true">
      <span />
      <span />
      <span />
    </span>
  );
}

export function Artwork({ track, size = 44, playing = false }: { track: TrackSummary; size?: number; playing?: boolean }) {
  return (
    <span className="art" style={{ width: size, height: size, background: artGradient(track.id) }} aria-hidden="true">
      {playing ? <Equalizer /> : <span className="art-letter">{(track.name.trim()[0] ?? '♪').toUpperCase()}</span>}
    </span>
  );
}

export function GenreChips({ genres, max = 1 }: { genres: string[]; max?: number }) {
  if (!genres.length) return null;
  return (
    <span className="genres">
      {genres.slice(0, max).map((g) => (
        <span key={g} className="chip chip-genre" title={genreDisplayName(g)}>
          {genreDisplayName(g)}
        </span>
      ))}
      {genres.length > max && (
        <span className="chip chip-more" title={genres.slice(max).map(genreDisplayName).join(', ')}>
          +{genres.length - max}
        </span>
      )}
    </span>
  );
}

/** "Open in Spotify": every track id of the Spotify catalogues is a Spotify track. */
export function SpotifyLink({ track, label = false }: { track: TrackSummary; label?: boolean }) {
  if (!isSpotifyId(track.id)) return null;
  return (
    <a
      className={label ? 'btn btn-ghost spotify-link' : 'icon-btn spotify-link'}
      href={spotifyTrackUrl(track.id)}
      target="_blank"
      rel="noopener noreferrer"
      data-testid="spotify-link"
      aria-label={`Open ${track.name} in Spotify`}
      title="Open in Spotify"
    >
      <SpotifyIcon size={label ? 16 : 18} />
      {label && ' Open in Spotify'}
    </a>
  );
}

interface TrackRowProps {
  track: TrackSummary;
  testId: string;
  index?: number;
  /** Extra line under the title (reasons, seed of origin, feature bars). */
  children?: ReactNode;
  /** Small label next to the genres (e.g. the seed the row came from). */
  badge?: ReactNode;
  /** The track's mood when the list item carries it beside the track (else the track's own `mood`). */
  mood?: string;
}

export function TrackRow({ track, testId, index, children, badge, mood }: TrackRowProps) {
  const { playingId, liked, dismissed, feedback, open } = useTrackActions();
  const playing = playingId === track.id;
  const isLiked = liked.has(track.id);
  const leaving = dismissed.has(track.id);
  const label = `${track.name} by ${formatArtists(track.artists)}`;

  return (
    <li
      className={`track-row${playing ? ' is-playing' : ''}${leaving ? ' is-leaving' : ''}`}
      data-testid={testId}
      data-track-id={track.id}
      aria-label={label}
    >
      <div className={`track-main${index !== undefined ? ' has-index' : ''}`}>
        {index !== undefined && <span className="track-index">{playing ? <Equalizer /> : index + 1}</span>}
        <button
          type="button"
          className="art-button"
          data-testid="play-button"
          aria-label={playing ? `Stop ${track.name}` : `Play ${track.name}`}
          aria-pressed={playing}
          title={playing ? 'Stop' : 'Play'}
          onClick={() => feedback(track, 'play')}
        >
          <Artwork track={track} playing={playing} />
          <span className="art-overlay">{playing ? <StopIcon size={16} /> : <PlayIcon size={16} />}</span>
        </button>
        <div className="track-text">
          <button type="button" className="track-name" onClick={() => open(track.id)} title={track.name}>
            <span className="track-title" data-testid="track-title">
              {track.name}
            </span>
          </button>
          <div className="track-sub">
            <span className="track-artists">{formatArtists(track.artists)}</span>
            {track.releaseYear != null && <span className="track-year">· {track.releaseYear}</span>}
            <MoodChip mood={mood ?? track.mood} />
            <span className="track-meta">
              {badge}
              <GenreChips genres={track.genres} />
            </span>
            <span className="track-duration">{formatDuration(track.durationMs)}</span>
          </div>
        </div>
        <div className="track-actions">
          <SpotifyLink track={track} />
          <button
            type="button"
            className={`icon-btn like${isLiked ? ' is-on' : ''}`}
            data-testid="like-button"
            aria-label={isLiked ? `Liked ${track.name}` : `Like ${track.name}`}
            aria-pressed={isLiked}
            title={isLiked ? 'Liked' : 'Like'}
            onClick={() => feedback(track, 'like')}
          >
            <HeartIcon filled={isLiked} />
          </button>
          <button
            type="button"
            className="icon-btn"
            data-testid="skip-button"
            aria-label={`Skip ${track.name}`}
            title="Skip"
            disabled={leaving}
            onClick={() => feedback(track, 'skip')}
          >
            <SkipIcon />
          </button>
          <button
            type="button"
            className="icon-btn dislike"
            data-testid="dislike-button"
            aria-label={`Dislike ${track.name}`}
            title="Not for me"
            disabled={leaving}
            onClick={() => feedback(track, 'dislike')}
          >
            <DislikeIcon />
          </button>
        </div>
      </div>
      {children && <div className="track-extra">{children}</div>}
    </li>
  );
}

export function SkeletonRows({ count = 5 }: { count?: number }) {
  return (
    <ul className="track-list" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} className="track-row skeleton-row">
          <div className="track-main">
            <span className="sk sk-art" />
            <div className="track-text">
              <span className="sk sk-line" style={{ width: `${55 + ((i * 17) % 35)}%` }} />
              <span className="sk sk-line sk-thin" style={{ width: `${30 + ((i * 23) % 25)}%` }} />
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}
