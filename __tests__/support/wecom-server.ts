/**
 * A loopback stand-in of the WeCom group robot webhook (API_FACTS §B): POST
 * /cgi-bin/webhook/send?key=…, answers HTTP 200 with {errcode, errmsg} like the real one — bad
 * key 93000, bad msgtype 40008, content over 2048/4096 bytes 40058, empty content 44004, rate 45009.
 */
import { randomUUID } from 'node:crypto';
import { startRobotServer, type PlatformAnswer, type RecordedRequest } from './robot-server.js';

export interface WeComServerOptions {
  /** Answer after this many ms, like a slow platform. */
  delayMs?: number;
  /** The robot's key (a random uuid by default). */
  key?: string;
}

export interface WeComServer {
  /** The full webhook URL, with key. */
  url: string;
  key: string;
  received: unknown[];
  requests: RecordedRequest[];
  rateLimitNext(n: number): void;
  close(): Promise<void>;
}

export const WECOM_LIMITS = { text: 2048, markdown: 4096, markdown_v2: 4096 } as const;
const MSG_TYPES = new Set(['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card']);
const MORE = (code: number) => `, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;

const answer = (errcode: number, errmsg: string): PlatformAnswer => ({ json: { errcode, errmsg } });

export async function startWeComServer(options: WeComServerOptions = {}): Promise<WeComServer> {
  const key = options.key ?? randomUUID();
  const core = await startRobotServer(
    (req) => {
      const refuse = (errcode: number, errmsg: string) => ({
        answer: answer(errcode, `${errmsg}${MORE(errcode)}`),
        accepted: false,
      });
      if (req.path !== '/cgi-bin/webhook/send' || req.query.get('key') !== key)
        return refuse(93000, 'invalid webhook url, hint: [1700000000_1_abc]');
      if (req.rateLimited) return refuse(45009, 'api freq out of limit, hint: [1700000000_2_abc]');
      const json = req.json as Record<string, unknown> | undefined;
      if (typeof json !== 'object' || json === null) return refuse(44004, 'Warning: wrong json format. empty content');
      const msgtype = json.msgtype;
      if (typeof msgtype !== 'string' || !MSG_TYPES.has(msgtype)) return refuse(40008, 'invalid message type');
      const content = json[msgtype] as Record<string, unknown> | undefined;
      if (typeof content !== 'object' || content === null) return refuse(44004, 'empty content');
      if (msgtype in WECOM_LIMITS) {
        const text = content.content;
        if (typeof text !== 'string' || text === '') return refuse(44004, 'empty content');
        const limit = WECOM_LIMITS[msgtype as keyof typeof WECOM_LIMITS];
        if (Buffer.byteLength(text, 'utf8') > limit) {
          return refuse(40058, `${msgtype}.content exceed max length ${limit}. invalid Request Parameter`);
        }
        for (const list of ['mentioned_list', 'mentioned_mobile_list']) {
          if (list in content && msgtype !== 'text')
            return refuse(40058, `${list} is only for text. invalid Request Parameter`);
          if (list in content && !Array.isArray(content[list]))
            return refuse(40058, `${list} invalid. invalid Request Parameter`);
        }
      }
      if (msgtype === 'news') {
        const articles = content.articles;
        if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8)
          return refuse(40058, 'news.articles invalid');
        for (const a of articles as Record<string, unknown>[]) {
          if (typeof a.title !== 'string' || a.title === '' || typeof a.url !== 'string' || a.url === '')
            return refuse(40058, 'news.articles title/url missing');
        }
      }
      if (msgtype === 'template_card') {
        const action = content.card_action as Record<string, unknown> | undefined;
        const title = (content.main_title as Record<string, unknown> | undefined)?.title;
        if (content.card_type !== 'text_notice' && content.card_type !== 'news_notice')
          return refuse(40058, 'template_card.card_type invalid');
        if (!action || typeof action.url !== 'string' || action.url === '')
          return refuse(40058, 'template_card.card_action missing');
        if (typeof title !== 'string' || title === '') return refuse(40058, 'template_card.main_title.title missing');
        const list = content.horizontal_content_list;
        if (Array.isArray(list) && list.length > 6)
          return refuse(40058, 'template_card.horizontal_content_list exceed 6');
      }
      return { answer: answer(0, 'ok'), accepted: true };
    },
    { delayMs: options.delayMs ?? 0 },
  );
  return {
    url: `${core.origin}/cgi-bin/webhook/send?key=${key}`,
    key,
    received: core.received,
    requests: core.requests,
    rateLimitNext: core.rateLimitNext,
    close: core.close,
  };
}
