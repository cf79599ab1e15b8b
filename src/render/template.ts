/**
 * The template language of `title`, `template`, `msg_type: customize` and the webhook `template`
 * (DESIGN §4). One pass over the template, no code evaluation, no nested expansion: a value that
 * itself contains `${…}` (a commit message, an environment variable) is inserted literally.
 *
 *   ${path}            a field of the event: ${commit.title}, ${repository.full_name}, ${jobs.0.name}
 *   ${status_text}     computed: "Failed" / "失败"; also ${status_emoji}, ${duration}, ${failed_jobs}
 *   ${env.NAME}        an environment variable
 *   ${NAME}            an UPPER_CASE name is an environment variable too (no event field is upper-case)
 *   ${path:-fallback}  fallback text when the value is missing, null or empty (the fallback is literal)
 *   $${                a literal "${"
 *
 * Text mode inserts values as they are (channels escape for their markup). Arrays render as a
 * comma-separated list (objects in a list by their `name`), objects as `key=value` pairs.
 *
 * JSON mode (request bodies): inside a JSON string literal of the template a value is JSON-escaped
 * (quotes, backslashes, newlines, and `<` `>` `&` U+2028 U+2029 as \uXXXX so the body is also
 * safe to embed in HTML/JS), so no commit message can produce invalid JSON. Outside a string a
 * value is inserted as a JSON literal: numbers, booleans and null as themselves, strings quoted,
 * arrays and objects as JSON; a missing value as `null`; a fallback as itself when it is valid JSON
 * (`${pipeline.number:-0}`), else as a JSON string.
 *
 * An unknown placeholder renders empty (`null` outside JSON strings) and warns once per distinct
 * placeholder per render; a known field that is null renders empty silently.
 */
import type { CiEvent } from '../event/types.js';
import { formatDuration, listSeparator, statusSign, statusWord } from './locale.js';
import { jsonUnicodeEscape } from './text.js';
import type { Locale, TemplatePart } from './types.js';

export type TemplateMode = 'text' | 'json';

export interface TemplateContext {
  event: CiEvent;
  env: NodeJS.ProcessEnv;
  locale: Locale;
}

export interface TemplateOptions {
  /**
   * Applied to every inserted value (not to the template's own text nor to fallbacks), so a channel
   * can escape untrusted values for its markup while the user's template keeps its own markup. In
   * JSON mode it runs before JSON escaping, on every string of the value (`msg_type: customize`
   * neutralises mentions in the values this way: JSON escaping alone leaves `<at user_id="all">`
   * live once the platform parses the body).
   */
  escapeValue?: (value: string) => string;
}

/** Names computed from the event rather than read from it. */
export const COMPUTED_PLACEHOLDERS = ['status_text', 'status_emoji', 'duration', 'failed_jobs'] as const;

const PLACEHOLDER_SYNTAX = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*(?::-([\s\S]*))?$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

type Resolved = { found: true; value: unknown } | { found: false; why: string };

export function renderTemplate(
  template: string,
  ctx: TemplateContext,
  mode: TemplateMode,
  warn: (msg: string) => void,
  options: TemplateOptions = {},
): string {
  const escapeValue = options.escapeValue ?? ((s: string) => s);
  return renderParts(template, ctx, mode, warn, escapeValue)
    .map((part) => part.text)
    .join('');
}

/**
 * Text mode, in pieces: the template's own text (`value: false`, the user's markup) and each
 * inserted value (`value: true`, untrusted). A channel escapes the values for its markup and keeps
 * the user's text, and can cut the values — never the user's text — to meet a size limit.
 * Fallbacks (`${x:-text}`) are the user's text.
 */
export function renderTemplateParts(
  template: string,
  ctx: TemplateContext,
  warn: (msg: string) => void,
): TemplatePart[] {
  const parts: TemplatePart[] = [];
  for (const part of renderParts(template, ctx, 'text', warn, (s) => s)) {
    const last = parts.at(-1);
    if (part.text === '') continue;
    if (last && last.value === part.value && !part.value) last.text += part.text;
    else parts.push({ ...part });
  }
  return parts;
}

