/**
 * The built bundle under hostile input and faults, as the runner (or a shell) runs it, on Node 20
 * and the Actions runtime Node 24: untrusted text never becomes a workflow command, credentials
 * obtained at run time and secrets in the wrong input never reach the log, each failed target is
 * one annotation, a signal ends the run with a report, and a broken output sink costs a warning,
 * never the delivery's exit code.
 */
import type { ChildProcess } from 'node:child_process';
import { forgetLarkAppTokens } from '../src/channels/lark-app.js';
import { nodeBinaries, runAction, runCli, SAMPLE_PUSH, type BundleRun } from './support/bundle.js';
import { startLarkAppServer } from './support/lark-app-server.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/** Commit lines that try every command form the runner reads. */
const HOSTILE_MESSAGE = [
  'Fix payment path',
  '',
  '::add-mask::PAYLOAD-1',
  '::stop-commands::PAYLOAD-2',
  '  ::error file=app.js,line=1::PAYLOAD-3',
  '##[error]PAYLOAD-4',
  'x\r::warning::PAYLOAD-5',
  'bell \u0007 escape \u001b[2J',
].join('\n');

const hostilePush = { ...SAMPLE_PUSH, head_commit: { ...SAMPLE_PUSH.head_commit, message: HOSTILE_MESSAGE } };

/** Our own workflow commands; any other line starting with `::` came from untrusted text. */
const OURS = /^::(add-mask|warning|error|debug|group|endgroup)::/;

function expectNoInjectedCommand(output: string): void {
  for (const line of output.split(/\r\n|\r|\n/)) {
    if (line.trimStart().startsWith('::')) {
      expect(line).toMatch(OURS);
      expect(line).not.toContain('PAYLOAD');
    }
    expect(line).not.toContain('##[');
    // eslint-disable-next-line no-control-regex -- the point of the check
    expect(line).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  }
}

const errorLines = (run: BundleRun) => run.stdout.split('\n').filter((l) => l.startsWith('::error::'));

