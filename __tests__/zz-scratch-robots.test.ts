import { dingtalk } from '../src/channels/dingtalk.js';
import { wecom } from '../src/channels/wecom.js';
import { lark } from '../src/channels/lark.js';
import { startDingTalkServer } from './support/dingtalk-server.js';
import { startWeComServer } from './support/wecom-server.js';
import { startLarkServer } from './support/lark-server.js';
import { robotContext } from './support/robot-context.js';

it('prints', async () => {
  const d = await startDingTalkServer({});
  const w = await startWeComServer();
  const l = await startLarkServer({});
  const out: unknown[] = [];
  for (const [ch, srv, raw, types] of [[dingtalk, d, { url: d.url }, ['actionCard','text','link','feedCard']], [wecom, w, { url: w.url }, ['text','markdown_v2','news','template_card']], [lark, l, { url: l.url }, ['text','post']]] as const) {
    for (const t of types) {
    const r = robotContext(ch as any, { raw: raw as any, target: { msg_type: t, locale: t === 'text' ? 'zh' : 'en' } , mention: false});
    const res = await (ch as any).send(r.ctx);
    await r.close();
    }
    out.push(srv.requests.map((q) => q.json));
    await srv.close();
  }
  console.log(JSON.stringify(out));
});
