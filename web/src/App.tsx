import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  api,
  isAbort,
  toApiError,
  type FeedbackKind,
  type ModelInfo,
  type ModelName,
  type PlaylistRequest,
  type TrackSummary,
} from './api';
import { TrackActionsContext, type TrackActions } from './actions';
import { useListenerSession } from './session';
import { humanError } from './errors';
import { SearchBox } from './components/SearchBox';
import { MAX_SEEDS, SeedBar } from './components/SeedBar';
import { PlaylistPanel } from './components/PlaylistPanel';
import { ForYouPanel, type RecsState } from './components/ForYouPanel';
import { TrackDrawer } from './components/TrackDrawer';
import { HistoryView } from './components/HistoryView';
import { NowPlaying } from './components/NowPlaying';
import { Toasts, type ToastMessage } from './components/Toasts';
import { ListenerCard } from './components/ListenerCard';
import { MoodPicker, useListenerMood } from './components/MoodPicker';
import { MoodMusic } from './components/MoodMusic';
import { JourneyBuilder } from './components/JourneyBuilder';
import { OnboardingDialog } from './components/OnboardingDialog';
import { CompassIcon, HistoryIcon, LogoMark } from './components/Icons';
import { ExploreNavButton, ExploreView } from './components/ExploreNav';
import { OnlineNavButton, OnlineView } from './components/OnlineNav';

const FALLBACK_MODELS: ModelInfo[] = [
  { name: 'content', label: 'Content', description: 'Tracks that sound like your seeds and likes' },
  { name: 'collaborative', label: 'Collaborative', description: 'What listeners with similar taste enjoy' },
  { name: 'hybrid', label: 'Hybrid', description: 'A blend of both' },
];

const FADE_MS = 320;

type View = 'discover' | 'history' | 'explore' | 'online';

