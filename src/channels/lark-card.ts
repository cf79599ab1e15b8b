/**
 * Lark/Feishu message bodies built from a MessageModel (API_FACTS §C.2, MESSAGES.md "Lark"):
 * the interactive card, the rich-text post and plain text. Pure functions shared by the `lark`
 * custom-bot channel and the `lark_app` channel (which sends the same objects as a JSON string).
 *
 * Untrusted text (commit titles, branch and author names, the rendered title and template) can
 * never mention anyone or break the markup: in `lark_md` every markdown/HTML character becomes
 * an HTML entity (Lark's card markdown decodes `&#42;`, `&lt;` …), in plain text and post `text`
 * tags `<at` loses its `<` and every `@` is followed by a word joiner (render/text.ts). The only
 * mentions are the ones built here from `LarkMentions`, in each type's own syntax (§C.3).
 */
import { layoutSections, layoutTemplate, plainBody, type Clip, type Markup } from '../render/layout.js';
import type { Line, Locale, MessageModel } from '../render/types.js';
import { controlFree, escapeLarkMd, flatLine, neutralizeMentions } from '../render/text.js';
import { NO_CLIP } from './byte-budget.js';

/** Who to mention: open_ids / user_ids of group members, and @all (§C.3). */
export interface LarkMentions {
  userIds: string[];
  all: boolean;
  /**
   * Display names by id (people of the people map): Lark shows the tag's own text when it cannot
   * resolve the id (someone not in the group), so that text is the person's name, not their id.
   */
  names?: Readonly<Record<string, string>>;
}

export const NO_LARK_MENTIONS: LarkMentions = { userIds: [], all: false };

export interface LarkBuildOptions {
  /** Custom-bot security keyword (§C.4): guaranteed in the title and in the body. */
  keyword?: string;
  /** Applied to every untrusted piece, so a byte limit can be met (channels/byte-budget.ts). */
  clip?: Clip;
}

// ---------------------------------------------------------------------------------------------
// Shapes

export interface LarkPlainText {
  tag: 'plain_text';
  content: string;
}
export interface LarkMdText {
  tag: 'lark_md';
  content: string;
}
export type LarkCardElement =
  | { tag: 'div'; text: LarkMdText }
  | { tag: 'action'; actions: { tag: 'button'; type: 'primary'; text: LarkPlainText; url: string }[] }
  | { tag: 'note'; elements: LarkPlainText[] };

/** A message card, JSON 1.0 (the shape custom bots and flux use; §C.2). */
export interface LarkCard {
  config: { wide_screen_mode: true };
  header: { template: string; title: LarkPlainText };
  elements: LarkCardElement[];
}

export type LarkPostNode =
  | { tag: 'text'; text: string }
  | { tag: 'a'; text: string; href: string }
  | { tag: 'at'; user_id: string; user_name?: string };

export interface LarkPostContent {
  post: Partial<Record<'zh_cn' | 'en_us', { title: string; content: LarkPostNode[][] }>>;
}

export interface LarkTextContent {
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Builders

/** Card markdown (`lark_md`): bold and links; a list entry gets a bullet (lists need the JSON 2.0 card). */
const LARK_MD_MARKUP: Markup = {
  text: (text) => escapeLarkMd(text),
  link: (text, url) => `[${text}](${mdUrl(url)})`,
  strong: (text) => `**${text}**`,
  muted: (text) => text,
  code: (text) => text,
  item: (line) => `• ${line}`,
};

/**
 * The default Lark message (MESSAGES.md "Lark"): the header coloured by the outcome with the title
 * (its status word, not only the emoji); one `lark_md` block whose first line is what broke, each
 * failed job linked with its step, then the change, the trigger line; a "View run" button; mentions.
 */
export function larkCard(
  message: MessageModel,
  mentions: LarkMentions = NO_LARK_MENTIONS,
  options: LarkBuildOptions = {},
): LarkCard {
  const clip = options.clip ?? NO_CLIP;
  const keyword = options.keyword ?? '';
  const body =
    message.body_parts !== null
      ? layoutTemplate(message.body_parts, (v) => escapeLarkMd(v, { multiline: true }), neutralizeMentions, clip)
      : layoutSections(message.sections, LARK_MD_MARKUP, clip).flat().join('\n');
  const elements: LarkCardElement[] = [];
  if (body !== '') elements.push({ tag: 'div', text: { tag: 'lark_md', content: body } });
  if (message.link && isHttpUrl(message.link.url)) {
    elements.push({
      tag: 'action',
      actions: [
        {
          tag: 'button',
          type: 'primary',
          text: { tag: 'plain_text', content: message.link.label },
          url: message.link.url,
        },
      ],
    });
  }
  const ats = [
    ...validIds(mentions.userIds).map((id) => `<at id=${id}></at>`),
    ...(mentions.all ? ['<at id=all></at>'] : []),
  ];
  if (ats.length > 0) elements.push({ tag: 'div', text: { tag: 'lark_md', content: ats.join(' ') } });
  // The keyword check reads text values, not necessarily the header (§C.4): a small note carries it.
  if (keyword !== '' && !body.includes(keyword))
    elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: keyword }] });
  return {
    config: { wide_screen_mode: true },
    header: {
      template: message.colour.lark,
      title: { tag: 'plain_text', content: withKeyword(plainTitle(message), keyword) },
    },
    elements,
  };
}