const waitFor = async (what: () => boolean, ms = 20_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe.each(nodeBinaries())('the bundle under hostile input and faults ($label)', ({ path: node }) => {
  let hook: Receiver;
  beforeEach(async () => {
    hook = await startReceiver();
  });
  afterEach(async () => {
    await hook.close();
  });

  it('prints dry-run bodies (templates, a non-JSON webhook body, e-mail) without a workflow command', async () => {
    const channels = [
      {
        type: 'dingtalk',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123',
        msg_type: 'markdown',
        template: '${commit.message}',
      },
      { type: 'webhook', url: `${hook.origin}/t`, format: 'template', template: 'text: ${commit.message}' },
      {
        type: 'email',
        smtp_url: 'smtp://ci:smtp-pass-0123@smtp.example.com',
        from: 'ci@example.com',
        to: 'ann@example.com',
        template: '${commit.message}',
      },
    ];
    const run = await runAction({
      node,
      eventPayload: hostilePush,
      inputs: { channels: JSON.stringify(channels), status: 'failure', dry_run: 'true' },
    });
    expect([run.code, run.stderr, hook.requests.length]).toEqual([0, '', 0]);
    // Not vacuous: the hostile lines were printed, as text.
    for (const n of [1, 2, 3, 4, 5]) expect(run.stdout).toContain(`PAYLOAD-${n}`);
    expectNoInjectedCommand(run.stdout);
  });

  it('masks the Lark tenant_access_token the moment it exists, so an answer echoing it prints ***', async () => {
    forgetLarkAppTokens();
    const lark = await startLarkAppServer({ apps: { cli_app: 'app-secret-value-0001' }, echoTokenInErrors: true });
    try {
      const run = await runAction({
        node,
        inputs: {
          channel: 'lark_app',
          app_id: 'cli_app',
          app_secret: 'app-secret-value-0001',
          receive_ids: 'stranger@example.com',
          domain: lark.url,
          status: 'failure',
        },
      });
      const token = lark.issuedTokens()[0]!;
      const lines = run.stdout.split('\n');
      const mask = lines.indexOf(`::add-mask::${token}`);
      expect(mask).toBeGreaterThan(-1);
      expect(lines.findIndex((l) => l.includes('authorization: Bearer'))).toBeGreaterThan(mask);
      const everything = [
        run.stdout.replace(`::add-mask::${token}`, ''),
        run.stderr,
        run.summary,
        ...Object.values(run.outputs),
      ];
      for (const text of everything) expect(text).not.toContain(token.slice(2));
      expect(run.stdout).toContain('authorization: Bearer ***');
      expect(JSON.parse(run.outputs.results!)).toEqual([
        expect.objectContaining({ name: 'lark_app → stranger@example.com', ok: false, attempts: 2 }),
      ]);
    } finally {
      await lark.close();
    }
  });

  it('never prints a secret put in the wrong input: channel and url swapped, an SMTP URL in smtp_host', async () => {
    const token = 'f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d';
    const swapped = await runAction({
      node,
      inputs: {
        channel: `https://oapi.dingtalk.com/robot/send?access_token=${token}`,
        url: 'dingtalk',
        status: 'failure',
      },
    });
    const smtp = await runAction({
      node,
      inputs: {
        channel: 'email',
        smtp_host: 'smtp://ci:Sup3rS3cret-pw@smtp.example.com',
        from: 'ci@example.com',
        to: 'a@example.com',
        status: 'failure',
      },
    });
    expect([swapped.code, smtp.code]).toEqual([2, 2]);
    expect(errorLines(swapped)).toEqual([
      expect.stringMatching(/^::error::channel: unknown channel a URL \(not shown\); expected one of/),
    ]);
    expect(swapped.stdout.split('\n').find((l) => l.startsWith('❌'))).toMatch(
      /^❌ target#0 \(unknown\): failed: channel: unknown channel a URL/,
    );
    expect(errorLines(smtp)).toEqual([
      expect.stringMatching(/^::error::smtp_host: a URL \(not shown\) is not a host name/),
    ]);
    for (const run of [swapped, smtp])
      for (const text of [run.stdout, run.stderr, run.summary, ...Object.values(run.outputs)]) {
        expect(text).not.toContain(token.slice(0, 12));
        expect(text).not.toContain('Sup3rS3cret');
      }
  });

  it('gives one ::error:: annotation per failed target, none for the delivered one', async () => {
    hook.reply({ status: 400, body: 'no' }, { status: 404, body: 'gone' });
    const channels = [
      { type: 'webhook', name: 'first', url: `${hook.origin}/1` },
      { type: 'webhook', name: 'second', url: `${hook.origin}/2` },
      { type: 'webhook', name: 'third', url: `${hook.origin}/3` },
      { type: 'webhook', name: 'broken', url: 'not a url', secret: 'x' },
    ];
    const run = await runAction({
      node,
      inputs: { channels: JSON.stringify(channels), status: 'failure', retries: '0' },
    });
    expect(run.code).toBe(2);
    expect(
      errorLines(run)
        .map((l) => /^::error::(?:❌ (\S+)|channels\[\d\] "(\S+)")/.exec(l)?.slice(1).join(''))
        .sort(),
    ).toEqual(['broken', 'first', 'second']);
  });

  it('reports YAML warnings through the log, not raw on stderr', async () => {
    const run = await runAction({
      node,
      inputs: { channels: `- type: webhook\n  url: !vault ${hook.origin}/hook-T0KEN-0123456789\n`, status: 'failure' },
    });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toContain(
      '::warning::channels: Unresolved tag: !vault (line 2, column 8); it is read as plain text',
    );
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('T0KEN-0123456789');
  });

  it('on SIGTERM mid-run prints a final line, writes outputs and summary for what is known, and exits 143', async () => {
    const quick = await startReceiver();
    hook.reply({ hang: true });
    let child: ChildProcess | null = null;
    let stdout = '';
    try {
      const pending = runAction({
        node,
        env: { RUNNER_DEBUG: '1' },
        inputs: {
          channels: JSON.stringify([
            { type: 'webhook', name: 'stuck', url: `${hook.origin}/stuck` },
            { type: 'webhook', name: 'quick', url: `${quick.origin}/quick` },
          ]),
          status: 'failure',
          timeout: '600',
        },
        control: {
          onSpawn: (c) => {
            child = c;
            c.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
          },
        },
      });
      // The stand-in holds the first request; the second target is done.
      await waitFor(() => hook.requests.length === 1 && stdout.includes('::debug::quick: finished'));
      (child as unknown as ChildProcess).kill('SIGTERM');
      const run = await pending;
      expect(run.code).toBe(143);
      expect(run.stdout).toContain(
        '::error::interrupted by SIGTERM: 1 delivered, 1 in flight (may or may not arrive), 0 not sent',
      );
      const results = JSON.parse(run.outputs.results!) as Array<{
        name: string;
        ok: boolean;
        error: string | null;
        attempts: number;
      }>;
      // The stuck target's request left: it counts, as `attempts` counts the requests sent.
      expect(results.map((r) => [r.name, r.ok, r.error, r.attempts])).toEqual([
        ['stuck', false, 'interrupted by SIGTERM while sending; it may or may not have been delivered', 1],
        ['quick', true, null, 1],
      ]);
      expect([run.outputs.delivered, run.outputs.failed]).toEqual(['1', '1']);
      expect(run.summary).toMatch(/\| stuck \| webhook \| ❌ interrupted by SIGTERM while sending/);
      expect(run.summary).toMatch(/\| quick \| webhook \| ✅ delivered/);
    } finally {
      await quick.close();
    }
  });

  it('warns and keeps the exit code when --output-file points into a missing directory', async () => {
    const ok = await runCli(
      ['--channel', 'webhook', '--status', 'failure', '--output-file', '/nonexistent-dir/out.txt'],
      { NOTIFY_URL: `${hook.origin}/h` },
      node,
    );
    expect([ok.code, ok.stderr]).toEqual([
      0,
      'warning: could not write the outputs: ENOENT (/nonexistent-dir/out.txt)\n',
    ]);
    hook.reply({ status: 500 }, { status: 500 });
    const failed = await runCli(
      ['--channel', 'webhook', '--status', 'failure', '--retries', '1', '--output-file', '/nonexistent-dir/out.txt'],
      { NOTIFY_URL: `${hook.origin}/h` },
      node,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  });

  it('warns and keeps the exit code when GITHUB_OUTPUT and the step summary cannot be written', async () => {
    const run = await runAction({
      node,
      inputs: { channel: 'webhook', url: `${hook.origin}/h`, status: 'failure' },
      env: { GITHUB_OUTPUT: '/nonexistent-dir/output.txt', GITHUB_STEP_SUMMARY: '/nonexistent-dir/summary.md' },
    });
    expect([run.code, run.stderr, hook.requests.length]).toEqual([0, '', 1]);
    expect(run.stdout).toContain('::warning::could not write the outputs: ENOENT (/nonexistent-dir/output.txt)');
    expect(run.stdout).toContain('::warning::could not write the job summary: ENOENT (/nonexistent-dir/summary.md)');
  });

  it('survives a closed stdout: a warning on stderr and the delivery exit code, no stack', async () => {
    const args = ['--channel', 'webhook', '--status', 'failure', '--retries', '0'];
    const env = { NOTIFY_URL: `${hook.origin}/h` };
    const ok = await runCli(args, env, node, undefined, { closeStdout: true });
    hook.reply({ status: 400 });
    const failed = await runCli(args, env, node, undefined, { closeStdout: true });
    expect([ok.code, failed.code, hook.requests.length]).toEqual([0, 1, 2]);
    // The delivered line goes to stdout; a failed delivery is said on stderr alone.
    expect(ok.stderr).toContain('warning: stdout is closed; further log lines are dropped');
    for (const run of [ok, failed]) expect(run.stderr).not.toMatch(/EPIPE|\n\s+at |failed unexpectedly/);
  });
});