function renderParts(
  template: string,
  ctx: TemplateContext,
  mode: TemplateMode,
  warn: (msg: string) => void,
  escapeValue: (value: string) => string,
): TemplatePart[] {
  const warned = new Set<string>();
  const warnOnceFor = (key: string, msg: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    warn(msg);
  };
  const parts: TemplatePart[] = [];
  const out = {
    add(text: string, value: boolean) {
      parts.push({ text, value });
    },
  };
  // JSON lexical state of the template text seen so far (json mode only). Inserted values never
  // change it: they are escaped, so they cannot open or close a string.
  let inString = false;
  let escaped = false;
  const literal = (text: string) => {
    out.add(text, false);
    if (mode !== 'json') return;
    for (const ch of text) {
      if (escaped) escaped = false;
      else if (inString && ch === '\\') escaped = true;
      else if (ch === '"') inString = !inString;
    }
  };

  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar === -1) {
      literal(template.slice(i));
      break;
    }
    literal(template.slice(i, dollar));
    if (template.startsWith('$${', dollar)) {
      // `$${` is the escape for a literal `${` (as in GitLab CI and Docker Compose).
      literal('${');
      i = dollar + 3;
      continue;
    }
    if (!template.startsWith('${', dollar)) {
      literal('$');
      i = dollar + 1;
      continue;
    }
    const close = template.indexOf('}', dollar + 2);
    const inner = close === -1 ? null : template.slice(dollar + 2, close);
    const parsed = inner === null || inner.includes('{') ? null : PLACEHOLDER_SYNTAX.exec(inner);
    if (!parsed) {
      const shown = inner === null ? template.slice(dollar, dollar + 20) : `\${${inner}}`;
      warnOnceFor(
        `syntax:${shown}`,
        `template: "${oneLineShort(shown)}" is not a placeholder and is kept as written (expected \${path} or \${path:-fallback}; write $\${ for a literal "\${")`,
      );
      literal('$');
      i = dollar + 1;
      continue;
    }
    const name = parsed[1] as string;
    const fallback = parsed[2];
    const resolved = resolve(name, ctx);
    const useFallback = fallback !== undefined && (!resolved.found || isEmpty(resolved.value));

    if (useFallback) {
      out.add(
        mode === 'text' ? fallback : inString ? jsonStringContent(fallback) : jsonFallbackLiteral(fallback),
        false,
      );
    } else if (!resolved.found) {
      warnOnceFor(
        `name:${name}`,
        `template: \${${name}} ${resolved.why}; it renders empty (write \${${name}:-fallback} to give a default)`,
      );
      out.add(mode === 'json' && !inString ? 'null' : '', false);
    } else if (mode === 'text') {
      out.add(escapeValue(textOf(resolved.value, ctx.locale)), true);
    } else if (inString) {
      out.add(jsonStringContent(escapeValue(textOf(resolved.value, ctx.locale))), true);
    } else {
      out.add(jsonLiteral(mapStrings(resolved.value, escapeValue)), true);
    }
    i = close + 1;
  }
  return parts;
}

/** `value` with `fn` applied to every string in it (a JSON literal of a list or object keeps its shape). */
function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

function resolve(name: string, ctx: TemplateContext): Resolved {
  const { event, env, locale } = ctx;
  switch (name) {
    case 'status_text':
      return { found: true, value: statusWord(event.status, locale) };
    case 'status_emoji':
      return { found: true, value: statusSign(event.status) };
    case 'duration':
      return { found: true, value: formatDuration(durationMs(event), locale) };
    case 'failed_jobs':
      return {
        found: true,
        value: event.jobs
          .filter((j) => j.status === 'failure')
          .map((j) => j.name)
          .join(listSeparator(locale)),
      };
  }
  if (name.startsWith('env.')) return fromEnv(name.slice(4), env);
  if (ENV_NAME.test(name)) return fromEnv(name, env);

  let current: unknown = event;
  for (const segment of name.split('.')) {
    // A known object that is null (no `job`, no `change_request`): the value is simply absent.
    if (current === null) return { found: true, value: null };
    if (Array.isArray(current)) {
      const index = /^\d+$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= current.length) return { found: false, why: 'is not in the list' };
      current = current[index];
    } else if (typeof current === 'object' && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { found: false, why: 'is not a field of the event (see README "Templates")' };
    }
  }
  return { found: true, value: current };
}

function fromEnv(variable: string, env: NodeJS.ProcessEnv): Resolved {
  const value = Object.hasOwn(env, variable) ? env[variable] : undefined;
  return value === undefined
    ? { found: false, why: `is not set (no environment variable ${variable})` }
    : { found: true, value };
}

/** pipeline.duration_ms, else the span between started_at and finished_at when both are known. */
export function durationMs(event: CiEvent): number | null {
  const p = event.pipeline;
  if (p.duration_ms !== null && Number.isFinite(p.duration_ms)) return p.duration_ms;
  if (p.started_at && p.finished_at) {
    const span = Date.parse(p.finished_at) - Date.parse(p.started_at);
    if (Number.isFinite(span) && span >= 0) return span;
  }
  return null;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** The readable form of a value in text (and inside JSON strings). */
function textOf(value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    return value
      .filter((item) => item !== null && item !== undefined)
      .map((item) => {
        if (typeof item !== 'object') return String(item);
        const named = (item as { name?: unknown }).name;
        return typeof named === 'string' ? named : JSON.stringify(item);
      })
      .join(listSeparator(locale));
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean)}`)
    .join(', ');
}

const HTML_SENSITIVE = /[<>&\u2028\u2029]/g;

/** The inside of a JSON string literal holding `text`. */
function jsonStringContent(text: string): string {
  return JSON.stringify(text).slice(1, -1).replace(HTML_SENSITIVE, jsonUnicodeEscape);
}

function jsonLiteral(value: unknown): string {
  if (value === undefined) return 'null';
  return (JSON.stringify(value) ?? 'null').replace(HTML_SENSITIVE, jsonUnicodeEscape);
}

function jsonFallbackLiteral(fallback: string): string {
  try {
    JSON.parse(fallback);
    return fallback.trim();
  } catch {
    return jsonLiteral(fallback);
  }
}

function oneLineShort(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
