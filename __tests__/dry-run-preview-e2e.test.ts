/**
 * `dry_run: true` through the bundle: nothing is sent, and each target's rendered message is in the
 * job summary (a collapsed `<details>` block) and in the log, so a user can read the message before
 * wiring any secret. The summary is redacted, and commit text cannot escape its code block.
 */
import { nodeBinaries, runAction, SAMPLE_PUSH } from './support/bundle.js';

const DT_TOKEN = 'a'.repeat(64);
const WC_KEY = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa';

describe.each(nodeBinaries())('dry run previews ($label)', ({ path: node }) => {
  it('puts every target’s rendered message in the summary, collapsed, redacted and inert', async () => {
    const hostile = 'Fix ```</details><img src=x> @all\n\n## not a heading';
    const run = await runAction({
      node,
      eventName: 'push',
      eventPayload: { ...SAMPLE_PUSH, head_commit: { ...SAMPLE_PUSH.head_commit, message: hostile } },
      inputs: {
        status: 'failure',
        dry_run: 'true',
        channels: JSON.stringify([
          { type: 'dingtalk', name: 'ops', url: DT_TOKEN },
          { type: 'wecom', name: 'dev', url: WC_KEY, locale: 'zh' },
          {
            type: 'email',
            name: 'mail',
            smtp_url: 'smtp://ci:hunter2-secret@mail.example.com:587',
            from: 'ci@example.com',
            to: 'ann@example.com',
          },
        ]),
      },
    });
    expect(run.code).toBe(0);
    const summary = run.summary;
    const blocks = [
      ...summary.matchAll(
        /<details><summary>🧪 (\w+): the message \(dry run\)<\/summary>\n\n(`{3,})\n([\s\S]*?)\n\2\n\n<\/details>/g,
      ),
    ];
    expect(blocks.map((b) => b[1])).toEqual(['ops', 'dev', 'mail']);
    const [ops, dev, mail] = blocks.map((b) => b[3]!);
    expect(JSON.parse(ops!)).toMatchObject({
      msgtype: 'actionCard',
      actionCard: { title: '❌ acme/api · main · CI #128 failed', singleTitle: 'View run' },
    });
    expect(JSON.parse(dev!)).toMatchObject({ msgtype: 'markdown' });
    expect((JSON.parse(dev!) as { markdown: { content: string } }).markdown.content).toContain('失败');
    expect(mail).toContain('Subject: ❌ acme/api · main · CI #128 failed');
    // The commit's backticks are inside a longer fence: the block closes only where we close it.
    expect(mail).toContain('Fix ```</details><img src=x>');
    expect(blocks[2]![2]).toBe('````');
    for (const secret of [DT_TOKEN, WC_KEY, 'hunter2-secret']) expect(summary).not.toContain(secret);
    // The log shows the same messages.
    expect(run.stdout).toContain('"msgtype": "actionCard"');
    expect(run.stdout).toContain('Subject: ❌ acme/api · main · CI #128 failed');
  });
});
