/**
 * The message design of MESSAGES.md, for every channel's default type, in English and Chinese,
 * against the sample events (failure with jobs, fixed, still failing, cancelled, pull request,
 * long matrix): the title names the ref and the transition; what failed comes first, each job
 * linked to its log with its failed step, before the commit; fixed and still failing read
 * differently from a plain success and failure; no backslash in DingTalk or WeCom markdown; the
 * WeCom template card names the failed jobs. The whole payloads are pinned by the snapshot file
 * next to this test (reviewed as MESSAGES.md shapes) and, for the MESSAGES.md sample, by the
 * README examples (docs-messages.test.ts).
 */
import type { WeComTextNotice } from '../src/channels/wecom.js';
import type { CiEvent } from '../src/event/types.js';
import type { Locale } from '../src/render/types.js';
import { defaultPayloads } from './support/default-payloads.js';
import {
  COMMIT_URL,
  failureWithJobs,
  fixedRun,
  jobUrl,
  longMatrix,
  SAMPLE_EVENTS,
  stillFailing,
  trickyCommit,
} from './support/sample-events.js';

interface Expected {
  title: Record<Locale, string>;
  colour: string;
  /** The jobs the body lists first, in order: [name, url, step]. */
  jobs: [string, string, string | null][];
}

const MAIN = '❌ acme/api · main · CI #128';
const EXPECTED: Record<string, Expected> = {
  'failure with jobs': {
    title: { en: `${MAIN} failed (was passing)`, zh: `${MAIN} 失败（上次成功）` },
    colour: 'red',
    jobs: [
      ['test (ubuntu, 20)', jobUrl(2), 'Run tests'],
      ['lint', jobUrl(3), 'Run eslint'],
    ],
  },
  fixed: {
    title: { en: '✅ acme/api · main · CI #128 fixed', zh: '✅ acme/api · main · CI #128 已修复' },
    colour: 'green',
    jobs: [],
  },
  'still failing': {
    title: { en: `${MAIN} still failing`, zh: `${MAIN} 仍失败` },
    colour: 'red',
    jobs: [
      ['test (ubuntu, 20)', jobUrl(2), 'Run tests'],
      ['lint', jobUrl(3), 'Run eslint'],
    ],
  },
  cancelled: {
    title: { en: '⏹️ acme/api · main · CI #128 cancelled', zh: '⏹️ acme/api · main · CI #128 已取消' },
    colour: 'grey',
    jobs: [['test (ubuntu, 20)', jobUrl(2), null]],
  },
  'pull request': {
    title: { en: '❌ acme/api · PR #12 · CI #128 failed', zh: '❌ acme/api · PR #12 · CI #128 失败' },
    colour: 'red',
    jobs: [['lint', jobUrl(3), 'Run eslint']],
  },
  'long matrix': {
    title: { en: `${MAIN} failed (was passing)`, zh: `${MAIN} 失败（上次成功）` },
    colour: 'red',
    jobs: longMatrix()
      .jobs.filter((j) => j.status === 'failure')
      .slice(0, 8)
      .map((j) => [j.name, j.url!, j.failed_step]),
  },
};

const LOCALES: Locale[] = ['en', 'zh'];
const cases = Object.keys(SAMPLE_EVENTS).flatMap((name) => LOCALES.map((locale) => ({ name, locale })));

/** Each string's position in `text`, which must be increasing (and every string present). */
function expectInOrder(text: string, parts: string[]): void {
  let at = -1;
  for (const part of parts) {
    const found = text.indexOf(part, at + 1);
    expect({ part, found: found > at }).toEqual({ part, found: true });
    at = found;
  }
}

