import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as yamlParse } from 'yaml';
import { addEmailPeople, email } from '../src/channels/email.js';
import { larkPost, larkText } from '../src/channels/lark-card.js';
import { buildMessage } from '../src/render/message.js';
import { addLarkAppPeople, larkApp } from '../src/channels/lark-app.js';
import type { Person } from '../src/event/types.js';
import { loadPeople } from '../src/people/load.js';
import { findPerson, validatePeople, type PeopleMap } from '../src/people/map.js';
import { addRobotMentions, reachableChannels } from '../src/people/reach.js';
import { isBot, selectPeople, type SelectedPerson } from '../src/people/select.js';
import { targetSettings } from './support/channel-context.js';
import { sampleEvent } from './support/fixtures.js';
import { larkNotified } from './support/mentions.js';

const MAP_YAML = `
- name: Mona Lisa
  github: MonaLisa
  gitlab: mona
  emails: [Mona@Example.com, mona@users.example]
  dingtalk_mobile: 13800000001
  dingtalk_user_id: mona-dt
  wecom_user_id: mona.lisa
  wecom_mobile: "+86-13800000001"
  lark_open_id: ou_mona0001
  lark_user_id: mona_l
  lark_email: mona@corp.example
  email: mona@corp.example
- name: Bob Chen
  emails: [bob@corp.example]
  wecom_mobile: "13800000002"
  lark_email: bob@corp.example
`;

function map(yaml = MAP_YAML): PeopleMap {
  return validatePeople(yamlParse(yaml), 'test').map;
}

const who = (name: string | null, email: string | null, login: string | null = null): Person => ({
  name,
  email,
  login,
});

describe('the people map', () => {
  it('reads every identity and way to reach a person, numbers and all', () => {
    const { map: m, errors } = validatePeople(yamlParse(MAP_YAML), 'test');
    expect(errors).toEqual([]);
    expect(m.entries[0]).toEqual({
      index: 0,
      name: 'Mona Lisa',
      github: 'monalisa',
      gitlab: 'mona',
      emails: ['mona@example.com', 'mona@users.example'],
      dingtalk_mobile: '13800000001',
      dingtalk_user_id: 'mona-dt',
      wecom_user_id: 'mona.lisa',
      wecom_mobile: '+86-13800000001',
      lark_open_id: 'ou_mona0001',
      lark_user_id: 'mona_l',
      lark_email: 'mona@corp.example',
      email: 'mona@corp.example',
    });
    expect(reachableChannels(m.entries[0]!)).toEqual(['dingtalk', 'wecom', 'lark', 'lark_app', 'email']);
    expect(reachableChannels(m.entries[1]!)).toEqual(['wecom', 'lark_app']);
    expect(reachableChannels(null)).toEqual([]);
  });

  it('accepts {people: [...]} as well as a bare list', () => {
    expect(validatePeople({ people: [{ github: 'octocat' }] }, 'x').map.entries).toHaveLength(1);
  });

  it('names the entry and the field of every problem and never quotes a phone number or id', () => {
    const { errors } = validatePeople(
      yamlParse(`
- name: Mona Lisa
  dingtalk_mobile: 1380000000x
  phone: "13912345678"
  lark_open_id: mona-open-id
- github: octocat
  wecom_user_id: "@all"
  emails: [not-an-address]
- dingtalk_user_id: zhang-san-4711
- name: Bob
  emails: [octo@example.com]
- name: Cat
  emails: [Octo@example.com]
- [not, a, mapping]
`),
      'people.yml',
    );
    expect(errors).toEqual([
      'people (people.yml): people[0] "Mona Lisa".dingtalk_mobile: expected a mobile number such as 13800000000',
      'people (people.yml): people[0] "Mona Lisa": unknown field "phone"; expected any of name, emails, github, gitlab, dingtalk_mobile, dingtalk_user_id, wecom_user_id, wecom_mobile, lark_open_id, lark_user_id, lark_email, email',
      'people (people.yml): people[0] "Mona Lisa".lark_open_id: expected a Lark open_id (ou_…)',
      'people (people.yml): people[1] "octocat".wecom_user_id: "@all" would mention everyone; at_all / at_user_ids: all does that on purpose',
      'people (people.yml): people[1] "octocat".emails: expected a list of e-mail addresses',
      'people (people.yml): people[2]: no identity; give emails, github, gitlab or name so commits can be matched to this person',
      'people (people.yml): people[5]: expected a mapping such as {name: Mona Lisa, github: monalisa, email: …}',
      'people (people.yml): people[4]: the same e-mail address as people[3]; give each person one entry',
    ]);
    for (const secret of ['1380000000x', '13912345678', 'mona-open-id', 'zhang-san-4711'])
      expect(errors.join('\n')).not.toContain(secret);
  });

  it('rejects a document that is not a list', () => {
    expect(validatePeople('mona', 'the people input').errors).toEqual([
      'people (the people input): expected a list of people, e.g. "- name: Mona Lisa\\n  github: monalisa"',
    ]);
  });
});

