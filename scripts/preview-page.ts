/**
 * The page `npm run preview` writes: every registered channel's default message (DingTalk
 * actionCard, WeCom markdown and template card, Lark card and the lark_app card, e-mail HTML and
 * text, Slack Block Kit, Teams Adaptive Card, Discord embed, Telegram HTML, Google Chat cardsV2,
 * Mattermost attachment; the webhook and Jenkins JSON bodies) for the sample events (failure with
 * jobs, fixed, still failing, cancelled, pull request, long matrix) in English and Chinese, each
 * drawn roughly the way its client draws it, for reviewing a change to the messages side by side.
 * The payloads are the real ones (the builders the channels use); only the drawing is an
 * approximation of each client's markup. Every drawing carries `data-channel="<type>"`, so a test
 * can tell that no registered channel is missing.
 */
import type { LarkCard } from '../src/channels/lark-card.js';
import type { WeComTextNotice } from '../src/channels/wecom.js';
import type { SlackMessage } from '../src/channels/slack.js';
import type { TeamsPayload } from '../src/channels/teams.js';
import type { DiscordMessage } from '../src/channels/discord.js';
import type { GoogleChatMessage } from '../src/channels/google-chat.js';
import type { MattermostPayload } from '../src/channels/mattermost.js';
import type { Locale } from '../src/render/types.js';
import { defaultPayloads, type DefaultPayloads } from '../__tests__/support/default-payloads.js';
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
  return `<div class="client dt" data-channel="dingtalk"><div class="label">DingTalk · actionCard</div><div class="preview">${esc(card.title)}</div>
    <div class="bubble">${markdown(card.text)}<div class="button">${esc(card.singleTitle)}</div></div></div>`;
}

function wecom(payload: { markdown: { content: string } }): string {
  return `<div class="client wc" data-channel="wecom"><div class="label">WeCom · markdown</div><div class="bubble">${markdown(payload.markdown.content)}</div></div>`;
}

function wecomCard(payload: { template_card: WeComTextNotice }): string {
  const c = payload.template_card;
  const list = c.horizontal_content_list
    .map(
      (e) =>
        `<div class="kv"><span class="k">${esc(e.keyname)}</span>${'url' in e ? `<a href="${esc(e.url)}">${esc(e.value)}</a>` : esc(e.value)}</div>`,
    )
    .join('');
  return `<div class="client wc" data-channel="wecom"><div class="label">WeCom · template_card</div><div class="bubble card">
    <div class="source" style="color:${CARD_SOURCE[c.source.desc_color]}">${esc(c.source.desc)}</div>
    <div class="main">${esc(c.main_title.title)}</div>${c.main_title.desc ? `<div class="desc">${esc(c.main_title.desc)}</div>` : ''}
    ${c.emphasis_content ? `<div class="em">${esc(c.emphasis_content.title)}</div><div class="desc">${esc(c.emphasis_content.desc)}</div>` : ''}
    ${c.sub_title_text ? `<div class="sub">${esc(c.sub_title_text).replace(/\n/g, '<br>')}</div>` : ''}
    ${list}${c.jump_list.map((j) => `<div class="jump"><a href="${esc(j.url)}">${esc(j.title)}</a></div>`).join('')}</div></div>`;
}

function lark(payload: { card: LarkCard }, channel = 'lark', label = 'Lark · interactive card'): string {
  const { header, elements } = payload.card;
  const body = elements
    .map((e) => {
      if (e.tag === 'div') return `<div class="md">${larkMd(e.text.content)}</div>`;
      if (e.tag === 'action') return e.actions.map((a) => `<div class="lbutton">${esc(a.text.content)}</div>`).join('');
      return `<div class="note">${e.elements.map((n) => esc(n.content)).join(' ')}</div>`;
    })
    .join('');
  return `<div class="client lk" data-channel="${channel}"><div class="label">${esc(label)}</div><div class="bubble card lark">
    <div class="header" style="background:${LARK_HEADER[header.template] ?? '#8f959e'}">${esc(header.title.content)}</div>${body}</div></div>`;
}

