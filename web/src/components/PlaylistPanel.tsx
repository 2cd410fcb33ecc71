import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Playlist, PlaylistRequest, TrackSummary } from '../api';
import type { MoodName } from '../api-moods';
import { MoodFilterToggle } from './MoodPicker';
import { useTrackActions, visible } from '../actions';
import { formatDuration, SEED_COLOURS } from '../format';
import { BecauseBars } from './FeatureBars';
import { SkeletonRows, TrackRow } from './TrackRow';
import { ListIcon } from './Icons';

interface PlaylistPanelProps {
  seeds: TrackSummary[];
  /** Makes the playlist (for the current listener, so their skips and dislikes stay out). */
  makePlaylist: (body: PlaylistRequest) => Promise<Playlist>;
  onError: (err: unknown) => void;
  /** The listener's picked mood: playlists keep to it unless they choose "show all". */
  mood?: MoodName | null;
}

/** Parses an optional integer field; blank means "not given". Out-of-range values are left for the API to judge. */
function parseField(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export function PlaylistPanel({ seeds, makePlaylist, onError, mood = null }: PlaylistPanelProps) {
  const { dismissed } = useTrackActions();
  const [allMoods, setAllMoods] = useState(false);
  const playlistMood = allMoods ? null : mood;
  const [perSeed, setPerSeed] = useState('5');
  const [total, setTotal] = useState('');
  const [loading, setLoading] = useState(false);
  const [playlist, setPlaylist] = useState<Playlist | null>(null);
  /** The mood the shown playlist was made for (null: any). */
  const [madeMood, setMadeMood] = useState<MoodName | null>(null);

  const make = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!seeds.length || loading) return;
    setLoading(true);
    try {
      const body: PlaylistRequest = { seeds: seeds.map((s) => s.id) };
      if (playlistMood) body.mood = playlistMood;
      const ps = parseField(perSeed);
      const tt = parseField(total);
      if (ps !== undefined) body.perSeed = ps;
      if (tt !== undefined) body.total = tt;
      setPlaylist(await makePlaylist(body));
      setMadeMood(playlistMood);
    } catch (err) {
      onError(err);
    } finally {
      setLoading(false);
    }
  };

  const seedIndex = new Map(playlist?.seeds.map((s, i) => [s.id, i]) ?? []);
  const items = playlist ? visible(playlist.items, dismissed) : [];
  const totalMs = items.reduce((sum, it) => sum + (it.track.durationMs ?? 0), 0);
  const stale =
    playlist !== null && playlist.seeds.map((s) => s.id).join(',') !== seeds.map((s) => s.id).join(',');
  const moodChanged = playlist !== null && !stale && madeMood !== playlistMood;

  return (
    <section className="panel playlist" aria-labelledby="playlist-title" aria-busy={loading}>
      <div className="panel-head">
        <h2 id="playlist-title">
          <ListIcon /> Playlist
        </h2>
        {playlist && items.length > 0 && (
          <span className="panel-note">
            {items.length} tracks · {formatDuration(totalMs)}
          </span>
        )}
      </div>

      <form className="playlist-form" onSubmit={make} noValidate>
        <label className="field">
          <span>Tracks per seed</span>
          <input
            type="number"
            min={1}
            max={20}
            step={1}
            inputMode="numeric"
            data-testid="per-seed-input"
            value={perSeed}
            onChange={(e) => setPerSeed(e.target.value)}
          />
        </label>
        <label className="field">
          <span>
            Total <em>optional</em>
          </span>
          <input
            type="number"
            min={1}
            max={100}
            step={1}
            inputMode="numeric"
            placeholder="any"
            data-testid="total-input"
            value={total}
            onChange={(e) => setTotal(e.target.value)}
          />
        </label>
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="make-playlist"
          disabled={seeds.length === 0 || loading}
          title={seeds.length === 0 ? 'Add at least one seed first' : undefined}
        >
          {loading ? 'Mixing…' : 'Make playlist'}
        </button>
      </form>

      <MoodFilterToggle mood={mood} all={allMoods} onChange={setAllMoods} testId="playlist-mood" />
      {moodChanged && !loading && (
        <p className="panel-hint" data-testid="playlist-mood-changed">
          {playlistMood ? `Made for any mood — make it again for only ${playlistMood} tracks.` : `Made with only ${madeMood} tracks — make it again for every mood.`}
        </p>
      )}
      {stale && !loading && (
        <p className="panel-hint">Your seeds changed since this playlist was made — make it again to follow them.</p>
      )}

      {loading && !playlist && <SkeletonRows count={6} />}
      {!loading && !playlist && (
        <p className="empty-hint">
          {seeds.length ? 'Ready when you are: choose how many tracks and hit “Make playlist”.' : 'Add a seed to make a playlist.'}
        </p>
      )}
      {playlist && items.length === 0 && <p className="empty-hint">Nothing left in this playlist.</p>}
      {items.length > 0 && (
        <ol className={`track-list${loading ? ' is-refreshing' : ''}`} data-testid="playlist-list" data-mood={madeMood ?? ''}>
          {items.map((it, i) => {
            const si = seedIndex.get(it.seedId) ?? -1;
            const seed = si >= 0 ? playlist?.seeds[si] : undefined;
            return (
              <TrackRow key={`${it.seedId}:${it.track.id}`} track={it.track} testId="playlist-item" index={i}>
                <div className="extra-row">
                  <span
                    className="from-seed"
                    data-testid="from-seed"
                    data-seed-id={it.seedId}
                    style={{ ['--seed-colour' as string]: SEED_COLOURS[Math.max(si, 0) % SEED_COLOURS.length] }}
                    title={seed ? `From seed “${seed.name}”` : `From seed ${it.seedId}`}
                  >
                    <span className="from-seed-text">from {seed ? seed.name : it.seedId}</span>
                  </span>
                  <BecauseBars because={it.because} max={3} />
                </div>
              </TrackRow>
            );
          })}
        </ol>
      )}
    </section>
  );
}
