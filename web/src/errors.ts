// Words for people: the API's error codes and field paths turned into plain sentences. Codes stay in the API
// (and on the toast's data-code attribute for debugging); the app never shows them.
import { toApiError } from './api';

export interface HumanError {
  title: string;
  message: string;
}

/** What to say when one field of a request was refused, by the path the API names. */
const FIELD_MESSAGES: Record<string, string> = {
  'body.perSeed': 'Tracks per seed must be a whole number from 1 to 20.',
  'body.total': 'Total must be a whole number from 1 to 100, or left empty for no limit.',
  'body.seeds': 'A playlist needs between 1 and 5 seeds.',
  'body.maxPerArtist': 'Tracks per artist must be a whole number from 1 to 10.',
  'body.name': 'A name can be up to 80 letters, without special characters.',
  'body.kind': 'That action isn’t one segue knows. Reload the page and try again.',
  'body.trackId': 'That track isn’t in the catalogue any more.',
  'querystring.q': 'Search with up to 200 characters of plain text.',
  'querystring.seeds': 'Up to 5 seeds can shape your recommendations.',
  'querystring.model': 'That recommendation model isn’t available on this server.',
};

/** A missing and a refused token mean the same to a listener: their session is gone. */
const SIGNED_OUT: HumanError = { title: 'Signed out', message: 'Your listener session has ended. Reload the page to start a new one.' };

const BY_CODE: Record<string, HumanError> = {
  E_NETWORK: { title: 'Can’t reach segue', message: 'Check that the segue server is running and you’re connected, then try again.' },
  E_VALIDATION: { title: 'That didn’t work', message: 'The server didn’t accept that request. Reload the page and try again.' },
  E_BAD_ARGUMENT: { title: 'That didn’t work', message: 'One of your choices wasn’t accepted. Check your seeds and numbers and try again.' },
  E_NOT_FOUND: { title: 'Not found', message: 'That track or listener isn’t here any more.' },
  E_RATE_LIMITED: { title: 'Easy there', message: 'That was a lot at once. Wait a few seconds, then try again.' },
  E_NOT_READY: { title: 'Still warming up', message: 'segue is still starting. Try again in a moment.' },
  E_EMPTY_CATALOGUE: { title: 'No music yet', message: 'The catalogue is empty. Import one with “segue import”, then reload.' },
  E_UNAUTHORIZED: SIGNED_OUT,
  E_FORBIDDEN: SIGNED_OUT,
  E_STORE: { title: 'Couldn’t save or load', message: 'segue couldn’t reach its storage just now. Try again in a moment.' },
  E_TOO_LARGE: { title: 'Too much at once', message: 'That request was larger than segue accepts.' },
  E_BAD_RESPONSE: { title: 'Something went wrong', message: 'The server sent an answer the app couldn’t read. Reload the page.' },
};

const FALLBACK: HumanError = {
  title: 'Something went wrong',
  message: 'segue hit a problem. Try again; if it keeps happening, restart the server.',
};

/** A title and a sentence for any error the app meets: API errors by code and field, anything else generic. */
export function humanError(err: unknown): HumanError {
  const e = toApiError(err);
  const field = e.code === 'E_VALIDATION' && e.path ? FIELD_MESSAGES[e.path] : undefined;
  if (field) return { title: 'Check that value', message: field };
  return BY_CODE[e.code] ?? FALLBACK;
}
