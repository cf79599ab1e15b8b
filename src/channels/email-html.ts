/**
 * The e-mail bodies built from a MessageModel (MESSAGES.md "E-mail"): an HTML part and a plain-text
 * part carrying the same facts. Pure functions; the `email` channel hands them to nodemailer.
 *
 * HTML rules, because mail clients are not browsers: inline styles only (Gmail and Outlook drop
 * `<style>` blocks), layout tables 600 px wide, no images (the status is a coloured bar and an emoji,
 * so the message reads the same with images blocked). Every value that comes from the repository or
 * the user's templates goes through `escapeHtml`, and only http(s) URLs become links.
 */
import type { Fact, Locale, MessageModel } from '../render/types.js';
import { escapeHtml, oneLine, safeUrl } from '../render/text.js';

const FOOTER: Record<Locale, string> = { en: 'sent by ci-notify', zh: '由 ci-notify 发送' };

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif";
const TEXT_COLOUR = '#1f2328';
const MUTED_COLOUR = '#6e7781';
const BORDER_COLOUR = '#d0d7de';
const PAGE_COLOUR = '#f6f8fa';

/** The HTML part: status bar, title, the commit title quoted, the facts table, "View run", footer. */
export function renderEmailHtml(message: MessageModel): string {
  const colour = safeColour(message.colour.hex);
  const commit = message.body === null ? message.facts.find((f) => f.field === 'commit') : undefined;
  const tableFacts = message.body === null ? message.facts.filter((f) => f !== commit) : [];
  const rows: string[] = [];

  rows.push(
    `<tr><td style="background-color:${colour};height:6px;line-height:6px;font-size:0;border-radius:6px 6px 0 0;">&nbsp;</td></tr>`,
    `<tr><td style="padding:24px 24px 8px 24px;"><h1 style="margin:0;font-size:20px;line-height:28px;font-weight:600;color:${TEXT_COLOUR};">${escapeHtml(oneLine(message.title))}</h1></td></tr>`,
  );
  if (message.body !== null) {
    rows.push(
      `<tr><td style="padding:8px 24px;font-size:14px;line-height:22px;color:${TEXT_COLOUR};white-space:pre-wrap;">${escapeHtml(message.body)}</td></tr>`,
    );
  }
  if (commit) rows.push(`<tr><td style="padding:8px 24px;">${commitQuote(commit)}</td></tr>`);
  if (tableFacts.length > 0) {
    rows.push(
      `<tr><td style="padding:8px 24px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:14px;line-height:20px;">${tableFacts.map(factRow).join('')}</table></td></tr>`,
    );
  }
  const linkUrl = message.link ? safeUrl(message.link.url) : null;
  if (message.link && linkUrl) {
    rows.push(
      `<tr><td style="padding:16px 24px 24px 24px;"><a href="${escapeHtml(linkUrl)}" style="display:inline-block;padding:10px 20px;background-color:${colour};color:#ffffff;font-size:14px;font-weight:600;line-height:20px;text-decoration:none;border-radius:6px;">${escapeHtml(message.link.label)}</a></td></tr>`,
    );
  }
  rows.push(
    `<tr><td style="padding:12px 24px;border-top:1px solid ${BORDER_COLOUR};font-size:12px;line-height:18px;color:${MUTED_COLOUR};">${escapeHtml(FOOTER[message.locale])}</td></tr>`,
  );

  return [
    '<!DOCTYPE html>',
    `<html lang="${message.locale}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(oneLine(message.title))}</title></head>`,
    `<body style="margin:0;padding:0;background-color:${PAGE_COLOUR};">`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${PAGE_COLOUR};">`,
    '<tr><td align="center" style="padding:24px 12px;">',
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;background-color:#ffffff;border:1px solid ${BORDER_COLOUR};border-radius:6px;font-family:${FONT};color:${TEXT_COLOUR};">`,
    ...rows,
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
  ].join('\n');
}

/** The plain-text part: the same facts, one per line, and the run URL on its own line. */
export function renderEmailText(message: MessageModel): string {
  const lines: string[] = [oneLine(message.title), ''];
  if (message.body !== null) {
    lines.push(message.body, '');
  } else if (message.facts.length > 0) {
    for (const fact of message.facts) {
      const prefix = fact.link_text ? `${oneLine(fact.link_text)} ` : '';
      lines.push(`${fact.label}: ${prefix}${oneLine(fact.value)}`.trimEnd());
    }
    lines.push('');
  }
  const linkUrl = message.link ? safeUrl(message.link.url) : null;
  if (message.link && linkUrl) lines.push(`${message.link.label}:`, linkUrl, '');
  // "-- " (with the space) is the standard signature separator; clients fold what follows.
  lines.push('-- ', FOOTER[message.locale]);
  return lines.join('\n');
}

function commitQuote(fact: Fact): string {
  const url = fact.url ? safeUrl(fact.url) : null;
  const sha = fact.link_text ? escapeHtml(oneLine(fact.link_text)) : '';
  const shaHtml =
    sha === ''
      ? ''
      : url
        ? `<a href="${escapeHtml(url)}" style="color:#0969da;text-decoration:none;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;">${sha}</a> `
        : `<span style="font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;">${sha}</span> `;
  return `<blockquote style="margin:0;padding:8px 12px;border-left:4px solid ${BORDER_COLOUR};background-color:${PAGE_COLOUR};font-size:14px;line-height:20px;color:${TEXT_COLOUR};">${shaHtml}${escapeHtml(oneLine(fact.value))}</blockquote>`;
}

function factRow(fact: Fact): string {
  const url = fact.url ? safeUrl(fact.url) : null;
  const text = escapeHtml(oneLine(fact.link_text ? `${fact.link_text} ${fact.value}` : fact.value));
  const value = url ? `<a href="${escapeHtml(url)}" style="color:#0969da;text-decoration:none;">${text}</a>` : text;
  return (
    `<tr><td style="padding:4px 16px 4px 0;width:140px;vertical-align:top;color:${MUTED_COLOUR};white-space:nowrap;">${escapeHtml(fact.label)}</td>` +
    `<td style="padding:4px 0;vertical-align:top;color:${TEXT_COLOUR};">${value}</td></tr>`
  );
}

/** The colour comes from our own table, but it lands in a style attribute: accept only #rgb/#rrggbb. */
function safeColour(hex: string): string {
  return /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(hex) ? hex : MUTED_COLOUR;
}
