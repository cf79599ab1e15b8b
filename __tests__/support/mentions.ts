/**
 * Who a chat platform would actually notify for a message it accepted, by each platform's own rules
 * (API_FACTS §A.3, §B.3, §C.3) — what the stand-ins "record" as mentions. A mention that the
 * platform would ignore (an `at` entry whose `@…` is missing from a DingTalk text, `mentioned_list`
 * outside a WeCom text, `<@all>` in WeCom markdown) notifies nobody here either.
 */

export interface Notified {
  /** Everyone in the group (DingTalk isAtAll, WeCom "@all", Lark "all"). */
  all: boolean;
  /** Mobiles and user ids notified one by one, in the order they appear, without duplicates. */
  ids: string[];
}

const none = (): Notified => ({ all: false, ids: [] });

function add(n: Notified, id: string): void {
  if (!n.ids.includes(id)) n.ids.push(id);
}

/** DingTalk: text and markdown only; an `at` entry notifies only when `@entry` is in the text too. */
export function dingtalkNotified(body: unknown): Notified {
  const b = body as {
    msgtype?: string;
    text?: { content?: string };
    markdown?: { text?: string };
    at?: { atMobiles?: string[]; atUserIds?: string[]; isAtAll?: boolean };
  };
  const n = none();
  const text = b.msgtype === 'text' ? b.text?.content : b.msgtype === 'markdown' ? b.markdown?.text : undefined;
  if (text === undefined || !b.at) return n;
  n.all = b.at.isAtAll === true;
  for (const id of [...(b.at.atMobiles ?? []), ...(b.at.atUserIds ?? [])]) if (text.includes(`@${id}`)) add(n, id);
  return n;
}

/** WeCom: mentioned_list / mentioned_mobile_list in text ("@all" = everyone), `<@userid>` in markdown. */
export function wecomNotified(body: unknown): Notified {
  const b = body as {
    msgtype?: string;
    text?: { mentioned_list?: string[]; mentioned_mobile_list?: string[] };
    markdown?: { content?: string };
  };
  const n = none();
  if (b.msgtype === 'text') {
    for (const id of [...(b.text?.mentioned_list ?? []), ...(b.text?.mentioned_mobile_list ?? [])]) {
      if (id === '@all') n.all = true;
      else add(n, id);
    }
  } else if (b.msgtype === 'markdown') {
    // Markdown mentions single members only; there is no "everyone" in it.
    for (const m of (b.markdown?.content ?? '').matchAll(/<@([^<>\s]+)>/g)) if (m[1] !== 'all') add(n, m[1]!);
  }
  return n;
}

/** Lark custom bot: `<at user_id="…">` in text, `{"tag":"at"}` in post, `<at id=…></at>` in card lark_md. */
export function larkNotified(body: unknown): Notified {
  const b = body as { msg_type?: string; content?: unknown; card?: unknown };
  const n = none();
  const take = (id: string) => (id === 'all' ? (n.all = true) : add(n, id));
  if (b.msg_type === 'text') {
    const text = (b.content as { text?: string } | undefined)?.text ?? '';
    for (const m of text.matchAll(/<at user_id="([^"]+)">/g)) take(m[1]!);
  } else if (b.msg_type === 'post') {
    walk(b.content, (node) => {
      if (node.tag === 'at' && typeof node.user_id === 'string') take(node.user_id);
    });
  } else if (b.msg_type === 'interactive') {
    walk(b.card, (node) => {
      if (node.tag === 'lark_md' && typeof node.content === 'string')
        for (const m of node.content.matchAll(/<at id=([^\s<>]+)><\/at>/g)) take(m[1]!);
    });
  }
  return n;
}

/** Everyone notified by a list of accepted messages (a WeCom mention follow-up counts with its message). */
export function notifiedByAll(bodies: unknown[], read: (body: unknown) => Notified): Notified {
  const n = none();
  for (const body of bodies) {
    const one = read(body);
    n.all ||= one.all;
    for (const id of one.ids) add(n, id);
  }
  return n;
}

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const v of value) walk(v, visit);
  else if (typeof value === 'object' && value !== null) {
    visit(value as Record<string, unknown>);
    for (const v of Object.values(value)) walk(v, visit);
  }
}
