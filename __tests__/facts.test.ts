/**
 * Which API-only facts a run wants (main.ts wantedFacts, render/facts.ts): the reads a run makes
 * follow from its targets — their channel, format, title, template, fields, notify_on and mention_on.
 */
import { CHANNEL_TYPES, loadChannels } from '../src/channels/index.js';
import type { ApiFact } from '../src/event/facts.js';
import type { Status } from '../src/event/types.js';
import { wantedFacts } from '../src/main.js';
import { messageFacts, templateFacts } from '../src/render/facts.js';
import { loadSettings } from '../src/settings.js';

const CHANNELS = await loadChannels(CHANNEL_TYPES);
const HOOK = 'https://hooks.example.com/ci';
const DINGTALK = 'https://oapi.dingtalk.com/robot/send?access_token=abc123';

function wanted(inputs: Record<string, string>, status: Status = 'failure'): ApiFact[] {
  const settings = loadSettings(inputs, {}, CHANNELS);
  expect(settings.errors).toEqual([]);
  expect(settings.invalid).toEqual([]);
  return [...wantedFacts(settings.targets, status)].sort();
}

describe('templateFacts', () => {
  it.each<[string, ApiFact[]]>([
    ['${status} ${repository.full_name} ${commit.sha} ${commit.short_sha} ${ref.name} ${pipeline.url}', []],
    ['${previous_status}', ['history']],
    ['${transition:-first run}', ['history']],
    ['${duration}', ['timing']],
    ['${pipeline.started_at}', ['timing']],
    ['${pipeline}', ['timing']],
    ['${jobs.0.name}', ['jobs']],
    ['${failed_jobs}', ['jobs']],
    ['${job.url}', ['jobs']],
    ['${commit.title} by ${commit.author.name}', ['commit']],
    ['${ commit.message }', ['commit']],
    ['$${transition} is literal text', []],
    ['${env.TRANSITION} ${TRANSITION}', []],
  ])('%s reads %j', (template, facts) => {
    expect([...templateFacts(template)].sort()).toEqual([...facts].sort());
  });
});

describe('messageFacts (the default message every chat channel and e-mail lays out)', () => {
  const base = { title: '', template: '', msg_type: '', fields: null };

  it('reads everything it shows: the transition in the default title, jobs, duration and commit', () => {
    expect([...messageFacts(base)].sort()).toEqual(['commit', 'history', 'jobs', 'timing']);
  });

  it('leaves out what `fields` leaves out, and the earlier runs when the title does not use them', () => {
    expect([...messageFacts({ ...base, title: '${repository.full_name}', fields: ['repository', 'link'] })]).toEqual(
      [],
    );
    expect([...messageFacts({ ...base, fields: ['jobs'] })].sort()).toEqual(['history', 'jobs']);
  });

  it('with msg_type customize reads only what the template (the whole body) names', () => {
    expect([...messageFacts({ ...base, msg_type: 'customize', template: '{"text":"${failed_jobs}"}' })]).toEqual([
      'jobs',
    ]);
  });
});

describe('wantedFacts', () => {
  it('a plain webhook wants the facts its event body carries, not the earlier runs', () => {
    expect(wanted({ channel: 'webhook', url: HOOK })).toEqual(['commit', 'jobs', 'timing']);
    expect(wanted({ channel: 'webhook', url: HOOK, format: 'cdevents' })).toEqual(['commit', 'jobs', 'timing']);
    expect(wanted({ channel: 'jenkins', url: HOOK, token: 't' })).toEqual(['commit', 'jobs', 'timing']);
  });

  it('a GET webhook and a template without API facts want nothing', () => {
    expect(wanted({ channel: 'webhook', url: HOOK, method: 'GET' })).toEqual([]);
    expect(wanted({ channel: 'webhook', url: HOOK, format: 'template', template: '{"s":"${status}"}' })).toEqual([]);
  });

  it('a transition word in notify_on or mention_on wants the earlier runs', () => {
    expect(wanted({ channel: 'webhook', url: HOOK, method: 'GET', notify_on: 'failure, fixed' })).toEqual(['history']);
    expect(wanted({ channel: 'webhook', url: HOOK, method: 'GET', mention_on: 'regressed' })).toEqual(['history']);
  });

  it('a default chat message wants everything it shows', () => {
    expect(wanted({ channel: 'dingtalk', url: DINGTALK })).toEqual(['commit', 'history', 'jobs', 'timing']);
  });

  it('a target notify_on rules out wants nothing; with a transition word it still wants the earlier runs', () => {
    expect(wanted({ channel: 'dingtalk', url: DINGTALK, notify_on: 'failure' }, 'success')).toEqual([]);
    expect(wanted({ channel: 'dingtalk', url: DINGTALK, notify_on: 'failure, fixed' }, 'success')).toEqual([
      'commit',
      'history',
      'jobs',
      'timing',
    ]);
  });

  it('is the union over the targets', () => {
    const channels = JSON.stringify([
      { type: 'webhook', url: HOOK, method: 'GET' },
      { type: 'webhook', url: HOOK, format: 'template', template: '{"d":"${duration}"}' },
      { type: 'dingtalk', url: DINGTALK, notify_on: 'success' },
    ]);
    expect(wanted({ channels })).toEqual(['timing']);
    expect(wanted({ channels }, 'success')).toEqual(['commit', 'history', 'jobs', 'timing']);
  });
});
