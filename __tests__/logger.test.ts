/**
 * What a printed line may carry: untrusted text (commit lines in a dry-run body, an endpoint's
 * answer) never becomes a GitHub workflow command, a terminal escape or a line break of its own, on
 * any platform's logger.
 */
import { Redactor } from '../src/delivery/redact.js';
import { printable, safeLogText, type Logger } from '../src/logger.js';
import { githubLogger } from '../src/platform/github.js';
import { gitlabLogger } from '../src/platform/gitlab.js';
import { plainLogger } from '../src/platform/local.js';

const J = '\u2060';
// eslint-disable-next-line no-control-regex -- the point of the checks
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** The GitLab logger's own colours and section markers. */
// eslint-disable-next-line no-control-regex -- the point of the checks
const GITLAB_OWN = /\u001b\[0(;3[13])?m|\u001b\[0K/g;

/** Commit text that tries every command form the runner reads. */
const HOSTILE = [
  '::add-mask::PAYLOAD-mask',
  '::stop-commands::PAYLOAD-stop',
  '   ::error file=app.js,line=1::PAYLOAD-error',
  '\t::warning::PAYLOAD-warning',
  'text ##[add-mask]PAYLOAD-legacy',
  '##[group]PAYLOAD-legacy-group',
  'cr\r::set-env name=X::PAYLOAD-cr',
  'crlf\r\n::debug::PAYLOAD-crlf',
  `esc \u001b[31mred\u001b[0m bel \u0007 nul \u0000 csi \u009b2J del \u007f`,
].join('\n');

describe('safeLogText', () => {
  it('breaks every workflow-command form and keeps the text readable', () => {
    expect(safeLogText(HOSTILE).split('\n')).toEqual([
      `:${J}:add-mask::PAYLOAD-mask`,
      `  :${J}:stop-commands::PAYLOAD-stop`,
      `     :${J}:error file=app.js,line=1::PAYLOAD-error`,
      `  \t:${J}:warning::PAYLOAD-warning`,
      `  text #${J}#[add-mask]PAYLOAD-legacy`,
      `  #${J}#[group]PAYLOAD-legacy-group`,
      '  cr',
      `  :${J}:set-env name=X::PAYLOAD-cr`,
      '  crlf',
      `  :${J}:debug::PAYLOAD-crlf`,
      '  esc [31mred[0m bel  nul  csi 2J del ',
    ]);
  });

  it('ends a line at every kind of line break and removes the characters that could fake one', () => {
    const text = [
      'a\u2028::notice::PAYLOAD-ls',
      '\u2029::debug::PAYLOAD-ps',
      '\u0085::error::PAYLOAD-nel',
      '\u000c::error::PAYLOAD-ff',
      '\u000b::error::PAYLOAD-vt',
      '\u200b::error::PAYLOAD-zwsp',
      '\ufeff\u200d::error::PAYLOAD-bom',
      '\u202e::error::PAYLOAD-bidi\u202c',
      'vso ##vso[task.setvariable variable=x]PAYLOAD-vso ##VSO[task.complete]',
    ].join('\n');
    expect(safeLogText(text).split('\n')).toEqual([
      'a',
      `  :${J}:notice::PAYLOAD-ls`,
      '',
      `  :${J}:debug::PAYLOAD-ps`,
      `  :${J}:error::PAYLOAD-nel`,
      `  :${J}:error::PAYLOAD-ff`,
      `  :${J}:error::PAYLOAD-vt`,
      `  :${J}:error::PAYLOAD-zwsp`,
      `  :${J}:error::PAYLOAD-bom`,
      `  :${J}:error::PAYLOAD-bidi`,
      `  vso #${J}#vso[task.setvariable variable=x]PAYLOAD-vso #${J}#VSO[task.complete]`,
    ]);
  });

  it('indents every line after the first, so text inside a message cannot start a line that looks like ours', () => {
    const answer =
      'body\n✅ prod (dingtalk): delivered [5 ms]\r\nerror: fake\rwarning: fake\u2028❌ x (y): failed\n\nend';
    expect(safeLogText(answer).split('\n')).toEqual([
      'body',
      '  ✅ prod (dingtalk): delivered [5 ms]',
      '  error: fake',
      '  warning: fake',
      '  ❌ x (y): failed',
      '',
      '  end',
    ]);
  });

  it('leaves ordinary single-line text alone, colons and hashes included', () => {
    const text = 'a::b  c ## d [x] #[y] https://example.com:8443/x \ttabbed # vso[x]';
    expect(safeLogText(text)).toBe(text);
  });

  it('redacts before it inserts anything, and strips control characters before it redacts', () => {
    const redactor = new Redactor();
    redactor.add('::secret-token-value');
    const print = printable((s) => redactor.redact(s));
    expect(print('::secret-token-value')).toBe('***');
    expect(print('::secret-\u0007token-value')).toBe('***');
    expect(print('::secret-\u200btoken-\u202evalue')).toBe('***');
  });
});

describe.each([
  [
    'github',
    (out: (l: string) => void, redact: (s: string) => string): Logger => githubLogger({ stdout: out }, redact, true),
  ],
  ['gitlab', (out: (l: string) => void, redact: (s: string) => string): Logger => gitlabLogger(out, redact, true)],
  [
    'local',
    (out: (l: string) => void, redact: (s: string) => string): Logger =>
      plainLogger({ stdout: out, stderr: out }, redact, true),
  ],
])('the %s logger', (_name, make) => {
  it('prints no line that the runner would read as a command, whatever the level', async () => {
    const written: string[] = [];
    const log = make(
      (chunk) => written.push(chunk),
      (s) => s,
    );
    log.info(HOSTILE);
    log.warn(HOSTILE);
    log.error(HOSTILE);
    log.debug(HOSTILE);
    await log.group(HOSTILE, async () => undefined);
    // What reaches the terminal, split the way the runner reads lines.
    const lines = written.join('\n').split(/\r\n|\r|\n/);
    const ours = /^::(warning|error|debug|group|endgroup)::/;
    for (const line of lines) {
      if (line.trimStart().startsWith('::')) expect(line).toMatch(ours);
      expect(line).not.toContain('##[');
      expect(line.replace(GITLAB_OWN, '')).not.toMatch(CONTROL);
    }
    // Not vacuous: the untrusted text is there, just harmless.
    expect(written.join('\n')).toContain('PAYLOAD-mask');
  });
});
