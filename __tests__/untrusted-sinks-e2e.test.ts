/**
 * What the built bundle writes outside the chat payloads — the log, step outputs, the job summary,
 * GitLab's dotenv report, the CLI's output file — when the commit text and the endpoint's answers
 * are hostile, on GitHub Actions, GitLab CI and a plain shell, on Node 20 and the Actions runtime.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitlabJobEnv, nodeBinaries, runAction, runCli, SAMPLE_PUSH } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

type Platform = 'github' | 'gitlab' | 'cli';
const PLATFORMS: Platform[] = ['github', 'gitlab', 'cli'];

interface SinkRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Everything else written: outputs, summary, dotenv, output file. */
  files: Record<string, string>;
}

/** Runs the bundle on `platform` with this commit message and these inputs (by input name). */
async function runOn(
  platform: Platform,
  node: string,
  message: string,
  inputs: Record<string, string>,
): Promise<SinkRun> {
  if (platform === 'github') {
    const run = await runAction({
      node,
      eventPayload: { ...SAMPLE_PUSH, head_commit: { ...SAMPLE_PUSH.head_commit, message } },
      inputs,
    });
    return { code: run.code, stdout: run.stdout, stderr: run.stderr, files: { summary: run.summary, ...run.outputs } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-sinks-'));
  const file = join(dir, platform === 'gitlab' ? 'notify.env' : 'outputs.txt');
  const notify = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`NOTIFY_${k.toUpperCase()}`, v]));
  const env =
    platform === 'gitlab'
      ? gitlabJobEnv({
          CI_COMMIT_SHA: SAMPLE_PUSH.after,
          CI_COMMIT_MESSAGE: message,
          CI_COMMIT_TITLE: message.split('\n')[0]!,
          NOTIFY_DOTENV: file,
          ...notify,
        })
      : {
          NOTIFY_REPOSITORY: 'acme/api',
          NOTIFY_REF: 'main',
          NOTIFY_SHA: SAMPLE_PUSH.after,
          NOTIFY_COMMIT_MESSAGE: message,
          NOTIFY_OUTPUT_FILE: file,
          ...notify,
        };
  const run = await runCli([], env, node);
  return { ...run, files: existsSync(file) ? { [platform]: readFileSync(file, 'utf8') } : {} };
}

/** Commit lines that try to start a line of their own: commands, our own line heads, invisible tricks. */
const FAKE_LINES = [
  'Fix payment path',
  '',
  '✅ prod (dingtalk): delivered [5 ms] PAYLOAD-ours',
  'error: PAYLOAD-error-line',
  'warning: PAYLOAD-warning-line',
  '::error::PAYLOAD-command',
  'a\u2028::notice::PAYLOAD-ls\u2029::debug::PAYLOAD-ps',
  'b\u0085::error::PAYLOAD-nel\u000c::error::PAYLOAD-ff\u000b::error::PAYLOAD-vt\r::error::PAYLOAD-cr',
  '\u200b::error::PAYLOAD-zwsp',
  '\u202e::error::PAYLOAD-bidi',
  '##[error]PAYLOAD-legacy ##vso[task.setvariable variable=x]PAYLOAD-vso',
  'section_start:1:evil[collapsed=true]\r\u001b[0KPAYLOAD-section',
].join('\n');

/** Every kind of line break a runner, a browser or a tool may split on. */
// eslint-disable-next-line no-control-regex -- the point of the check
const ANY_LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085\u000b\u000c]/;
/** Our own line heads at column 0 (text inside a message is indented); a line starting so must be ours. */
const OUR_HEADS = /^(?:::|✅|❌|⏭️|error:|warning:|debug:|section_)/;
// eslint-disable-next-line no-control-regex -- the point of the check
const CONTROL_OR_INVISIBLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

const TOKEN = 'Tk9pQ2xvc2VBbmRTZWNyZXQ1234';
const SECRET = 'SEC_ret*Value_2024-xyz&more';
/** How other programs write SECRET: percent-encoded the RFC 3986 way, JSON-escaped the Go way. */
const STRICT_PERCENT = 'SEC_ret%2AValue_2024-xyz%26more';
const GO_JSON = 'SEC_ret*Value_2024-xyz\\u0026more';