describe('loading the people map', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'people-'));

  it('reads YAML or JSON text given in the input', async () => {
    expect((await loadPeople('- github: octocat', { workspaces: [workspace] })).map.entries[0]?.github).toBe('octocat');
    expect((await loadPeople('[{"github": "octocat"}]', { workspaces: [workspace] })).map.entries[0]?.github).toBe(
      'octocat',
    );
  });

  it('reads a path relative to the workspace, and the default file when no input is given', async () => {
    mkdirSync(join(workspace, '.ci-notify'), { recursive: true });
    writeFileSync(join(workspace, '.ci-notify/people.yml'), '- github: defaulted\n');
    writeFileSync(join(workspace, 'team.yaml'), '- github: named\n');
    expect(await loadPeople('team.yaml', { workspaces: [workspace] })).toMatchObject({
      source: 'team.yaml',
      errors: [],
      map: { entries: [expect.objectContaining({ github: 'named' })] },
    });
    expect(await loadPeople('', { workspaces: [workspace] })).toMatchObject({
      source: '.ci-notify/people.yml',
      map: { entries: [expect.objectContaining({ github: 'defaulted' })] },
    });
    // The CI's workspace first, then where the job runs (CI_PROJECT_DIR may name a container path).
    expect(
      (await loadPeople('team.yaml', { workspaces: ['/builds/acme/api', workspace] })).map.entries[0]?.github,
    ).toBe('named');
    expect(await loadPeople('', { workspaces: [join(workspace, 'nowhere')] })).toEqual({
      map: { entries: [] },
      source: null,
      errors: [],
    });
  });

  it('says which file is missing, and where YAML is broken without quoting the line', async () => {
    expect((await loadPeople('missing/people.yml', { workspaces: [workspace] })).errors).toEqual([
      'people: cannot read the file missing/people.yml (ENOENT); give a path relative to the workspace, or the map itself as YAML',
    ]);
    const broken = await loadPeople('- name: Mona\n  dingtalk_mobile: [13800000001\n', { workspaces: [workspace] });
    expect(broken.errors).toEqual([
      expect.stringMatching(/^people \(the people input\): not valid YAML or JSON \(line \d+, column \d+\)$/),
    ]);
    expect(broken.errors[0]).not.toContain('13800000001');
  });

  it('reports a YAML warning by position through warn, never to stderr with the line it quotes', async () => {
    const emitted: string[] = [];
    const onWarning = (w: Error) => emitted.push(w.message);
    process.on('warning', onWarning);
    const warnings: string[] = [];
    try {
      const loaded = await loadPeople('- name: Mona\n  dingtalk_mobile: !phone 13800000002\n', {
        workspaces: [workspace],
        warn: (m) => warnings.push(m),
      });
      expect(loaded).toEqual({
        map: { entries: [expect.objectContaining({ name: 'Mona', dingtalk_mobile: '13800000002' })] },
        source: 'the people input',
        errors: [],
      });
      await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(emitted).toEqual([]);
    expect(warnings).toEqual([
      'people (the people input): Unresolved tag: !phone (line 2, column 20); it is read as plain text',
    ]);
  });
});