function email(mail: { subject: string; text: string; html: string }): string {
  return `<div class="client em" data-channel="email"><div class="label">E-mail · HTML at 390 px, then the text part</div>
    <div class="subject">${esc(mail.subject)}</div>
    <iframe srcdoc="${esc(mail.html)}" style="width:390px;height:560px;border:1px solid #ccc"></iframe>
    <pre>${esc(mail.text)}</pre></div>`;
}

// ---------------------------------------------------------------------------------------------
// The global chat clients. Each drawer reads the payload the channel sends and draws the parts a
// person sees: where the title is, which words are links, bold, grey, a list, a button.

/** Lines of a chat markdown (Discord, Mattermost, Teams): `- ` / `• ` entries as a list, the rest as lines. */
function chatLines(source: string, inline: (line: string) => string): string {
  return source
    .split('\n')
    .map((line) => {
      const item = /^(?:- |• )(.*)$/.exec(line);
      if (item) return `<div class="li">• ${inline(item[1] ?? '')}</div>`;
      return line.trim() === '' ? '<div class="gap"></div>' : `<div>${inline(line)}</div>`;
    })
    .join('');
}

/** CommonMark-like inline markup: `**bold**`, `[text](url)`, backslash escapes shown as the character. */
function commonMarkInline(line: string): string {
  return esc(line)
    .replace(/\[((?:\\.|[^\]\\])*)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(/(?<!\\)\*\*(.+?)(?<!\\)\*\*/g, '<b>$1</b>')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Slack mrkdwn: `*bold*`, `<url|text>`; the text already carries &amp; &lt; &gt; as Slack wants. */
function slackInline(line: string): string {
  return line
    .replace(/"/g, '&quot;')
    .replace(/<(https?:[^|>]+)\|([^>]*)>/g, '<a href="$1">$2</a>')
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1<b>$2</b>');
}

function slack(payload: SlackMessage): string {
  const blocks = payload.blocks
    .map((block) => {
      if (block.type === 'section') return `<div class="sk-section">${chatLines(block.text.text, slackInline)}</div>`;
      return `<div class="sk-actions">${block.elements
        .map((b) => `<span class="sk-button${b.style ? ` sk-${b.style}` : ''}">${esc(b.text.text)}</span>`)
        .join('')}</div>`;
    })
    .join('');
  return `<div class="client sk" data-channel="slack"><div class="label">Slack · Block Kit (notification: ${esc(payload.text)})</div>
    <div class="bubble slack"><div class="app">ci-notify <span class="tag">APP</span></div>${blocks}</div></div>`;
}

const TEAMS_COLOURS: Record<string, string> = {
  Good: '#237b4b',
  Attention: '#c4314b',
  Warning: '#835b00',
  Accent: '#4f52b2',
  Default: '#242424',
};

function teams(payload: TeamsPayload): string {
  const card = payload.attachments[0]!.content;
  const body = card.body
    .map((element) => {
      if (element.type === 'FactSet')
        return `<table class="facts">${element.facts
          .map((f) => `<tr><th>${commonMarkInline(f.title)}</th><td>${commonMarkInline(f.value)}</td></tr>`)
          .join('')}</table>`;
      const style = [
        element.weight === 'Bolder' ? 'font-weight:700' : '',
        element.size === 'Medium' ? 'font-size:16px' : '',
        element.color ? `color:${TEAMS_COLOURS[element.color] ?? '#242424'}` : '',
      ].join(';');
      // A TextBlock starts a new line only at a paragraph break or in a list.
      const paragraphs = element.text.split('\n\n').map((p) => chatLines(p, commonMarkInline));
      return `<div class="tb" style="${style}">${paragraphs.join('<div class="gap"></div>')}</div>`;
    })
    .join('');
  const actions = (card.actions ?? []).map((a) => `<div class="tm-button">${esc(a.title)}</div>`).join('');
  return `<div class="client tm" data-channel="teams"><div class="label">Teams · Adaptive Card</div>
    <div class="bubble teams">${body}${actions}</div></div>`;
}

function discord(payload: DiscordMessage): string {
  const embeds = payload.embeds
    .map((e) => {
      const colour = `#${e.color.toString(16).padStart(6, '0')}`;
      const title = e.url ? `<a href="${esc(e.url)}">${esc(e.title)}</a>` : esc(e.title);
      return `<div class="dc-embed" style="border-left-color:${colour}"><div class="dc-title">${title}</div>
        <div class="dc-desc">${chatLines(e.description ?? '', commonMarkInline)}</div></div>`;
    })
    .join('');
  return `<div class="client dc" data-channel="discord"><div class="label">Discord · embed</div>
    <div class="bubble discord"><div class="app">ci-notify <span class="tag">APP</span></div>${payload.content ? `<div>${esc(payload.content)}</div>` : ''}${embeds}</div></div>`;
}

/** Telegram HTML is the channel's own output (b, i, a; text escaped): drawn as it is, lines kept. */
function telegram(text: string): string {
  return `<div class="client tg" data-channel="telegram"><div class="label">Telegram · HTML</div>
    <div class="bubble telegram">${text.replace(/\n/g, '<br>')}</div></div>`;
}

function googleChat(payload: GoogleChatMessage): string {
  const text = esc(payload.text)
    .replace(/(^|\s)\*([^*\n]+)\*(?=$|\s)/g, '$1<b>$2</b>')
    .replace(/\n/g, '<br>');
  const card = (payload.cardsV2 ?? [])
    .map((c) =>
      c.card.sections
        .map((section) =>
          section.widgets
            .map((w) =>
              'textParagraph' in w
                ? `<div class="gc-para">${w.textParagraph.text}</div>`
                : `<div class="gc-buttons">${w.buttonList.buttons.map((b) => `<span class="gc-button">${esc(b.text)}</span>`).join('')}</div>`,
            )
            .join(''),
        )
        .join(''),
    )
    .join('');
  return `<div class="client gc" data-channel="google_chat"><div class="label">Google Chat · text + cardsV2</div>
    <div class="bubble gchat"><div class="app">ci-notify <span class="tag">App</span></div><div>${text}</div>${card === '' ? '' : `<div class="gc-card">${card}</div>`}</div></div>`;
}

function mattermost(payload: MattermostPayload): string {
  const attachments = payload.attachments
    .map((a) => {
      const title = a.title_link ? `<a href="${esc(a.title_link)}">${esc(a.title)}</a>` : esc(a.title);
      return `<div class="mm-attachment" style="border-left-color:${esc(a.color)}"><div class="mm-title">${title}</div>
        <div>${chatLines(a.text, commonMarkInline)}</div></div>`;
    })
    .join('');
  return `<div class="client mm" data-channel="mattermost"><div class="label">Mattermost · attachment</div>
    <div class="bubble mattermost"><div class="app">${esc(payload.username ?? 'ci-notify')} <span class="tag">BOT</span></div>${payload.text ? `<div>${commonMarkInline(payload.text)}</div>` : ''}${attachments}</div></div>`;
}

/** The webhook and Jenkins bodies are for programs, not people: their top-level keys, to show what goes out. */
function machine(channel: string, label: string, body: Record<string, unknown>): string {
  return `<div class="client mc" data-channel="${channel}"><div class="label">${esc(label)}</div>
    <pre>${esc(`{ ${Object.keys(body).join(', ')} }`)}</pre></div>`;
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
.app{font-weight:700;font-size:15px;margin-bottom:4px}.tag{font-size:10px;font-weight:600;background:#ddd;color:#555;border-radius:3px;padding:0 3px;vertical-align:middle}
.slack{font-family:Lato,'Helvetica Neue',Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;color:#1d1c22}.slack a{color:#1264a3}.sk-section{margin-bottom:6px}
.sk-actions{margin-top:6px}.sk-button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-weight:700;font-size:14px;margin-right:6px}
.sk-primary{background:#007a5a;border-color:#007a5a;color:#fff}.sk-danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.teams{font-family:'Segoe UI',sans-serif;font-size:14px;line-height:20px;color:#242424;border-top:0}.teams a{color:#4f52b2}.tb{margin-bottom:8px}
.facts{border-collapse:collapse;margin-bottom:8px}.facts th{text-align:left;font-weight:600;padding:0 10px 2px 0;vertical-align:top;white-space:nowrap}.facts td{padding:0 0 2px 0}
.tm-button{border:1px solid #d1d1d1;border-radius:4px;text-align:center;padding:5px;font-weight:600;margin-top:4px}
.discord{background:#313338;color:#dbdee1;font-size:15px;line-height:20px}.discord a{color:#00a8fc}.discord .tag{background:#5865f2;color:#fff}
.dc-embed{background:#2b2d31;border-left:4px solid;border-radius:4px;padding:8px 12px;margin-top:4px}.dc-title{font-weight:600;margin-bottom:6px}.dc-desc{font-size:14px;line-height:18px}
.telegram{background:#effdde;font-size:15px;line-height:21px;color:#000}.telegram a{color:#168acd}
.gchat{font-family:Roboto,Arial,sans-serif;color:#1f1f1f}.gchat a{color:#0b57d0}.gc-card{border:1px solid #dadce0;border-radius:8px;padding:10px 12px;margin-top:6px}
.gc-para{font-size:14px;line-height:20px}.gc-button{display:inline-block;margin-top:10px;background:#0b57d0;color:#fff;border-radius:18px;padding:6px 16px;font-weight:500}
.mattermost{font-family:'Open Sans',sans-serif;font-size:14px;line-height:20px;color:#3f4350}.mattermost a{color:#1c58d9}
.mm-attachment{border:1px solid #ddd;border-left:4px solid;border-radius:4px;padding:8px 12px;margin-top:4px}.mm-title{font-weight:700;margin-bottom:4px}
@media (max-width:500px){body{margin:8px}.client,.client.em{width:100%}.client.em iframe{width:100%!important}}
`;

/** Every registered channel's drawing, in the registry's order (wecom twice: markdown and template card). */
function drawings(p: DefaultPayloads): string {
  return [
    dingtalk(p.dingtalk as { actionCard: { title: string; text: string; singleTitle: string } }),
    wecom(p.wecom as { markdown: { content: string } }),
    wecomCard(p.wecomCard as { template_card: WeComTextNotice }),
    lark(p.lark),
    lark(p.lark_app, 'lark_app', 'Lark app · interactive card (shared, editable)'),
    email(p.email),
    machine('webhook', 'Webhook · JSON body (the event, for programs)', p.webhook),
    machine('jenkins', 'Jenkins · JSON body (the event + build_args)', p.jenkins),
    slack(p.slack),
    teams(p.teams),
    discord(p.discord),
    telegram(p.telegram),
    googleChat(p.google_chat),
    mattermost(p.mattermost),
  ].join('');
}

/** The whole page: one row per sample event and locale. */
export function previewPage(): string {
  const sections: string[] = [];
  for (const [name, event] of Object.entries(SAMPLE_EVENTS)) {
    for (const locale of ['en', 'zh'] as Locale[]) {
      const p = defaultPayloads(event(), locale);
      sections.push(
        `<h2 class="event">${esc(name)} · ${locale}</h2><div class="row" data-event="${esc(name)}" data-locale="${locale}">` +
          drawings(p) +
          '</div>',
      );
    }
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>ci-notify messages</title><style>${STYLE}</style></head>
<body><h1>ci-notify default messages</h1>${sections.join('\n')}</body></html>`;
}
