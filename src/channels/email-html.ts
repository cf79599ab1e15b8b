/**
 * The e-mail bodies built from a MessageModel (MESSAGES.md "E-mail"): an HTML part and a plain-text
 * part carrying the same facts in the same order. Pure functions; the `email` channel hands them to
 * nodemailer.
 *
 * HTML rules, because mail clients are not browsers: inline styles (Gmail and Outlook drop most of
 * `<style>`), a fluid layout (`width:100%; max-width:600px`, nothing fixed wider than a phone, long
 * names wrap), no images (the status is a coloured bar and an emoji, so the message reads the same
 * with images blocked). Dark mode: `color-scheme: light dark` tells clients the message handles it,
 * and a `prefers-color-scheme: dark` block (clients that honour `<style>`, e.g. Apple Mail) swaps
 * to dark backgrounds and light text; clients that force their own inversion get colours chosen
 * to stay readable both ways (mid-tone status colours, white text only on them). Every value that
 * comes from the repository or the user's templates goes through `escapeHtml`, and only http(s)
 * URLs become links.
 */
import type { Line, Locale, MessageModel, Section, Span } from '../render/types.js';
import { escapeHtml, flatLine, oneLine, safeUrl } from '../render/text.js';

const FOOTER: Record<Locale, string> = { en: 'sent by ci-notify', zh: '由 ci-notify 发送' };

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif";
const MONO = 'ui-monospace,SFMono-Regular,Menlo,Consolas,monospace';
/** Light scheme (GitHub Primer): text, secondary text, borders, page, card, links. */
const TEXT_COLOUR = '#1f2328';
const MUTED_COLOUR = '#59636e';
const BORDER_COLOUR = '#d0d7de';
const PAGE_COLOUR = '#f6f8fa';
const CARD_COLOUR = '#ffffff';
const LINK_COLOUR = '#0969da';
/** Dark scheme, for clients that apply `prefers-color-scheme: dark`. */
const DARK = {
  page: '#0d1117',
  card: '#161b22',
  text: '#e6edf3',
  muted: '#9198a1',
  border: '#3d444d',
  link: '#4493f8',
};

/**
 * The dark block: class names on the elements, `!important` to win over the inline light colours.
 * Only colours change; the layout is the same in both schemes.
 */
const DARK_STYLE = [
  '@media (prefers-color-scheme: dark) {',
  `  .cin-page { background-color: ${DARK.page} !important; }`,
  `  .cin-card { background-color: ${DARK.card} !important; border-color: ${DARK.border} !important; }`,
  `  .cin-text { color: ${DARK.text} !important; }`,
  `  .cin-muted { color: ${DARK.muted} !important; }`,
  `  .cin-link { color: ${DARK.link} !important; }`,
  `  .cin-rule { border-color: ${DARK.border} !important; }`,
  `  .cin-quote { background-color: ${DARK.page} !important; border-color: ${DARK.border} !important; }`,
  '}',
].join('\n');

/** The HTML part: status bar, title, what broke (linked jobs), the commit, the facts, "View run", footer. */
export function renderEmailHtml(message: MessageModel): string {
  const colour = safeColour(message.colour.hex);
  const rows: string[] = [];
  const cell = (content: string, padding = '8px 24px') =>
    `<tr><td class="cin-text" style="padding:${padding};font-size:15px;line-height:22px;color:${TEXT_COLOUR};overflow-wrap:anywhere;word-break:break-word;">${content}</td></tr>`;

  rows.push(
    `<tr><td style="background-color:${colour};height:6px;line-height:6px;font-size:0;border-radius:6px 6px 0 0;">&nbsp;</td></tr>`,
    `<tr><td style="padding:20px 24px 4px 24px;"><h1 class="cin-text" style="margin:0;font-size:20px;line-height:28px;font-weight:600;color:${TEXT_COLOUR};overflow-wrap:anywhere;word-break:break-word;">${escapeHtml(oneLine(message.title))}</h1></td></tr>`,
  );
  if (message.body !== null) {
    rows.push(cell(`<div style="white-space:pre-wrap;">${escapeHtml(message.body)}</div>`));
  } else {
    // The sections in the model's order: what broke as a list, the change as lines, the rest
    // (how it ran, who may be concerned, params) as a facts table.
    let table: Section[] = [];
    const flush = () => {
      const facts = table.flatMap((section) => section.facts);
      if (facts.length > 0) rows.push(cell(factsTable(message, facts)));
      table = [];
    };
    for (const section of message.sections) {
      if (section.kind === 'trigger' || section.kind === 'culprits' || section.kind === 'params') {
        table.push(section);
        continue;
      }
      flush();
      if (section.kind === 'jobs') rows.push(cell(jobsHtml(section)));
      else if (section.kind === 'commit') rows.push(cell(commitHtml(section)));
      else rows.push(cell(section.lines.map(lineHtml).join('<br>')));
    }
    flush();
  }
  const linkUrl = message.link ? safeUrl(message.link.url) : null;
  if (message.link && linkUrl) {
    rows.push(
      `<tr><td style="padding:16px 24px 24px 24px;"><a href="${escapeHtml(linkUrl)}" style="display:inline-block;padding:10px 20px;background-color:${colour};color:#ffffff;font-size:15px;font-weight:600;line-height:20px;text-decoration:none;border-radius:6px;">${escapeHtml(message.link.label)}</a></td></tr>`,
    );
  }
  rows.push(
    `<tr><td class="cin-muted cin-rule" style="padding:12px 24px;border-top:1px solid ${BORDER_COLOUR};font-size:12px;line-height:18px;color:${MUTED_COLOUR};">${escapeHtml(FOOTER[message.locale])}</td></tr>`,
  );

  return [
    '<!DOCTYPE html>',
    `<html lang="${message.locale}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">',
    `<title>${escapeHtml(oneLine(message.title))}</title>`,
    `<style>:root { color-scheme: light dark; supported-color-schemes: light dark; }\n${DARK_STYLE}</style></head>`,
    `<body class="cin-page" style="margin:0;padding:0;background-color:${PAGE_COLOUR};">`,
    `<table role="presentation" class="cin-page" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background-color:${PAGE_COLOUR};">`,
    '<tr><td align="center" style="padding:16px 8px;">',
    `<table role="presentation" class="cin-card" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:${CARD_COLOUR};border:1px solid ${BORDER_COLOUR};border-radius:6px;font-family:${FONT};color:${TEXT_COLOUR};">`,
    ...rows,
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
  ].join('\n');
}