export function App() {
  // ---- errors -------------------------------------------------------------------------------
  const [toasts, setToasts] = useState<ToastMessage[]>([]);
  const toastSeq = useRef(0);
  const showError = useCallback((err: unknown) => {
    if (isAbort(err)) return;
    const code = toApiError(err).code;
    const { title, message } = humanError(err);
    setToasts((list) => {
      if (list.some((t) => t.message === message)) return list;
      const toast: ToastMessage = { id: ++toastSeq.current, title, message, code };
      return [...list.slice(-3), toast];
    });
  }, []);
  const dismissToast = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);

  // ---- listener ------------------------------------------------------------------------------
  const { session, status, withListener, forget, retry, bumpCount } = useListenerSession(showError);
  const listenerId = session?.id ?? null;
  const makePlaylist = useCallback(
    (body: PlaylistRequest) => withListener((c) => api.listenerPlaylist(c, body)),
    [withListener],
  );

  // Once connected again, connection-failure toasts are old news.
  useEffect(() => {
    if (status === 'ready') setToasts((list) => (list.some((t) => t.code === 'E_NETWORK') ? list.filter((t) => t.code !== 'E_NETWORK') : list));
  }, [status]);

  // ---- catalogue and models -----------------------------------------------------------------
  const [catalogueSize, setCatalogueSize] = useState<number | null>(null);
  const [models, setModels] = useState<ModelInfo[]>(FALLBACK_MODELS);
  const [model, setModel] = useState<ModelName | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    api
      .health(ctl.signal)
      .then((h) => setCatalogueSize(h.tracks))
      .catch(() => undefined); // Other requests report connectivity problems.
    api
      .models(ctl.signal)
      .then((r) => {
        if (r.models.length) setModels(r.models);
        setModel((m) => m ?? r.default);
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setModel((m) => m ?? 'hybrid');
        showError(err);
      });
    return () => ctl.abort();
  }, [showError]);

  // ---- seeds --------------------------------------------------------------------------------
  const [seeds, setSeeds] = useState<TrackSummary[]>([]);
  const [seedMessage, setSeedMessage] = useState<string | null>(null);
  const seedsRef = useRef(seeds);
  seedsRef.current = seeds;

  useEffect(() => {
    if (!seedMessage) return;
    const timer = window.setTimeout(() => setSeedMessage(null), 5000);
    return () => window.clearTimeout(timer);
  }, [seedMessage]);

  const addSeed = useCallback((track: TrackSummary) => {
    const current = seedsRef.current;
    if (current.some((s) => s.id === track.id)) {
      setSeedMessage(`“${track.name}” is already one of your seeds.`);
      return;
    }
    if (current.length >= MAX_SEEDS) {
      setSeedMessage(`You can have up to ${MAX_SEEDS} seeds — remove one to make room for “${track.name}”.`);
      return;
    }
    const next = [...current, track];
    seedsRef.current = next;
    setSeeds(next);
    setSeedMessage(null);
  }, []);

  const removeSeed = useCallback((id: string) => {
    setSeeds((list) => list.filter((s) => s.id !== id));
    setSeedMessage(null);
  }, []);

  const seedKey = seeds.map((s) => s.id).join(',');

  // ---- per-track state ----------------------------------------------------------------------
  const [liked, setLiked] = useState<ReadonlySet<string>>(() => new Set());
  const likedRef = useRef(liked);
  likedRef.current = liked;
  const [dismissed, setDismissed] = useState<ReadonlyMap<string, 'leaving' | 'gone'>>(() => new Map());
  const [playing, setPlaying] = useState<TrackSummary | null>(null);
  const playingRef = useRef(playing);
  playingRef.current = playing;
  const [tick, setTick] = useState(0);

  // Hearts survive a reload: fill them from the listener's recent likes.
  useEffect(() => {
    if (!listenerId) return;
    const ctl = new AbortController();
    withListener((c) => api.history(c, 50, ctl.signal))
      .then((r) => {
        const ids = r.events.filter((e) => e.kind === 'like').map((e) => e.trackId);
        if (ids.length) setLiked((prev) => new Set([...prev, ...ids]));
      })
      .catch(() => undefined); // Best effort; history view reports its own errors.
    return () => ctl.abort();
  }, [listenerId, withListener]);

  const dismiss = useCallback((id: string) => {
    setDismissed((m) => new Map(m).set(id, 'leaving'));
    window.setTimeout(() => {
      setDismissed((m) => (m.get(id) === 'leaving' ? new Map(m).set(id, 'gone') : m));
    }, FADE_MS);
  }, []);

  const undismiss = useCallback((id: string) => {
    setDismissed((m) => {
      if (!m.has(id)) return m;
      const next = new Map(m);
      next.delete(id);
      return next;
    });
  }, []);

  const feedback = useCallback(
    (track: TrackSummary, kind: FeedbackKind) => {
      if (kind === 'play' && playingRef.current?.id === track.id) {
        setPlaying(null); // Stop: nothing to record.
        return;
      }
      const wasLiked = likedRef.current.has(track.id);
      if (kind === 'play') setPlaying(track);
      if (kind === 'like' && !wasLiked) setLiked((prev) => new Set(prev).add(track.id));
      if (kind === 'skip' || kind === 'dislike') {
        dismiss(track.id);
        if (playingRef.current?.id === track.id) setPlaying(null);
      }
      withListener((c) => api.feedback(c, track.id, kind))
        .then(() => {
          bumpCount(kind);
          setTick((t) => t + 1);
        })
        .catch((err: unknown) => {
          if (kind === 'like' && !wasLiked) {
            setLiked((prev) => {
              const next = new Set(prev);
              next.delete(track.id);
              return next;
            });
          }
          if (kind === 'skip' || kind === 'dislike') undismiss(track.id);
          if (kind === 'play' && playingRef.current?.id === track.id) setPlaying(null);
          showError(err);
        });
    },
    [withListener, bumpCount, dismiss, undismiss, showError],
  );

  // ---- moods: the listener's mood; a picked one filters For you ------------------------------
  const moodState = useListenerMood(withListener, listenerId, showError, tick);
  const moodFilter = moodState.picked;
  const [onboarding, setOnboarding] = useState(false);
  const openOnboarding = useCallback(() => setOnboarding(true), []);
  const closeOnboarding = useCallback(() => setOnboarding(false), []);

  // ---- recommendations ----------------------------------------------------------------------
  const [recs, setRecs] = useState<RecsState>({
    status: 'loading',
    items: [],
    version: 0,
    coldStart: false,
    model: null,
    loaded: false,
  });

  useEffect(() => {
    if (!listenerId || !model) return;
    const ctl = new AbortController();
    const seedIds = seedKey ? seedKey.split(',') : [];
    setRecs((r) => (r.status === 'loading' ? r : { ...r, status: 'loading' }));
    withListener((c) => api.recommendations(c, { n: 10, model, seeds: seedIds, mood: moodFilter }, ctl.signal))
      .then((res) => {
        if (ctl.signal.aborted) return;
        setRecs((r) => ({
          status: 'ready',
          items: res.items,
          version: r.version + 1,
          coldStart: res.coldStart,
          model: res.model,
          loaded: true,
        }));
      })
      .catch((err: unknown) => {
        if (isAbort(err) || ctl.signal.aborted) return;
        setRecs((r) => ({ ...r, status: 'ready' }));
        showError(err);
      });
    return () => ctl.abort();
  }, [listenerId, model, seedKey, moodFilter, tick, withListener, showError]);

  // ---- views, drawer ------------------------------------------------------------------------
  const [view, setView] = useState<View>('discover');
  const [mapTrack, setMapTrack] = useState<TrackSummary | null>(null);
  const [drawerId, setDrawerId] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  const closeDrawer = useCallback(() => setDrawerId(null), []);

  const loadHistory = useCallback(
    (signal: AbortSignal) => withListener((c) => api.history(c, 50, signal)).then((r) => r.events),
    [withListener],
  );

  /** Forgets the listener; only once the server has deleted them does the page start over. */
  const onForget = useCallback(
    () =>
      forget(() => {
        setSeeds([]);
        setSeedMessage(null);
        setLiked(new Set());
        setDismissed(new Map());
        setPlaying(null);
        setDrawerId(null);
        setRecs((r) => ({ ...r, status: 'loading', items: [], loaded: false }));
        setEpoch((e) => e + 1);
      }),
    [forget],
  );

  const seedIdSet = useMemo(() => new Set(seeds.map((s) => s.id)), [seeds]);
  const actions = useMemo<TrackActions>(
    () => ({
      playingId: playing?.id ?? null,
      liked,
      dismissed,
      feedback,
      open: setDrawerId,
      addSeed,
      isSeed: (id) => seedIdSet.has(id),
    }),
    [playing, liked, dismissed, feedback, addSeed, seedIdSet],
  );

  return (
    <TrackActionsContext.Provider value={actions}>
      <div className={`app${playing ? ' has-player' : ''}`}>
        <aside className="sidebar">
          <div className="brand">
            <LogoMark size={30} className="brand-mark" />
            <span className="brand-name">segue</span>
          </div>
          <nav className="nav" aria-label="Main">
            <button
              type="button"
              className={view === 'discover' ? 'is-active' : undefined}
              aria-current={view === 'discover' ? 'page' : undefined}
              data-testid="nav-discover"
              onClick={() => setView('discover')}
            >
              <CompassIcon /> Discover
            </button>
            <button
              type="button"
              className={view === 'history' ? 'is-active' : undefined}
              aria-current={view === 'history' ? 'page' : undefined}
              data-testid="nav-history"
              onClick={() => setView('history')}
            >
              <HistoryIcon /> History
            </button>
            <ExploreNavButton active={view === 'explore'} onClick={() => setView('explore')} />
            <OnlineNavButton active={view === 'online'} onClick={() => setView('online')} />
          </nav>

          <ListenerCard session={session} status={status} onForget={onForget} onRetry={retry} onOnboarding={openOnboarding} />

          <p className="sidebar-foot">
            {catalogueSize != null ? `${catalogueSize.toLocaleString()} tracks in the catalogue` : 'Music that follows on'}
          </p>
        </aside>

        <main className="main">
          <header className="topbar">
            <SearchBox onPick={addSeed} onError={showError} />
          </header>

          <div className="content" hidden={view !== 'discover'}>
            <SeedBar
              seeds={seeds}
              message={seedMessage}
              onRemove={removeSeed}
              onClear={() => {
                setSeeds([]);
                setSeedMessage(null);
              }}
            />
            <MoodPicker state={moodState} onOnboarding={openOnboarding} />
            <div className="columns">
              <PlaylistPanel key={epoch} seeds={seeds} makePlaylist={makePlaylist} onError={showError} mood={moodFilter} />
              <ForYouPanel
                recs={recs}
                models={models}
                value={model}
                onChange={setModel}
                hasSeeds={seeds.length > 0}
                mood={moodFilter}
              />
            </div>
            <div className="columns">
              <MoodMusic mood={moodState.current?.mood ?? null} listenerId={listenerId} withListener={withListener} onError={showError} />
              <JourneyBuilder key={epoch} seeds={seeds} startMood={moodState.current?.mood ?? null} withListener={withListener} onError={showError} />
            </div>
          </div>

          {view === 'history' && (
            <div className="content">
              {session ? (
                <HistoryView load={loadHistory} refreshKey={`${session.id}:${tick}`} onError={showError} />
              ) : (
                <p className="empty-hint">Connecting…</p>
              )}
            </div>
          )}
          {view === 'explore' && <ExploreView highlight={mapTrack} onClearHighlight={() => setMapTrack(null)} onError={showError} />}
          {view === 'online' && <OnlineView onError={showError} />}
        </main>

        {playing && <NowPlaying track={playing} onStop={() => setPlaying(null)} />}
        {drawerId && (
          <TrackDrawer
            trackId={drawerId}
            onClose={closeDrawer}
            onError={showError}
            seedsFull={seeds.length >= MAX_SEEDS}
            mood={moodFilter}
            onShowOnMap={(t) => {
              setMapTrack(t);
              setView('explore');
              closeDrawer();
            }}
          />
        )}
        {onboarding && listenerId && (
          <OnboardingDialog listenerId={listenerId} onSave={moodState.answer} onClose={closeOnboarding} onError={showError} />
        )}
        <Toasts toasts={toasts} onDismiss={dismissToast} />
      </div>
    </TrackActionsContext.Provider>
  );
}
