import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { api, isAbort, type TrackSummary } from '../api';
import { formatArtists } from '../format';
import { useTrackActions } from '../actions';
import { Artwork } from './TrackRow';
import { CloseIcon, SearchIcon } from './Icons';
import { genreDisplayName } from '../../../src/core/genre-names';

const DEBOUNCE_MS = 150;

function highlight(text: string, query: string): ReactNode {
  const q = query.trim();
  if (!q) return text;
  const at = text.toLowerCase().indexOf(q.toLowerCase());
  if (at < 0) return text;
  return (
    <>
      {text.slice(0, at)}
      <mark>{text.slice(at, at + q.length)}</mark>
      {text.slice(at + q.length)}
    </>
  );
}

interface SearchBoxProps {
  onPick: (track: TrackSummary) => void;
  onError: (err: unknown) => void;
}

export function SearchBox({ onPick, onError }: SearchBoxProps) {
  const { isSeed } = useTrackActions();
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<TrackSummary[]>([]);
  const [resultsFor, setResultsFor] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [loading, setLoading] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();

  useEffect(() => {
    const term = query.trim();
    if (!term) {
      setItems([]);
      setResultsFor('');
      setLoading(false);
      setActive(-1);
      return;
    }
    const ctl = new AbortController();
    const timer = window.setTimeout(() => {
      setLoading(true);
      api
        .search(term, 8, ctl.signal)
        .then((res) => {
          setItems(res.items);
          setResultsFor(term);
          setActive(-1);
          setLoading(false);
        })
        .catch((err: unknown) => {
          if (isAbort(err)) return;
          setLoading(false);
          onError(err);
        });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [query, onError]);

  const pick = (track: TrackSummary) => {
    onPick(track);
    setQuery('');
    setItems([]);
    setResultsFor('');
    setActive(-1);
    setOpen(false);
    inputRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        if (!items.length) return;
        e.preventDefault();
        setOpen(true);
        setActive((i) => (i + 1) % items.length);
        break;
      case 'ArrowUp':
        if (!items.length) return;
        e.preventDefault();
        setOpen(true);
        setActive((i) => (i <= 0 ? items.length - 1 : i - 1));
        break;
      case 'Enter': {
        if (!open || !items.length) return;
        e.preventDefault();
        const chosen = items[active >= 0 ? active : 0];
        if (chosen) pick(chosen);
        break;
      }
      case 'Escape':
        if (open) {
          e.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (query) {
          setQuery('');
        }
        break;
      default:
        break;
    }
  };

  const term = query.trim();
  const showList = open && term.length > 0 && (items.length > 0 || (!loading && resultsFor === term));
  const activeId = active >= 0 ? `${listId}-opt-${active}` : undefined;

  return (
    <div className="search" role="search">
      <div className={`search-field${loading ? ' is-loading' : ''}`}>
        <SearchIcon className="search-icon" />
        <input
          ref={inputRef}
          type="text"
          inputMode="search"
          enterKeyHint="search"
          data-testid="search-input"
          placeholder="Search tracks or artists to add as seeds"
          autoComplete="off"
          spellCheck={false}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={showList}
          aria-controls={listId}
          aria-activedescendant={activeId}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {loading && <span className="spinner" aria-hidden="true" />}
        {query && !loading && (
          <button
            type="button"
            className="icon-btn search-clear"
            aria-label="Clear search"
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              setQuery('');
              inputRef.current?.focus();
            }}
          >
            <CloseIcon size={16} />
          </button>
        )}
      </div>
      {showList && (
        <ul className="suggestions" id={listId} role="listbox" aria-label="Suggestions">
          {items.length === 0 && <li className="suggestion-empty">No tracks match “{term}”.</li>}
          {items.map((t, i) => {
            const already = isSeed(t.id);
            return (
              <li
                key={t.id}
                id={`${listId}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                data-testid="suggestion"
                data-track-id={t.id}
                className={`suggestion${i === active ? ' is-active' : ''}`}
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(i)}
                onClick={() => pick(t)}
              >
                <Artwork track={t} size={36} />
                <span className="suggestion-text">
                  <span className="suggestion-name">{highlight(t.name, term)}</span>
                  <span className="suggestion-sub">
                    {highlight(formatArtists(t.artists), term)}
                    {t.releaseYear != null && ` · ${t.releaseYear}`}
                  </span>
                </span>
                {t.genres[0] && <span className="chip chip-genre">{genreDisplayName(t.genres[0])}</span>}
                <span className="suggestion-hint">{already ? 'Seed' : 'Add'}</span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