describe('matching git identities to people', () => {
  const m = map();

  it.each([
    ['the login GitHub gives', who('Someone', 'x@y.z', 'MONALISA'), 'github', 'Mona Lisa'],
    ['an e-mail, case-insensitively', who(null, 'MONA@EXAMPLE.COM'), 'github', 'Mona Lisa'],
    ['the e-mail people are reached at', who(null, 'Bob@Corp.Example'), 'github', 'Bob Chen'],
    ['a login@users.noreply.github.com address', who(null, 'monalisa@users.noreply.github.com'), 'github', 'Mona Lisa'],
    [
      'an id+login@users.noreply.github.com address',
      who(null, '583231+MonaLisa@users.noreply.github.com'),
      'gitlab',
      'Mona Lisa',
    ],
    ['a GitLab noreply address', who(null, '42-mona@users.noreply.gitlab.example.com'), 'gitlab', 'Mona Lisa'],
    ['a GitLab username on GitLab', who(null, null, 'mona'), 'gitlab', 'Mona Lisa'],
    ['the name, when nothing else matches', who('mona lisa', 'other@example.com'), 'github', 'Mona Lisa'],
  ])('finds a person by %s', (_what, identity, provider, name) => {
    expect(findPerson(m, identity, provider as 'github')?.name).toBe(name);
  });

  it('does not match a GitHub login on GitLab, a stranger, or a name two people share', () => {
    expect(findPerson(m, who(null, null, 'monalisa'), 'gitlab')).toBeNull();
    expect(findPerson(m, who('Ghost', 'ghost@example.com', 'ghost'), 'github')).toBeNull();
    const twins = map('- name: Sam\n  github: sam1\n- name: Sam\n  github: sam2\n');
    expect(findPerson(twins, who('Sam', 'sam@example.com'), 'github')).toBeNull();
  });

  it.each([
    [who('dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com', 'dependabot[bot]'), true],
    [who('github-actions[bot]', 'github-actions[bot]@users.noreply.github.com', null), true],
    [who('Renovate Bot', 'bot@renovateapp.com', 'renovate[bot]'), true],
    [who('project_42_bot_3f1a', 'project_42_bot_3f1a@noreply.gitlab.example.com', 'project_42_bot_3f1a'), true],
    [who('Mona Lisa', 'mona@example.com', 'monalisa'), false],
    [who('Robot Botson', 'robot@example.com', 'botson'), false],
  ])('knows %j is a bot: %s', (identity, bot) => {
    expect(isBot(identity)).toBe(bot);
  });
});

