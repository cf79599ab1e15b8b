/** How the client words what it saw: durations, HTTP error lines, endpoint text made safe for one log line. */
import { headUnits } from '../render/text.js';
import type { HttpAnswer } from './types.js';

/** Characters of an error body quoted in a one-line error. */
const ERROR_BODY_CHARS = 200;

/** "1.2 s", "10 s", "0.25 s". */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(seconds < 1 ? 2 : 1))} s`;
}

/**
 * Endpoint text on one line with no control characters: an answer carrying ESC sequences, BEL or
 * NUL must not recolour, ring or cut the CI log, and a line break must not start a new log line.
 */
export function oneLine(text: string): string {
  return (
    text
      .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ')
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
      .replace(/\t/g, ' ')
  );
}

/** "HTTP 404 Not Found: <first 200 characters of the body>" — for verdicts of every channel. */
export function httpErrorLine(answer: HttpAnswer): string {
  const reason = STATUS_REASONS[answer.status] ?? '';
  const body = oneLine(answer.text).trim();
  const quoted = body ? `: ${body.length > ERROR_BODY_CHARS ? `${headUnits(body, ERROR_BODY_CHARS)}…` : body}` : '';
  return `HTTP ${answer.status}${reason ? ` ${reason}` : ''}${quoted}`;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const STATUS_REASONS: Record<number, string> = {
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
