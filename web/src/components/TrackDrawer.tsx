import { useEffect, useRef, useState } from 'react';
import { api, isAbort, type SimilarItem, type TrackDetail } from '../api';
import { useTrackActions, visible } from '../actions';
import { BAR_FEATURES, formatArtists, formatDuration, formatFeature } from '../format';
import { BecauseBars, FeatureMeter } from './FeatureBars';
import { Artwork, SkeletonRows, SpotifyLink, TrackRow } from './TrackRow';
import { genreDisplayName } from '../../../src/core/genre-names';
import { CloseIcon, HeartIcon, PlayIcon, PlusIcon, StopIcon } from './Icons';
import { MoodFilterToggle } from './MoodPicker';
import type { MoodName } from '../api-moods';
import { FEATURES, SimilarBy, useSimilarModels } from './SimilarBy';

interface TrackDrawerProps {
  trackId: string;
  onClose: () => void;
  onError: (err: unknown) => void;
  seedsFull: boolean;
  /** "Show on the cluster map": opens Explore with this track marked on the map. */
  onShowOnMap?: (track: TrackDetail) => void;
  /** The listener's picked mood: similar tracks keep to it unless they choose "show all". */
  mood?: MoodName | null;
}

interface DrawerData {
  track: TrackDetail | null;
  similar: SimilarItem[] | null;
  /** Which request the similar list answers (track, mood, model): a list from an older choice is never shown as the new one. */
  similarFor: string;
  failed: boolean;
}

function similarKey(trackId: string, mood: MoodName | null, model: string): string {
  return `${trackId}|${mood ?? ''}|${model}`;
}