describe('selecting people', () => {
  const m = map();
  const mona = who('Mona Lisa', 'mona@example.com', 'monalisa');
  const bob = who('Bob Chen', 'bob@corp.example');
  const ghost = who('Ghost\n::error::x', 'ghost@example.com');
  const bot = who('dependabot[bot]', '49699333+dependabot[bot]@users.noreply.github.com', 'dependabot[bot]');

  function select(
    status: 'failure' | 'success',
    wanted: Array<'author' | 'actor' | 'committers' | 'culprits'>,
    culprits: Person[] | null,
    committers: Person[] | null = [bob],
  ) {
    const warnings: string[] = [];
    const event = sampleEvent({ status, commit: { ...sampleEvent().commit, author: mona }, actor: bob });
    const people = selectPeople({
      event,
      contributors: { committers, culprits, culprits_problem: culprits ? null : 'github api: HTTP 500' },
      wanted,
      map: m,
      warn: (w) => warnings.push(w),
    });
    return { people: people.map((p) => [p.name, p.roles, p.entry?.index ?? null]), warnings };
  }

  it('lists each person once with every role, and names strangers by their git name on one line', () => {
    expect(select('failure', ['author', 'actor', 'culprits'], [mona, bot, ghost, mona, bob])).toEqual({
      people: [
        ['Mona Lisa', ['author', 'culprit'], 0],
        ['Bob Chen', ['actor', 'culprit'], 1],
        ['Ghost ::error::x', ['culprit'], null],
      ],
      warnings: [],
    });
  });

  it('has no culprits on a green run, and reads committers as they are', () => {
    expect(select('success', ['culprits'], [mona])).toEqual({ people: [], warnings: [] });
    expect(select('success', ['committers'], null, [bot, bob])).toEqual({
      people: [['Bob Chen', ['committer'], 1]],
      warnings: [],
    });
  });

  it('falls back to the committers, then to the author, with one warning', () => {
    expect(select('failure', ['culprits'], null)).toEqual({
      people: [['Bob Chen', ['culprit'], 1]],
      warnings: ['mention_people: culprits: github api: HTTP 500; mentioning the committers of this push instead'],
    });
    expect(select('failure', ['culprits'], null, null)).toEqual({
      people: [['Mona Lisa', ['culprit'], 0]],
      warnings: ['mention_people: culprits: github api: HTTP 500; mentioning the author of the head commit instead'],
    });
  });
});

