import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../src/delivery/redact.js';
import { gitlabLogger, gitlabPlatform } from '../src/platform/gitlab.js';
import type { EventInput } from '../src/event/types.js';

const ESC = '\u001b';
const T = 1_764_583_200_000; // 2025-12-01T10:00:00Z in ms; section markers carry seconds

function recorder() {
  const lines: string[] = [];
  return { lines, stdout: (line: string) => lines.push(line) };
}

describe('gitlabLogger', () => {
  it('wraps a group in collapsed GitLab section markers with unix seconds and a unique name', async () => {
    const { lines, stdout } = recorder();
    const log = gitlabLogger(
      stdout,
      (s) => s,
      false,
      () => T,
    );
    const value = await log.group('Deliveries', async () => {
      log.info('inside');
      return 42;
    });
    await log.group('Second', async () => undefined);
    expect(value).toBe(42);
    expect(lines).toEqual([
      `${ESC}[0Ksection_start:1764583200:ci_notify_1[collapsed=true]\r${ESC}[0KDeliveries`,
      'inside',
      `${ESC}[0Ksection_end:1764583200:ci_notify_1\r${ESC}[0K`,
      `${ESC}[0Ksection_start:1764583200:ci_notify_2[collapsed=true]\r${ESC}[0KSecond`,
      `${ESC}[0Ksection_end:1764583200:ci_notify_2\r${ESC}[0K`,
    ]);
  });

  it('closes the section when the body throws', async () => {
    const { lines, stdout } = recorder();
    const log = gitlabLogger(
      stdout,
      (s) => s,
      false,
      () => T,
    );
    await expect(log.group('Boom', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(lines[lines.length - 1]).toBe(`${ESC}[0Ksection_end:1764583200:ci_notify_1\r${ESC}[0K`);
  });

  it('redacts every line it prints: info, warnings, errors, debug and section headers', async () => {
    const redactor = new Redactor();
    redactor.add('https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789');
    const { lines, stdout } = recorder();
    const log = gitlabLogger(
      stdout,
      (s) => redactor.redact(s),
      true,
      () => T,
    );
    const token = 'abcdef0123456789';
    log.info(`posting to ${token}`);
    log.warn(`retrying ${token}`);
    log.error(`failed ${token}`);
    log.debug(`body for ${token}`);
    await log.group(`Target ${token}\nsecond line`, async () => undefined);
    expect(lines).toEqual([
      'posting to ***',
      `${ESC}[0;33mwarning:${ESC}[0m retrying ***`,
      `${ESC}[0;31merror:${ESC}[0m failed ***`,
      'debug: body for ***',
      `${ESC}[0Ksection_start:1764583200:ci_notify_1[collapsed=true]\r${ESC}[0KTarget *** second line`,
      `${ESC}[0Ksection_end:1764583200:ci_notify_1\r${ESC}[0K`,
    ]);
  });

  it('prints debug lines only when debugging is on', () => {
    const { lines, stdout } = recorder();
    gitlabLogger(stdout, (s) => s, false).debug('hidden');
    expect(lines).toEqual([]);
  });
});

describe('gitlabPlatform', () => {
  const tempDirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-notify-dotenv-'));
    tempDirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('reads inputs from NOTIFY_<NAME> variables, skipping empty ones and unknown names', () => {
    const platform = gitlabPlatform(
      {
        NOTIFY_CHANNEL: 'dingtalk',
        NOTIFY_NOTIFY_ON: 'failure, fixed',
        NOTIFY_TITLE: '',
        NOTIFY_SOCKET: '/run/systemd/notify',
        NOTIFY_DOTENV: 'x.env',
      },
      () => undefined,
    );
    expect(platform.readInputs()).toEqual({ channel: 'dingtalk', notify_on: 'failure, fixed' });
  });

  it('takes the status from CI_JOB_STATUS when none is given (after_script), and the given one otherwise', () => {
    expect(gitlabPlatform({ CI_JOB_STATUS: 'failed' }, () => undefined).readInputs()).toEqual({ status: 'failed' });
    expect(gitlabPlatform({ CI_JOB_STATUS: 'failed', NOTIFY_STATUS: 'success' }, () => undefined).readInputs()).toEqual(
      { status: 'success' },
    );
  });

  it('prints outputs as ci-notify lines (the event only when debugging), redacted', () => {
    const { lines, stdout } = recorder();
    const platform = gitlabPlatform({}, stdout, (s) => s.replace('s3cret', '***'));
    platform.setOutput('delivered', '1');
    platform.setOutput('results', '[{"error":"s3cret"}]');
    platform.setOutput('event', '{"schema":"ci-notify.event/v1"}');
    expect(lines).toEqual(['ci-notify delivered=1', 'ci-notify results=[{"error":"***"}]']);
  });

  it('writes delivered, failed and status to the NOTIFY_DOTENV file as CI_NOTIFY_* once each', () => {
    const dir = tempDir();
    const file = join(dir, 'ci-notify.env');
    const platform = gitlabPlatform({ NOTIFY_DOTENV: file }, () => undefined);
    for (const run of [
      ['0', '1'],
      ['1', '0'],
    ] as const) {
      platform.setOutput('results', '[{"name":"a b"}]');
      platform.setOutput('delivered', run[0]);
      platform.setOutput('failed', run[1]);
      platform.setOutput('status', 'failure');
      platform.setOutput('event', '{}');
    }
    expect(readFileSync(file, 'utf8')).toBe('CI_NOTIFY_DELIVERED=1\nCI_NOTIFY_FAILED=0\nCI_NOTIFY_STATUS=failure\n');
  });

  it('writes no dotenv file unless NOTIFY_DOTENV is set', () => {
    const dir = tempDir();
    const platform = gitlabPlatform({ CI_PROJECT_DIR: dir }, () => undefined);
    platform.setOutput('delivered', '1');
    expect(existsSync(join(dir, 'ci-notify.env'))).toBe(false);
  });

  it('builds a gitlab event from the CI variables', async () => {
    const platform = gitlabPlatform({ CI_PROJECT_PATH: 'acme/api', CI_PIPELINE_IID: '7' }, () => undefined);
    const input: EventInput = {
      status: 'success',
      params: {},
      needs: '',
      github_token: '',
      id: 'x-1',
      now: new Date(T),
      http: null,
    };
    const event = await platform.buildEvent(input);
    expect([event.provider, event.status, event.repository.full_name, event.pipeline.number]).toEqual([
      'gitlab',
      'success',
      'acme/api',
      7,
    ]);
  });

  it('names itself gitlab, prints nothing for mask and has no job summary', () => {
    const { lines, stdout } = recorder();
    const platform = gitlabPlatform({}, stdout);
    platform.mask('secret-value');
    expect(platform.name).toBe('gitlab');
    expect(platform.writeSummary).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
