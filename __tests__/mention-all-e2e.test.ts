/**
 * `all` / `@all` in at_mobiles and at_user_ids mentions everyone on every robot, each in its own way
 * (issue 15): the built bundle as a GitHub Actions step, loopback stand-ins of DingTalk, WeCom and
 * Lark, and what each platform would notify read from what it accepted. The same words in a commit
 * message stay text.
 */
import { nodeBinaries, runAction, SAMPLE_PUSH } from './support/bundle.js';
import { startDingTalkServer } from './support/dingtalk-server.js';
import { startLarkServer } from './support/lark-server.js';
import { dingtalkNotified, larkNotified, notifiedByAll, wecomNotified } from './support/mentions.js';
import { startWeComServer } from './support/wecom-server.js';

const HOSTILE_PUSH = {
  ...SAMPLE_PUSH,
  head_commit: {
    ...SAMPLE_PUSH.head_commit,
    message: 'all @all <@all> <at user_id="all">all</at> <at id=all></at>\n\n@13800000000 please look',
    author: { name: '@all', email: 'all@example.com', username: 'all' },
  },
};

describe.each(nodeBinaries())('"all" in at_* mentions everyone ($label)', ({ path: node }) => {
  it('DingTalk text, WeCom text and markdown and the Lark card each mention everyone for all / @all', async () => {
    const dt = await startDingTalkServer();
    const wcText = await startWeComServer();
    const wcMarkdown = await startWeComServer();
    const lk = await startLarkServer();
    try {
      const channels = [
        { type: 'dingtalk', name: 'dt', url: 'env:DT_URL', msg_type: 'text', at_mobiles: 'all' },
        { type: 'wecom', name: 'wc-text', url: 'env:WC_TEXT', msg_type: 'text', at_user_ids: '@all' },
        // An explicit markdown (the default type would switch to text, which carries @all itself).
        { type: 'wecom', name: 'wc-md', url: 'env:WC_MD', msg_type: 'markdown', at_user_ids: 'all, zhangsan' },
        { type: 'lark', name: 'lk', url: 'env:LK_URL', at_user_ids: '@ALL' },
      ];
      const run = await runAction({
        node,
        inputs: { channels: JSON.stringify(channels), status: 'failure' },
        env: { DT_URL: dt.url, WC_TEXT: wcText.url, WC_MD: wcMarkdown.url, LK_URL: lk.url },
      });
      expect(run.code).toBe(0);

      expect(dt.received).toHaveLength(1);
      expect((dt.received[0] as { at: unknown }).at).toEqual({ atMobiles: [], atUserIds: [], isAtAll: true });
      expect(dingtalkNotified(dt.received[0])).toEqual({ all: true, ids: [] });

      expect(wcText.received).toHaveLength(1);
      expect((wcText.received[0] as { text: { mentioned_list: string[] } }).text.mentioned_list).toEqual(['@all']);
      expect(wecomNotified(wcText.received[0])).toEqual({ all: true, ids: [] });

      // markdown carries <@zhangsan>; everyone follows in a text message (markdown cannot mention everyone).
      expect(wcMarkdown.received).toHaveLength(2);
      expect((wcMarkdown.received[0] as { markdown: { content: string } }).markdown.content).toMatch(/\n<@zhangsan>$/);
      expect(wcMarkdown.received[1]).toMatchObject({ msgtype: 'text', text: { mentioned_list: ['@all'] } });
      expect(notifiedByAll(wcMarkdown.received, wecomNotified)).toEqual({ all: true, ids: ['zhangsan'] });

      expect(lk.received).toHaveLength(1);
      expect(larkNotified(lk.received[0])).toEqual({ all: true, ids: [] });
    } finally {
      await Promise.all([dt.close(), wcText.close(), wcMarkdown.close(), lk.close()]);
    }
  });

  it('mentions nobody when "all", "@all" and mention tags are only in the commit message and author name', async () => {
    const dt = await startDingTalkServer();
    const wc = await startWeComServer();
    const lk = await startLarkServer();
    try {
      const channels = [
        { type: 'dingtalk', name: 'dt', url: 'env:DT_URL', msg_type: 'text' },
        { type: 'wecom', name: 'wc-text', url: 'env:WC_URL', msg_type: 'text' },
        { type: 'lark', name: 'lk', url: 'env:LK_URL', msg_type: 'text' },
      ];
      const run = await runAction({
        node,
        inputs: {
          channels: JSON.stringify(channels),
          status: 'failure',
          template: '${commit.message} by ${commit.author.name}',
        },
        env: { DT_URL: dt.url, WC_URL: wc.url, LK_URL: lk.url },
        eventPayload: HOSTILE_PUSH,
      });
      expect(run.code).toBe(0);
      expect([dt.received.length, wc.received.length, lk.received.length]).toEqual([1, 1, 1]);
      expect(dingtalkNotified(dt.received[0])).toEqual({ all: false, ids: [] });
      expect(dt.received[0]).not.toHaveProperty('at');
      expect(wecomNotified(wc.received[0])).toEqual({ all: false, ids: [] });
      expect(wc.received[0]).toEqual({ msgtype: 'text', text: { content: expect.stringContaining('please look') } });
      expect(larkNotified(lk.received[0])).toEqual({ all: false, ids: [] });
      expect(JSON.stringify(lk.received[0])).not.toMatch(/<at /);
    } finally {
      await Promise.all([dt.close(), wc.close(), lk.close()]);
    }
  });
});