describe('reaching people on each channel', () => {
  const m = map();
  const [mona, bob] = m.entries as [PeopleMap['entries'][0], PeopleMap['entries'][0]];
  const people: SelectedPerson[] = [
    { name: 'Mona Lisa', roles: ['culprit'], entry: mona },
    { name: 'Bob Chen', roles: ['culprit'], entry: bob },
    { name: 'Ghost', roles: ['culprit'], entry: null },
  ];
  const target = (channel: 'dingtalk' | 'wecom' | 'lark' | 'webhook', at: Record<string, string[]> = {}) => ({
    ...targetSettings(channel, {}),
    at_mobiles: at.mobiles ?? [],
    at_user_ids: at.userIds ?? [],
  });
  const view = (r: ReturnType<typeof addRobotMentions>) => ({
    at_mobiles: r.target.at_mobiles,
    at_user_ids: r.target.at_user_ids,
    mentioned: r.mentioned.map((p) => p.name),
    named: r.named.map((p) => p.name),
  });

  it('adds DingTalk mobiles first, WeCom userids first, Lark open_ids only', () => {
    expect(view(addRobotMentions(target('dingtalk', { mobiles: ['139'] }), people))).toEqual({
      at_mobiles: ['139', '13800000001'],
      at_user_ids: [],
      mentioned: ['Mona Lisa'],
      named: ['Bob Chen', 'Ghost'],
    });
    expect(view(addRobotMentions(target('wecom'), people))).toEqual({
      at_mobiles: ['13800000002'],
      at_user_ids: ['mona.lisa'],
      mentioned: ['Mona Lisa', 'Bob Chen'],
      named: ['Ghost'],
    });
    // Bob has only lark_email: a robot can name him, not mention him.
    expect(view(addRobotMentions(target('lark'), people))).toEqual({
      at_mobiles: [],
      at_user_ids: ['ou_mona0001'],
      mentioned: ['Mona Lisa'],
      named: ['Bob Chen', 'Ghost'],
    });
    expect(view(addRobotMentions(target('webhook'), people))).toEqual({
      at_mobiles: [],
      at_user_ids: [],
      mentioned: [],
      named: [],
    });
  });

  it("shows a Lark mention with the person's name, not the id, and a name cannot break the tag", () => {
    const hostile: SelectedPerson = { name: 'Mona </at><at user_id="all">@all', roles: ['culprit'], entry: mona };
    const r = addRobotMentions(target('lark'), [hostile]);
    expect(r.target.at_names).toEqual({ ou_mona0001: hostile.name });
    const message = buildMessage(sampleEvent(), {
      locale: 'en',
      fields: [],
      title: '',
      template: '',
      env: {},
      warn: () => {},
    });
    const mentions = { userIds: r.target.at_user_ids, all: false, names: r.target.at_names };
    const text = larkText(message, mentions).text;
    expect(text.split('\n').at(-1)).toMatch(/^<at user_id="ou_mona0001">Mona [^<>"]*<\/at>$/);
    expect(larkNotified({ msg_type: 'text', content: { text } })).toEqual({ all: false, ids: ['ou_mona0001'] });
    const post = JSON.stringify(larkPost(message, mentions));
    expect(post).toContain('{"tag":"at","user_id":"ou_mona0001","user_name":"Mona ');
    expect(larkNotified({ msg_type: 'post', content: JSON.parse(post) })).toEqual({ all: false, ids: ['ou_mona0001'] });
  });

  it('mentions a person once when at_* already has any of their ids', () => {
    expect(view(addRobotMentions(target('dingtalk', { userIds: ['mona-dt'] }), people.slice(0, 1)))).toEqual({
      at_mobiles: [],
      at_user_ids: ['mona-dt'],
      mentioned: ['Mona Lisa'],
      named: [],
    });
    expect(view(addRobotMentions(target('wecom', { mobiles: ['+86-13800000001'] }), people.slice(0, 1)))).toEqual({
      at_mobiles: ['+86-13800000001'],
      at_user_ids: [],
      mentioned: ['Mona Lisa'],
      named: [],
    });
  });

  it('adds people to e-mail to or cc, once per address', () => {
    const parse = (raw: Record<string, string>) =>
      email.options.parse({ smtp_host: 'smtp.example.com', from: 'ci@example.com', ...raw });
    const cc = addEmailPeople(parse({ to: 'lead@example.com', email_people: 'cc' }), people);
    expect([cc.options.to, cc.options.cc, cc.reached.map((p) => p.name), cc.recipients]).toEqual([
      [{ name: '', address: 'lead@example.com' }],
      [{ name: 'Mona Lisa', address: 'mona@corp.example' }],
      ['Mona Lisa'],
      2,
    ]);
    const to = addEmailPeople(parse({ to: 'lead@example.com', bcc: 'MONA@corp.example' }), people);
    expect([to.options.to, to.options.cc, to.reached.map((p) => p.name), to.recipients]).toEqual([
      [{ name: '', address: 'lead@example.com' }],
      [],
      ['Mona Lisa'],
      2,
    ]);
    const bad = email.options.safeParse({ smtp_host: 'h', from: 'ci@example.com', to: 'a@b.c', email_people: 'bcc' });
    expect(bad.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'email_people: "bcc" not understood; expected to or cc',
    ]);
  });

  it('makes people lark_app receivers by open_id, else by their Lark e-mail, once each', () => {
    const options = larkApp.options.parse({
      app_id: 'cli_x',
      app_secret: 'secret-0123',
      receive_id_type: 'email',
      receive_ids: 'mona@corp.example',
    });
    const added = addLarkAppPeople(options, people);
    expect(added.options.people).toEqual([{ type: 'email', id: 'bob@corp.example', label: 'Bob Chen' }]);
    expect(added.reached.map((p) => p.name)).toEqual(['Mona Lisa', 'Bob Chen']);
    expect(added.recipients).toBe(2);
  });

  it('lets e-mail and lark_app targets have no fixed recipients only when they mention people', () => {
    expect(larkApp.options.safeParse({ app_id: 'cli_x', app_secret: 's', mention_people: 'culprits' }).success).toBe(
      true,
    );
    expect(larkApp.options.safeParse({ app_id: 'cli_x', app_secret: 's', mention_people: 'none' }).success).toBe(false);
    expect(email.options.safeParse({ smtp_host: 'h', from: 'ci@example.com', mention_people: 'author' }).success).toBe(
      true,
    );
    expect(email.options.safeParse({ smtp_host: 'h', from: 'ci@example.com' }).success).toBe(false);
  });
});
