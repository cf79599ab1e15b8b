/**
 * npm run preview — writes .cache/preview/messages.html: every channel's default message (DingTalk
 * actionCard, WeCom markdown and template card, Lark card, e-mail HTML and text) for the sample
 * events (failure with jobs, fixed, still failing, cancelled, pull request, long matrix) in English
 * and Chinese, each drawn roughly the way its client draws it, for reviewing a change to the
 * messages side by side. The payloads are the real ones (the builders the channels use); only the
 * drawing is an approximation of each client's markdown.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LarkCard } from '../src/channels/lark-card.js';
import type { WeComTextNotice } from '../src/channels/wecom.js';
import type { Locale } from '../src/render/types.js';
import { defaultPayloads } from '../__tests__/support/default-payloads.js';
import { SAMPLE_EVENTS } from '../__tests__/support/sample-events.js';

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** Inline markdown the robots share: bold, links, and (WeCom) font colours. `text` is already HTML-safe. */
function inline(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
    .replace(/\[([^\]]*)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(
      /&lt;font color=&quot;(info|warning|comment)&quot;&gt;(.*?)&lt;\/font&gt;/g,
      '<span class="wc-$1">$2</span>',
    );
}

/** DingTalk / WeCom markdown: headings, lists, quotes, paragraphs. */
function markdown(source: string): string {
  const out: string[] = [];
  for (const line of source.split('\n')) {
    const safe = esc(line);
    if (line.startsWith('### ')) out.push(`<h3>${inline(safe.slice(4))}</h3>`);
    else if (line.startsWith('## ')) out.push(`<h2>${inline(safe.slice(3))}</h2>`);
    else if (line.startsWith('- ')) out.push(`<div class="li">• ${inline(safe.slice(2))}</div>`);
    else if (line.startsWith('>')) out.push(`<div class="quote">${inline(safe.slice(4))}</div>`);
    else if (line.trim() === '') out.push('<div class="gap"></div>');
    else out.push(`<div>${inline(safe)}</div>`);
  }
  return out.join('');
}

/** Lark's card markdown decodes HTML entities, which the escaped text uses: keep them as entities. */
function larkMd(source: string): string {
  return source
    .split('\n')
    .map((line) => `<div>${inline(line.replace(/</g, '&lt;').replace(/>/g, '&gt;'))}</div>`)
    .join('');
}

const LARK_HEADER: Record<string, string> = {
  red: '#f54a45',
  green: '#34c724',
  grey: '#8f959e',
  orange: '#ff8800',
  blue: '#3370ff',
  yellow: '#ffc60a',
};
const CARD_SOURCE: Record<number, string> = { 0: '#8f959e', 1: '#1f2329', 2: '#f54a45', 3: '#34c724' };

function dingtalk(payload: { actionCard: { title: string; text: string; singleTitle: string } }): string {
  const card = payload.actionCard;
  return `<div class="client dt"><div class="label">DingTalk · actionCard</div><div class="preview">${esc(card.title)}</div>
    <div class="bubble">${markdown(card.text)}<div class="button">${esc(card.singleTitle)}</div></div></div>`;
}

function wecom(payload: { markdown: { content: string } }): string {
  return `<div class="client wc"><div class="label">WeCom · markdown</div><div class="bubble">${markdown(payload.markdown.content)}</div></div>`;
}

function wecomCard(payload: { template_card: WeComTextNotice }): string {
  const c = payload.template_card;
  const list = c.horizontal_content_list
    .map(
      (e) =>
        `<div class="kv"><span class="k">${esc(e.keyname)}</span>${'url' in e ? `<a href="${esc(e.url)}">${esc(e.value)}</a>` : esc(e.value)}</div>`,
    )
    .join('');
  return `<div class="client wc"><div class="label">WeCom · template_card</div><div class="bubble card">
    <div class="source" style="color:${CARD_SOURCE[c.source.desc_color]}">${esc(c.source.desc)}</div>
    <div class="main">${esc(c.main_title.title)}</div>${c.main_title.desc ? `<div class="desc">${esc(c.main_title.desc)}</div>` : ''}
    ${c.emphasis_content ? `<div class="em">${esc(c.emphasis_content.title)}</div><div class="desc">${esc(c.emphasis_content.desc)}</div>` : ''}
    ${c.sub_title_text ? `<div class="sub">${esc(c.sub_title_text).replace(/\n/g, '<br>')}</div>` : ''}
    ${list}${c.jump_list.map((j) => `<div class="jump"><a href="${esc(j.url)}">${esc(j.title)}</a></div>`).join('')}</div></div>`;
}

function lark(payload: { card: LarkCard }): string {
  const { header, elements } = payload.card;
  const body = elements
    .map((e) => {
      if (e.tag === 'div') return `<div class="md">${larkMd(e.text.content)}</div>`;
      if (e.tag === 'action') return e.actions.map((a) => `<div class="lbutton">${esc(a.text.content)}</div>`).join('');
      return `<div class="note">${e.elements.map((n) => esc(n.content)).join(' ')}</div>`;
    })
    .join('');
  return `<div class="client lk"><div class="label">Lark · interactive card</div><div class="bubble card lark">
    <div class="header" style="background:${LARK_HEADER[header.template] ?? '#8f959e'}">${esc(header.title.content)}</div>${body}</div></div>`;
}

function email(mail: { subject: string; text: string; html: string }): string {
  return `<div class="client em"><div class="label">E-mail · HTML at 390 px, then the text part</div>
    <div class="subject">${esc(mail.subject)}</div>
    <iframe srcdoc="${esc(mail.html)}" style="width:390px;height:560px;border:1px solid #ccc"></iframe>
    <pre>${esc(mail.text)}</pre></div>`;
}

const STYLE = `
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,'PingFang SC','Noto Sans CJK SC',sans-serif;background:#eef0f3;margin:16px;color:#1f2329}
h1{font-size:22px} h2.event{margin:28px 0 8px;font-size:18px;border-bottom:1px solid #ccc}
.row{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.client{width:360px}.client.em{width:400px}
.label{font-size:12px;color:#646a73;margin:4px 0}
.preview{font-size:12px;color:#646a73;background:#fff;border-radius:6px;padding:4px 8px;margin-bottom:4px}
.bubble{background:#fff;border-radius:8px;padding:10px 12px;font-size:14px;line-height:21px;box-shadow:0 1px 2px rgba(0,0,0,.1);overflow-wrap:anywhere}
.bubble h3{font-size:16px;margin:0 0 2px}.bubble h2{font-size:17px;margin:0 0 4px}
.gap{height:8px}.li{padding-left:4px}
.quote{border-left:3px solid #dee0e3;padding-left:8px;color:#1f2329}
.wc-info{color:#07c160}.wc-warning{color:#f5222d}.wc-comment{color:#8f959e}
a{color:#3370ff;text-decoration:none}
.button,.lbutton{margin-top:10px;text-align:center;color:#3370ff;border-top:1px solid #eee;padding-top:8px}
.lbutton{display:inline-block;background:#3370ff;color:#fff;border-radius:6px;padding:4px 14px;border:0}
.card .source{font-size:12px}.card .main{font-size:17px;font-weight:600;margin-top:4px}.card .desc{font-size:12px;color:#8f959e}
.card .em{font-size:30px;font-weight:600;margin-top:8px}.card .sub{margin:8px 0;color:#646a73}
.kv{display:flex;gap:10px;font-size:13px}.kv .k{color:#8f959e;min-width:38px}.jump{border-top:1px solid #eee;margin-top:8px;padding-top:6px}
.lark{padding:0;overflow:hidden}.lark .header{color:#fff;font-weight:600;padding:10px 12px}.lark .md,.lark .note{padding:8px 12px}.lark .lbutton{margin:0 12px 12px}
.note{font-size:12px;color:#8f959e}.subject{font-weight:600;font-size:13px;margin-bottom:4px}
pre{white-space:pre-wrap;font-size:12px;background:#fff;padding:8px;border-radius:6px;max-height:380px;overflow:auto}
`;

function page(): string {
  const sections: string[] = [];
  for (const [name, event] of Object.entries(SAMPLE_EVENTS)) {
    for (const locale of ['en', 'zh'] as Locale[]) {
      const p = defaultPayloads(event(), locale);
      sections.push(
        `<h2 class="event">${esc(name)} · ${locale}</h2><div class="row">` +
          dingtalk(p.dingtalk as { actionCard: { title: string; text: string; singleTitle: string } }) +
          wecom(p.wecom as { markdown: { content: string } }) +
          wecomCard(p.wecomCard as { template_card: WeComTextNotice }) +
          lark(p.lark) +
          email(p.email) +
          '</div>',
      );
    }
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>ci-notify messages</title><style>${STYLE}</style></head>
<body><h1>ci-notify default messages</h1>${sections.join('\n')}</body></html>`;
}

const dir = resolve(process.argv[2] ?? join('.cache', 'preview'));
mkdirSync(dir, { recursive: true });
const file = join(dir, 'messages.html');
writeFileSync(file, page());
console.log(`wrote ${file}`);
