import { normalizeStatus } from '../src/event/status.js';
import type { Status } from '../src/event/types.js';

/** Every spelling DESIGN §3.1 promises, by the system that spells it that way. */
const SPELLINGS: [system: string, spelling: string, status: Status][] = [
  ['GitHub', 'success', 'success'],
  ['GitHub', 'failure', 'failure'],
  ['GitHub', 'cancelled', 'cancelled'],
  ['GitHub', 'skipped', 'skipped'],
  ['GitHub API', 'timed_out', 'failure'],
  ['GitHub API', 'startup_failure', 'failure'],
  ['GitHub API', 'action_required', 'pending'],
  ['GitHub API', 'neutral', 'skipped'],
  ['GitHub API', 'in_progress', 'running'],
  ['GitHub API', 'queued', 'pending'],
  ['GitHub API', 'waiting', 'pending'],
  ['GitLab', 'success', 'success'],
  ['GitLab', 'failed', 'failure'],
  ['GitLab', 'canceled', 'cancelled'],
  ['GitLab', 'skipped', 'skipped'],
  ['GitLab', 'running', 'running'],
  ['GitLab', 'pending', 'pending'],
  ['GitLab', 'created', 'pending'],
  ['GitLab', 'manual', 'skipped'],
  ['GitLab', 'scheduled', 'pending'],
  ['GitLab', 'preparing', 'pending'],
  ['GitLab', 'waiting_for_resource', 'pending'],
  ['Alibaba Cloud Flow', 'SUCCESS', 'success'],
  ['Alibaba Cloud Flow', 'FAIL', 'failure'],
  ['Alibaba Cloud Flow', 'CANCELED', 'cancelled'],
  ['Alibaba Cloud Flow', 'CANCELLING', 'cancelled'],
  ['Alibaba Cloud Flow', 'RUNNING', 'running'],
  ['Alibaba Cloud Flow', 'WAITING', 'pending'],
  ['Alibaba Cloud Flow', 'SKIP', 'skipped'],
  ['Alibaba Cloud Flow', 'FINISH', 'success'],
  ['Alibaba Cloud Flow', 'UNKNOWN', 'unknown'],
  ['Jenkins', 'SUCCESS', 'success'],
  ['Jenkins', 'FAILURE', 'failure'],
  ['Jenkins', 'UNSTABLE', 'failure'],
  ['Jenkins', 'ABORTED', 'cancelled'],
  ['Jenkins', 'NOT_BUILT', 'skipped'],
  ['plain', 'passed', 'success'],
  ['plain', 'error', 'failure'],
  ['plain', 'timeout', 'failure'],
  ['plain', 'aborted', 'cancelled'],
  ['plain', 'queued', 'pending'],
  ['plain', 'in_progress', 'running'],
];

describe('normalizeStatus', () => {
  it.each(SPELLINGS)('reads %s "%s" as %s without a warning', (_system, spelling, status) => {
    expect(normalizeStatus(spelling)).toEqual({ status, warning: null });
  });

  it('ignores case, surrounding space, and dashes or spaces in place of underscores', () => {
    expect(normalizeStatus('  Not Built ')).toEqual({ status: 'skipped', warning: null });
    expect(normalizeStatus('in-progress')).toEqual({ status: 'running', warning: null });
    expect(normalizeStatus('Waiting_For_Resource')).toEqual({ status: 'pending', warning: null });
  });

  it('reports an unrecognised status as unknown with a warning that quotes it and lists what is expected', () => {
    expect(normalizeStatus('exploded')).toEqual({
      status: 'unknown',
      warning:
        'status: "exploded" is not a status we know; reporting "unknown" (expected success, failure, cancelled, skipped, running or pending)',
    });
  });

  it('does not treat Object.prototype names as spellings', () => {
    expect(normalizeStatus('constructor').status).toBe('unknown');
    expect(normalizeStatus('__proto__').status).toBe('unknown');
  });

  it('reports an empty or missing status as unknown with a warning', () => {
    for (const input of ['', '   ', null, undefined]) {
      expect(normalizeStatus(input)).toEqual({
        status: 'unknown',
        warning: 'status: no status given; reporting "unknown"',
      });
    }
  });

  it('quotes a short unrecognised status, and only describes a long one (it may be a misplaced secret)', () => {
    expect(normalizeStatus('finished-ok').warning).toContain('status: "finished-ok" is not a status we know');
    expect(normalizeStatus('x'.repeat(500)).warning).toMatch(/^status: a value of 500 characters \(not shown/);
    expect(normalizeStatus('https://hooks.example.com/T0/B0/secret').warning).toMatch(/^status: a URL \(not shown\)/);
  });
});