describe.each(cases)('$name ($locale)', ({ name, locale }) => {
  const event = SAMPLE_EVENTS[name]!();
  const expected = EXPECTED[name]!;
  const title = expected.title[locale];
  const payloads = defaultPayloads(event, locale);
  const commitLink = `[9f8e7d6](${COMMIT_URL})`;

  it('DingTalk actionCard: the title in the preview, what failed first (linked, with steps), then the commit', () => {
    const card = (payloads.dingtalk as { actionCard: { title: string; text: string } }).actionCard;
    expect(card.title).toBe(title);
    expectInOrder(card.text, [
      ...expected.jobs.flatMap(([job, url, step]) => [`[${job}](${url})${step === null ? '' : ` — ${step}`}`]),
      commitLink,
    ]);
    expect(card.text).not.toContain('\\');
  });

  it('WeCom markdown: the outcome coloured in the title, the jobs linked before the commit', () => {
    const content = (payloads.wecom as { markdown: { content: string } }).markdown.content;
    const outcome = payloads.message.outcome_text;
    expect(content.split('\n')[0]).toBe(
      `**${title.slice(0, title.length - outcome.length)}<font color="${payloads.message.colour.wecom}">${outcome}</font>**`,
    );
    expectInOrder(content, [...expected.jobs.map(([job, url]) => `>[${job}](${url})`), `>${commitLink}`]);
    expect(content).not.toContain('\\');
  });

  it('WeCom template_card: coloured by the outcome, naming the failed jobs with their links', () => {
    const card = (payloads.wecomCard as { template_card: WeComTextNotice }).template_card;
    const list = card.horizontal_content_list as { value: string; url?: string }[];
    expect(card.source.desc_color).toBe({ red: 2, green: 3, grey: 0 }[expected.colour]);
    expect(card.main_title.title).toBe(`${payloads.message.status_emoji} ${payloads.message.outcome_text}`);
    const listed = expected.jobs.slice(0, expected.jobs.length > 6 ? 5 : 6);
    expect(list.slice(0, listed.length).map((e) => e.url)).toEqual(listed.map(([, url]) => url));
    for (const [i, [job]] of listed.entries()) {
      expect(job.startsWith(list[i]!.value.replace(/( · .*)?…?$/, ''))).toBe(true);
    }
  });

  it('Lark card: the header coloured with the title in words, what failed first in the body', () => {
    const { header, elements } = payloads.lark.card;
    expect(header).toEqual({ template: expected.colour, title: { tag: 'plain_text', content: title } });
    const body = (elements[0] as { text: { content: string } }).text.content;
    expectInOrder(body, [...expected.jobs.map(([job, url]) => `[${job}](${url})`), commitLink]);
  });

  it('E-mail: the title as the subject, the same facts in the same order in both parts', () => {
    expect(payloads.email.subject).toBe(title);
    expectInOrder(payloads.email.text, [
      title,
      ...expected.jobs.flatMap(([job, url, step]) => [`• ${job}${step === null ? '' : ` — ${step}`}`, `  ${url}`]),
      COMMIT_URL,
    ]);
    expectInOrder(payloads.email.html, [...expected.jobs.map(([, url]) => `href="${url}"`), `href="${COMMIT_URL}"`]);
  });

  it('matches the reviewed whole payloads', () => {
    // The webhook and Jenkins bodies are the event itself, asserted whole by their own tests.
    const { message: _message, webhook: _webhook, jenkins: _jenkins, ...sent } = payloads;
    expect(sent).toMatchSnapshot();
  });
});

describe('transitions read differently', () => {
  const plain = (event: CiEvent): CiEvent => ({ ...event, transition: null, previous_status: null });
  it.each(LOCALES)(
    'fixed is not a plain success and still failing is not a plain failure, on every channel (%s)',
    (locale) => {
      for (const [changed, same] of [
        [fixedRun(), plain(fixedRun())],
        [stillFailing(), plain(stillFailing())],
        [failureWithJobs(), plain(failureWithJobs())],
      ]) {
        const a = defaultPayloads(changed!, locale);
        const b = defaultPayloads(same!, locale);
        for (const channel of [
          'dingtalk',
          'wecom',
          'wecomCard',
          'lark',
          'lark_app',
          'email',
          'slack',
          'teams',
          'discord',
          'telegram',
          'google_chat',
          'mattermost',
        ] as const) {
          expect(JSON.stringify(a[channel])).not.toBe(JSON.stringify(b[channel]));
        }
      }
    },
  );
});

describe('the tricky commit', () => {
  it.each(LOCALES)('reaches DingTalk and WeCom markdown without a backslash, readable (%s)', (locale) => {
    const payloads = defaultPayloads(trickyCommit(), locale);
    const texts = [
      (payloads.dingtalk as { actionCard: { text: string } }).actionCard.text,
      (payloads.wecom as { markdown: { content: string } }).markdown.content,
    ];
    for (const text of texts) {
      expect(text).not.toContain('\\');
      expect(text).toContain('Fix ˋnullˋ in ＊urgent＊ ［PAY-123］ #12');
      expect(text).toContain('feature/PAY-123_retry_logic');
    }
  });
});