/** "2 of 5 jobs failed" in bold, then one line per job: the name linked to its log, the failed step. */
function jobsHtml(section: Extract<Section, { kind: 'jobs' }>): string {
  const [heading, ...items] = section.lines;
  const list = items.map((line) => `<li style="margin:2px 0;padding:0;">${lineHtml(line)}</li>`).join('');
  return `<div style="margin:0 0 4px 0;">${heading ? lineHtml(heading) : ''}</div><ul style="margin:0;padding:0 0 0 20px;">${list}</ul>`;
}

function commitHtml(section: Extract<Section, { kind: 'commit' }>): string {
  return `<div class="cin-quote" style="margin:0;padding:8px 12px;border-left:4px solid ${BORDER_COLOUR};background-color:${PAGE_COLOUR};">${section.lines.map(lineHtml).join('<br>')}</div>`;
}

function factsTable(message: MessageModel, facts: MessageModel['facts']): string {
  const rows = facts.map((fact) => {
    const url = fact.url ? safeUrl(fact.url) : null;
    const text = escapeHtml(oneLine(fact.link_text ? `${fact.link_text} ${fact.value}` : fact.value));
    const value = url
      ? `<a class="cin-link" href="${escapeHtml(url)}" style="color:${LINK_COLOUR};">${text}</a>`
      : text;
    return (
      `<tr><td class="cin-muted" style="padding:3px 12px 3px 0;vertical-align:top;color:${MUTED_COLOUR};white-space:nowrap;">${escapeHtml(fact.label)}</td>` +
      `<td class="cin-text" style="padding:3px 0;vertical-align:top;color:${TEXT_COLOUR};overflow-wrap:anywhere;word-break:break-word;">${value}</td></tr>`
    );
  });
  return `<table role="presentation" lang="${message.locale}" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:14px;line-height:20px;">${rows.join('')}</table>`;
}

function lineHtml(line: Line): string {
  return line.spans.map(spanHtml).join('');
}

function spanHtml(span: Span): string {
  let html = escapeHtml(flatLine(span.text));
  const url = span.url === undefined ? null : safeUrl(span.url);
  if (span.style === 'code') html = `<span style="font-family:${MONO};">${html}</span>`;
  if (url !== null) html = `<a class="cin-link" href="${escapeHtml(url)}" style="color:${LINK_COLOUR};">${html}</a>`;
  if (span.style === 'strong') html = `<strong>${html}</strong>`;
  if (span.style === 'muted') html = `<span class="cin-muted" style="color:${MUTED_COLOUR};">${html}</span>`;
  return html;
}

/**
 * The plain-text part: the title, then the same sections in the same order, each link's URL on its
 * own line under what it links, the run URL on its own line, and the footer.
 */
export function renderEmailText(message: MessageModel): string {
  const lines: string[] = [oneLine(message.title), ''];
  if (message.body !== null) {
    lines.push(message.body, '');
  } else {
    for (const section of message.sections) {
      for (const line of section.lines) lines.push(...plainLines(line));
      lines.push('');
    }
  }
  const linkUrl = message.link ? safeUrl(message.link.url) : null;
  if (message.link && linkUrl) lines.push(`${message.link.label}${message.punctuation.colon}`.trimEnd(), linkUrl, '');
  // "-- " (with the space) is the standard signature separator; clients fold what follows.
  lines.push('-- ', FOOTER[message.locale]);
  return lines.join('\n');
}

function plainLines(line: Line): string[] {
  const text = `${line.item ? '• ' : ''}${line.spans.map((s) => flatLine(s.text)).join('')}`;
  const url = line.spans.find((s) => s.url !== undefined)?.url;
  return url === undefined ? [text] : [text, `${line.item ? '  ' : ''}${url}`];
}

/** The colour comes from our own table, but it lands in a style attribute: accept only #rgb/#rrggbb. */
function safeColour(hex: string): string {
  return /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(hex) ? hex : MUTED_COLOUR;
}
