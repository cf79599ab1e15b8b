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
import type { Fact, Locale, MessageModel } from '../render/types.js';
import { escapeLarkMd, neutralizeMentions, oneLine } from '../render/text.js';
import { NO_CLIP, type Clip } from './byte-budget.js';

/** Who to mention: open_ids / user_ids of group members, and @all (§C.3). */
export interface LarkMentions {
  userIds: string[];
  all: boolean;
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

/** The default Lark message: header coloured by status, the facts, a "View run" button, mentions. */
export function larkCard(
  message: MessageModel,
  mentions: LarkMentions = NO_LARK_MENTIONS,
  options: LarkBuildOptions = {},
): LarkCard {
  const clip = options.clip ?? NO_CLIP;
  const keyword = options.keyword ?? '';
  const body =
    message.body !== null
      ? templateLarkMd(clip(message.body))
      : message.facts.map((f) => factLarkMd(f, clip)).join('\n');
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
      title: { tag: 'plain_text', content: withKeyword(plainTitle(message, clip), keyword) },
    },
    elements,
  };
}

/** Rich text: one paragraph per fact, the run link, then the `at` tags. */
export function larkPost(
  message: MessageModel,
  mentions: LarkMentions = NO_LARK_MENTIONS,
  options: LarkBuildOptions = {},
): LarkPostContent {
  const clip = options.clip ?? NO_CLIP;
  const keyword = options.keyword ?? '';
  const content: LarkPostNode[][] =
    message.body !== null
      ? plainText(clip(message.body))
          .split('\n')
          .map((line) => [{ tag: 'text', text: line }])
      : message.facts.map((f) => factPostLine(f, clip));
  if (message.link && isHttpUrl(message.link.url))
    content.push([{ tag: 'a', text: message.link.label, href: message.link.url }]);
  const ats: LarkPostNode[] = [
    ...validIds(mentions.userIds).map((id): LarkPostNode => ({ tag: 'at', user_id: id })),
    ...(mentions.all ? [{ tag: 'at', user_id: 'all', user_name: ALL_NAME[message.locale] } as const] : []),
  ];
  if (ats.length > 0) content.push(ats);
  const bodyText = content
    .flat()
    .map((n) => ('text' in n ? n.text : ''))
    .join('\n');
  if (keyword !== '' && !bodyText.includes(keyword)) content.push([{ tag: 'text', text: keyword }]);
  return {
    post: { [postLocale(message.locale)]: { title: withKeyword(plainTitle(message, clip), keyword), content } },
  };
}

/** Plain text: title, facts as "Label: value" lines, the run URL, then `<at user_id=…>` tags. */
export function larkText(
  message: MessageModel,
  mentions: LarkMentions = NO_LARK_MENTIONS,
  options: LarkBuildOptions = {},
): LarkTextContent {
  const clip = options.clip ?? NO_CLIP;
  const lines = [withKeyword(plainTitle(message, clip), options.keyword ?? '')];
  if (message.body !== null) lines.push(plainText(clip(message.body)));
  else lines.push(...message.facts.map((f) => factPlainLine(f, clip)));
  if (message.link && isHttpUrl(message.link.url)) lines.push(`${message.link.label}: ${message.link.url}`);
  const ats = [
    ...validIds(mentions.userIds).map((id) => `<at user_id="${id}">${id}</at>`),
    ...(mentions.all ? [`<at user_id="all">${ALL_NAME[message.locale]}</at>`] : []),
  ];
  if (ats.length > 0) lines.push(ats.join(' '));
  return { text: lines.join('\n') };
}

// ---------------------------------------------------------------------------------------------
// Escaping and small pieces

const ALL_NAME: Record<Locale, string> = { en: 'all', zh: '所有人' };

function postLocale(locale: Locale): 'zh_cn' | 'en_us' {
  return locale === 'zh' ? 'zh_cn' : 'en_us';
}

/** The user's rendered template is markdown by intent; only mentions are taken out of it. */
function templateLarkMd(text: string): string {
  return neutralizeMentions(text);
}

/** Untrusted text for plain-text places (text message, post `text` tags, header titles). */
function plainText(text: string): string {
  return neutralizeMentions(text);
}

function plainTitle(message: MessageModel, clip: Clip): string {
  return plainText(oneLine(clip(message.title)));
}

function withKeyword(title: string, keyword: string): string {
  return keyword === '' || title.includes(keyword) ? title : `[${keyword}] ${title}`;
}

function factLarkMd(fact: Fact, clip: Clip): string {
  const label = `**${escapeLarkMd(fact.label)}**`;
  const value = escapeLarkMd(clip(fact.value));
  if (fact.url && isHttpUrl(fact.url)) {
    if (fact.link_text) return `${label} [${escapeLarkMd(fact.link_text)}](${mdUrl(fact.url)}) ${value}`.trimEnd();
    return `${label} [${value}](${mdUrl(fact.url)})`;
  }
  return `${label} ${value}`;
}

function factPostLine(fact: Fact, clip: Clip): LarkPostNode[] {
  const value = plainText(oneLine(clip(fact.value)));
  const label: LarkPostNode = { tag: 'text', text: `${fact.label}: ` };
  if (fact.url && isHttpUrl(fact.url)) {
    if (fact.link_text) {
      const nodes: LarkPostNode[] = [label, { tag: 'a', text: plainText(oneLine(fact.link_text)), href: fact.url }];
      if (value !== '') nodes.push({ tag: 'text', text: ` ${value}` });
      return nodes;
    }
    return [label, { tag: 'a', text: value, href: fact.url }];
  }
  return [{ tag: 'text', text: `${fact.label}: ${value}` }];
}

function factPlainLine(fact: Fact, clip: Clip): string {
  const value = plainText(oneLine(clip(fact.value)));
  const prefix = fact.link_text ? `${plainText(oneLine(fact.link_text))} ` : '';
  return `${fact.label}: ${prefix}${value}`.trimEnd();
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

/** Mention ids are configuration, but a quote or bracket in one must not break the tag. */
function validIds(ids: string[]): string[] {
  return ids.map((id) => id.replace(/[\s"'<>=]/g, '')).filter((id) => id !== '');
}
