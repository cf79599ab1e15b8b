/**
 * Laying out the message model's lines in one markup. A channel describes its markup once (how
 * untrusted text is escaped, how a link, bold, grey text, a sha and a list entry are written) and
 * gets every section of the default body in it, so the design lives in message.ts and each
 * channel only says how its platform writes things.
 *
 * `clip` is applied to the raw text of every span and every inserted template value before
 * escaping (channels/byte-budget.ts lowers it until the message fits the platform's limit).
 */
import type { Line, MessageModel, Section, TemplatePart } from './types.js';

export type Clip = (text: string) => string;

const NO_CLIP: Clip = (text) => text;

export interface Markup {
  /** UNTRUSTED plain text (one line) → text that shows as itself in this markup and mentions nobody. */
  text(text: string): string;
  /** `text` is already escaped; `url` is an http(s) URL from the model. */
  link(text: string, url: string): string;
  strong(text: string): string;
  muted(text: string): string;
  code(text: string): string;
  /** A list entry (one job): e.g. "- " + line. */
  item(line: string): string;
}

/** One line in the markup. */
export function layoutLine(line: Line, markup: Markup, clip: Clip = NO_CLIP): string {
  const text = line.spans
    .map((span) => {
      let out = markup.text(clip(span.text));
      if (span.url !== undefined) out = markup.link(out, span.url);
      if (span.style === 'strong') out = markup.strong(out);
      else if (span.style === 'muted') out = markup.muted(out);
      else if (span.style === 'code') out = markup.code(out);
      return out;
    })
    .join('');
  return line.item ? markup.item(text) : text;
}

/** Every section as its lines in the markup: one string[] per section, in the model's order. */
export function layoutSections(sections: Section[], markup: Markup, clip: Clip = NO_CLIP): string[][] {
  return sections.map((section) => section.lines.map((line) => layoutLine(line, markup, clip)));
}

/**
 * One line as plain text (text messages): the spans' text, then the line's first link after an
 * arrow — "• test (ubuntu, 20) — Run tests → https://…/job/2". `text` makes untrusted text safe for
 * the platform (mentions neutralised).
 */
export function plainLine(line: Line, text: (raw: string) => string, clip: Clip = NO_CLIP, links = true): string {
  const words = line.spans.map((span) => text(clip(span.text))).join('');
  const url = links ? line.spans.find((span) => span.url !== undefined)?.url : undefined;
  return `${line.item ? '• ' : ''}${words}${url === undefined ? '' : ` → ${url}`}`;
}

/** Every section as plain lines, in order; `links: false` leaves the URLs out (a news article links as a whole). */
export function plainBody(
  message: MessageModel,
  text: (raw: string) => string,
  clip: Clip = NO_CLIP,
  links = true,
): string[] {
  return message.sections.flatMap((section) => section.lines.map((line) => plainLine(line, text, clip, links)));
}

/**
 * The user's template in the markup: their own text kept as written (it is their markup), every
 * inserted value escaped with `value` and cut by `clip`; then `whole` over the result (mention
 * neutralising, so a value can never complete a mention tag the template text opened).
 */
export function layoutTemplate(
  parts: TemplatePart[],
  value: (text: string) => string,
  whole: (text: string) => string,
  clip: Clip = NO_CLIP,
): string {
  return whole(parts.map((part) => (part.value ? value(clip(part.text)) : part.text)).join(''));
}