describe.each(nodeBinaries())('untrusted text in what the bundle prints ($label)', ({ path: node }) => {
  let hook: Receiver;
  beforeEach(async () => {
    hook = await startReceiver();
  });
  afterEach(async () => {
    await hook.close();
  });

  it.each(PLATFORMS)(
    'on %s, an answer echoing the secrets wrapped or encoded reaches no log line, output or summary',
    async (platform) => {
      hook.reply({
        status: 400,
        body: `{"error":"bad signature","token":"${TOKEN.slice(0, 12)}\n${TOKEN.slice(12)}","again":"${TOKEN.slice(0, 20)}\r\n ${TOKEN.slice(20)}","q":"${STRICT_PERCENT}","s":"${GO_JSON}","by":"@acme/owners"}`,
      });
      const run = await runOn(platform, node, `Fix ${TOKEN} path`, {
        channel: 'webhook',
        url: `${hook.origin}/hook/${TOKEN}`,
        secret: SECRET,
        status: 'failure',
        retries: '0',
      });
      expect([run.code, hook.requests.length]).toEqual([1, 1]);
      // Not vacuous: the answer was quoted.
      expect(run.stdout + run.stderr).toContain('bad signature');
      const sinks = { stdout: run.stdout.replace(/^::add-mask::.*$/gm, ''), stderr: run.stderr, ...run.files };
      for (const [sink, text] of Object.entries(sinks)) {
        const compact = text.replace(/\s+/g, '');
        for (const form of [TOKEN.slice(0, 10), TOKEN.slice(-10), STRICT_PERCENT, GO_JSON, SECRET.slice(0, 10)])
          expect([sink, compact.includes(form)]).toEqual([sink, false]);
      }
      if (platform === 'github') {
        // The summary shows the answer as text: no mention of a team.
        expect(run.files.summary).toContain('@\u2060acme/owners');
        expect(run.files.summary).not.toMatch(/@[\w-]/);
      }
    },
  );

  it('shows no signature in a dry run: not in the log dump, not in the job summary preview', async () => {
    const run = await runAction({
      node,
      inputs: {
        channels: JSON.stringify([
          {
            type: 'lark',
            url: `${hook.origin}/open-apis/bot/v2/hook/0a1b2c3d-aaaa-bbbb`,
            secret: 'lark-sign-secret-01',
          },
          {
            type: 'dingtalk',
            url: `${hook.origin}/robot/send?access_token=0123456789abcdef`,
            secret: 'SEC0123456789abcdef',
          },
        ]),
        status: 'failure',
        dry_run: 'true',
      },
    });
    expect([run.code, hook.requests.length]).toEqual([0, 0]);
    expect(run.stdout).toContain('"sign": "***"');
    expect(run.stdout).toMatch(/&sign=\*\*\*/);
    expect(run.summary).toContain('"sign": "***"');
    for (const text of [run.stdout, run.summary]) expect(text).not.toMatch(/sign"?[=:]\s*"?[^*"\s]/);
  });

  it('masks a multi-line secret line by line on GitHub, each line trimmed, none too short to hide', async () => {
    const run = await runAction({
      node,
      inputs: {
        channel: 'webhook',
        url: `${hook.origin}/hook`,
        secret: 'line-one-secret-A  \r\nx\rline-two-secret-B\n}',
        status: 'success',
        retries: '0',
      },
    });
    expect(run.code).toBe(0);
    const masks = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    expect(masks).toEqual(expect.arrayContaining(['::add-mask::line-one-secret-A', '::add-mask::line-two-secret-B']));
    for (const mask of masks) {
      expect(mask.slice('::add-mask::'.length)).toMatch(/^\S.{3,}$/);
      expect(mask).not.toMatch(/%0D|%0A|\s$/);
    }
  });

  it.each(PLATFORMS)('on %s, JSON outputs carry no raw line separator or bidi character', async (platform) => {
    const message = 'Fix\u2028delivered=99\u0085failed=0\u2029x \u202eevil\u200b';
    const run = await runOn(platform, node, message, {
      channel: 'webhook',
      url: `${hook.origin}/hook`,
      status: 'success',
      retries: '0',
    });
    expect(run.code).toBe(0);
    const files = Object.values(run.files).join('\n');
    expect(files).not.toMatch(/[\u0085\u2028\u2029\u202e\u200b]/);
    if (platform === 'github') expect(JSON.parse(run.files.event!).commit.message).toBe(message);
    if (platform === 'cli') {
      const lines = files.split(/\r\n|[\r\n\u2028\u2029\u0085]/).filter(Boolean);
      expect(lines.map((l) => l.slice(0, l.indexOf('=')))).toEqual([
        'results',
        'delivered',
        'failed',
        'status',
        'event',
        'message_refs',
      ]);
      const event = lines.find((l) => l.startsWith('event='))!.slice('event='.length);
      expect(JSON.parse(event).commit.message).toBe(message);
    }
  });
  it.each(PLATFORMS)('on %s, no line of the log starts as ours, runs a command or hides', async (platform) => {
    const run = await runOn(platform, node, FAKE_LINES, {
      channel: 'email',
      smtp_host: 'smtp.example.com',
      from: 'ci@example.com',
      to: 'ann@example.com',
      template: '${commit.message}',
      status: 'failure',
      dry_run: 'true',
    });
    expect([run.code, run.stderr]).toEqual([0, '']);
    // Not vacuous: the hostile lines were printed, as text.
    for (const word of ['ours', 'error-line', 'warning-line', 'command', 'ls', 'ps', 'zwsp', 'bidi', 'legacy', 'vso'])
      expect(run.stdout).toContain(`PAYLOAD-${word}`);
    for (const line of run.stdout.split(ANY_LINE_BREAK)) {
      // GitLab's own colours and section markers are ours; ESC from the text is gone.
      // eslint-disable-next-line no-control-regex -- the point of the check
      const bare = line.replace(/\u001b\[0(?:;3[13])?m|\u001b\[0K/g, '');
      if (OUR_HEADS.test(bare)) expect(bare).not.toContain('PAYLOAD');
      if (bare.trimStart().startsWith('::')) expect(bare).toMatch(/^::(add-mask|warning|error|debug|group|endgroup)::/);
      expect(bare).not.toMatch(/##(?:vso)?\[/i);
      expect(bare).not.toMatch(CONTROL_OR_INVISIBLE);
    }
  });
});