/** Rich text: one paragraph per line (links as `a` tags), the run link, then the `at` tags. */
export function larkPost(
  message: MessageModel,
  mentions: LarkMentions = NO_LARK_MENTIONS,
  options: LarkBuildOptions = {},
): LarkPostContent {
  const clip = options.clip ?? NO_CLIP;
  const keyword = options.keyword ?? '';
  const content: LarkPostNode[][] =
    message.body_parts !== null
      ? layoutTemplate(message.body_parts, (v) => controlFree(v), neutralizeMentions, clip)
          .split('\n')
          .map((line) => [{ tag: 'text', text: line }])
      : message.sections.flatMap((section) => section.lines.map((line) => postLine(line, clip)));
  if (message.link && isHttpUrl(message.link.url))
    content.push([{ tag: 'a', text: message.link.label, href: message.link.url }]);
  const ats: LarkPostNode[] = [
    ...validIds(mentions.userIds).map((id): LarkPostNode => {
      const name = mentionName(mentions, id);
      return name ? { tag: 'at', user_id: id, user_name: name } : { tag: 'at', user_id: id };
    }),
    ...(mentions.all ? [{ tag: 'at', user_id: 'all', user_name: ALL_NAME[message.locale] } as const] : []),
  ];
  if (ats.length > 0) content.push(ats);
  const bodyText = content
    .flat()
    .map((n) => ('text' in n ? n.text : ''))
    .join('\n');
  if (keyword !== '' && !bodyText.includes(keyword)) content.push([{ tag: 'text', text: keyword }]);
  return {
    post: { [postLocale(message.locale)]: { title: withKeyword(plainTitle(message), keyword), content } },
  };
}

/** Plain text: the title, the body lines (links after an arrow), the run URL, then `<at user_id=…>` tags. */
export function larkText(
  message: MessageModel,
  mentions: LarkMentions = NO_LARK_MENTIONS,
  options: LarkBuildOptions = {},
): LarkTextContent {
  const clip = options.clip ?? NO_CLIP;
  const lines = [withKeyword(plainTitle(message), options.keyword ?? '')];
  if (message.body_parts !== null)
    lines.push(layoutTemplate(message.body_parts, (v) => controlFree(v), neutralizeMentions, clip));
  else lines.push(...plainBody(message, plainLineText, clip));
  if (message.link && isHttpUrl(message.link.url))
    lines.push(`${message.link.label}${message.punctuation.colon}${message.link.url}`);
  const ats = [
    ...validIds(mentions.userIds).map((id) => `<at user_id="${id}">${mentionName(mentions, id) ?? id}</at>`),
    ...(mentions.all ? [`<at user_id="all">${ALL_NAME[message.locale]}</at>`] : []),
  ];
  if (ats.length > 0) lines.push(ats.join(' '));
  return { text: lines.join('\n') };
}

/** One line as post nodes: text runs, links as `a` tags (only valid http(s) URLs, §C.2). */
function postLine(line: Line, clip: Clip): LarkPostNode[] {
  const nodes: LarkPostNode[] = [];
  const text = (t: string) => {
    const last = nodes.at(-1);
    if (last && last.tag === 'text') last.text += t;
    else nodes.push({ tag: 'text', text: t });
  };
  if (line.item) text('• ');
  for (const span of line.spans) {
    const value = plainLineText(clip(span.text));
    if (span.url !== undefined && isHttpUrl(span.url)) nodes.push({ tag: 'a', text: value, href: span.url });
    else text(value);
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Escaping and small pieces

const ALL_NAME: Record<Locale, string> = { en: 'all', zh: '所有人' };

function postLocale(locale: Locale): 'zh_cn' | 'en_us' {
  return locale === 'zh' ? 'zh_cn' : 'en_us';
}

/** Untrusted text for plain-text places (text message, post `text` tags, header titles). */
function plainLineText(text: string): string {
  return neutralizeMentions(flatLine(text));
}

/** The title is never clipped: it is built from parts already cut to their budgets (render/message.ts). */
function plainTitle(message: MessageModel): string {
  return plainLineText(message.title);
}

function withKeyword(title: string, keyword: string): string {
  return keyword === '' || title.includes(keyword) ? title : `[${keyword}] ${title}`;
}

/** A post `a` tag with an invalid href fails the whole send (§C.2), so only real http(s) URLs link. */
function isHttpUrl(url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** A URL inside `[text](url)`: parentheses and spaces would end the link early. */
function mdUrl(url: string): string {
  return url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A person's name inside an `<at>` tag: one line of text that can neither close the tag nor mention. */
function mentionName(mentions: LarkMentions, id: string): string | null {
  const name = mentions.names?.[id];
  if (!name) return null;
  return (
    neutralizeMentions(flatLine(name))
      .replace(/[<>"&]/g, ' ')
      .trim() || null
  );
}

/** Mention ids are configuration, but a quote or bracket in one must not break the tag. */
function validIds(ids: string[]): string[] {
  return ids.map((id) => id.replace(/[\s"'<>=]/g, '')).filter((id) => id !== '');
}