export function TrackDrawer({ trackId, onClose, onError, seedsFull, onShowOnMap, mood = null }: TrackDrawerProps) {
  const actions = useTrackActions();
  const [data, setData] = useState<DrawerData>({ track: null, similar: null, similarFor: '', failed: false });
  const [allMoods, setAllMoods] = useState(false);
  const similarMood = allMoods ? null : mood;
  const similarModels = useSimilarModels();
  const [similarModel, setSimilarModel] = useState(FEATURES);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const ctl = new AbortController();
    setData((d) => ({ ...d, track: null, failed: false }));
    api
      .track(trackId, ctl.signal)
      .then((r) => setData((d) => ({ ...d, track: r.track })))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setData((d) => ({ ...d, failed: true }));
        onError(err);
      });
    return () => ctl.abort();
  }, [trackId, onError]);

  useEffect(() => {
    const ctl = new AbortController();
    const key = similarKey(trackId, similarMood, similarModel);
    setData((d) => ({ ...d, similar: null, similarFor: key }));
    api
      .similar(trackId, 10, ctl.signal, similarMood, similarModel === FEATURES ? null : similarModel)
      .then((r) => setData((d) => ({ ...d, similar: r.items, similarFor: key })))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setData((d) => ({ ...d, similar: [], similarFor: key }));
        onError(err);
      });
    return () => ctl.abort();
  }, [trackId, similarMood, similarModel, onError]);

  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const t = data.track;
  const seeded = actions.isSeed(trackId);
  const playing = actions.playingId === trackId;
  const liked = actions.liked.has(trackId);
  const similarCurrent = data.similarFor === similarKey(trackId, similarMood, similarModel);
  const similar = data.similar && similarCurrent ? visible(data.similar, actions.dismissed) : null;
  const features = t ? BAR_FEATURES.filter((f) => typeof t.features[f] === 'number') : [];
  const extraFeatures = t
    ? Object.keys(t.features).filter((f) => !BAR_FEATURES.includes(f) && typeof t.features[f] === 'number')
    : [];

  return (
    <div className="drawer-layer">
      <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />
      <aside className="drawer" role="dialog" aria-modal="true" aria-label="Track details" data-testid="track-drawer">
        <button ref={closeRef} type="button" className="icon-btn drawer-close" aria-label="Close details" onClick={onClose}>
          <CloseIcon />
        </button>

        {!t && !data.failed && (
          <div className="drawer-hero">
            <span className="sk sk-art-lg" />
            <div className="drawer-title">
              <span className="sk sk-line" style={{ width: '70%', height: 22 }} />
              <span className="sk sk-line sk-thin" style={{ width: '45%' }} />
            </div>
          </div>
        )}
        {data.failed && <p className="empty-hint">This track could not be loaded.</p>}

        {t && (
          <>
            <div className="drawer-hero">
              <Artwork track={t} size={112} playing={playing} />
              <div className="drawer-title">
                <h2>{t.name}</h2>
                <p className="drawer-artists">{formatArtists(t.artists)}</p>
                <p className="drawer-facts">
                  {t.album && <span>{t.album}</span>}
                  {t.releaseYear != null && <span>{t.releaseYear}</span>}
                  <span>{formatDuration(t.durationMs)}</span>
                  {t.explicit && <span className="explicit">E</span>}
                </p>
              </div>
            </div>

            <div className="drawer-actions">
              <button
                type="button"
                className="btn btn-primary"
                data-testid="add-seed"
                disabled={seeded || seedsFull}
                onClick={() => actions.addSeed(t)}
                title={seedsFull && !seeded ? 'You already have 5 seeds' : undefined}
              >
                <PlusIcon size={16} /> {seeded ? 'Already a seed' : 'Add as seed'}
              </button>
              <button type="button" className="btn btn-ghost" data-testid="drawer-play" onClick={() => actions.feedback(t, 'play')}>
                {playing ? <StopIcon size={16} /> : <PlayIcon size={16} />} {playing ? 'Stop' : 'Play'}
              </button>
              <button
                type="button"
                className={`btn btn-ghost like${liked ? ' is-on' : ''}`}
                data-testid="drawer-like"
                aria-pressed={liked}
                onClick={() => actions.feedback(t, 'like')}
              >
                <HeartIcon size={16} filled={liked} /> {liked ? 'Liked' : 'Like'}
              </button>
              <SpotifyLink track={t} label />
              {onShowOnMap && (
                <button type="button" className="btn btn-ghost" data-testid="show-on-map" onClick={() => onShowOnMap(t)}>
                  Show on the cluster map
                </button>
              )}
            </div>

            {t.genres.length > 0 && (
              <div className="drawer-genres">
                {t.genres.map((g) => (
                  <span key={g} className="chip chip-genre">
                    {genreDisplayName(g)}
                  </span>
                ))}
              </div>
            )}

            <h3 className="drawer-section">Audio features</h3>
            <div className="meters">
              {t.popularity != null && <FeatureMeter feature="popularity" value={t.popularity} />}
              {features.map((f) => (
                <FeatureMeter key={f} feature={f} value={t.features[f]} />
              ))}
            </div>
            {extraFeatures.length > 0 && (
              <dl className="facts">
                {extraFeatures.map((f) => (
                  <div key={f}>
                    <dt>{f.replace(/_/g, ' ')}</dt>
                    <dd>{formatFeature(f, t.features[f])}</dd>
                  </div>
                ))}
              </dl>
            )}
          </>
        )}

        <h3 className="drawer-section">Similar tracks</h3>
        <MoodFilterToggle mood={mood} all={allMoods} onChange={setAllMoods} testId="similar-mood" />
        <SimilarBy models={similarModels} value={similarModel} onChange={setSimilarModel} />
        {similar === null ? (
          <SkeletonRows count={4} />
        ) : similar.length === 0 ? (
          <p className="empty-hint">{similarMood ? `No similar ${similarMood} tracks found.` : 'No similar tracks found.'}</p>
        ) : (
          <ul className="track-list compact" data-testid="similar-list" data-mood={similarMood ?? ''} data-model={similarModel}>
            {similar.map((s) => (
              <TrackRow key={s.track.id} track={s.track} testId="similar-item">
                {s.sharedGenres.length > 0 && (
                  <p className="shared-genres">Shares {s.sharedGenres.map(genreDisplayName).join(', ')}</p>
                )}
                <BecauseBars because={s.because} max={3} />
              </TrackRow>
            ))}
          </ul>
        )}
      </aside>
    </div>
  );
}
