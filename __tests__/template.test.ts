import type { CiEvent } from '../src/event/types.js';
import { warnOnce } from '../src/logger.js';
import { renderTemplate, renderTemplateParts } from '../src/render/template.js';
import { escapeChatMarkdown, neutralizeMentions } from '../src/render/text.js';
import type { Locale } from '../src/render/types.js';
import { sampleEvent } from './support/fixtures.js';

function render(
  template: string,
  mode: 'text' | 'json' = 'text',
  {
    event = sampleEvent(),
    env = {},
    locale = 'en' as Locale,
  }: { event?: CiEvent; env?: NodeJS.ProcessEnv; locale?: Locale } = {},
) {
  const warnings: string[] = [];
  const out = renderTemplate(template, { event, env, locale }, mode, (m) => warnings.push(m));
  return { out, warnings };
}

const nastyTitle = 'He said "hi" \\o/\nline two\t</script><b>&amp; ünïcødé 构建 😀 \u2028';

describe('renderTemplate, text mode', () => {
  it('fills event paths, computed values and environment variables', () => {
    expect(
      render(
        '${status_emoji} ${repository.full_name} ${pipeline.name} #${pipeline.number} ${status_text} in ${duration} — ${commit.title} (${commit.short_sha}) by ${commit.author.name} on ${ref.name}; ${env.DEPLOY_ENV}/${CI_COMMIT_TITLE}',
        'text',
        { env: { DEPLOY_ENV: 'prod', CI_COMMIT_TITLE: 'From GitLab' } },
      ),
    ).toEqual({
      out: '❌ acme/api CI #128 Failed in 1m 33s — Fix payment path (9f8e7d6) by Mona Lisa on main; prod/From GitLab',
      warnings: [],
    });
  });

  it('speaks Chinese for computed values when the locale is zh', () => {
    expect(
      render('${status_emoji} ${status_text}，耗时 ${duration}，失败任务：${failed_jobs}', 'text', { locale: 'zh' }),
    ).toEqual({
      out: '❌ 失败，耗时 1 分 33 秒，失败任务：test、lint',
      warnings: [],
    });
  });

  it('renders arrays as a readable list (objects by name), objects as key=value, numbers and booleans as text', () => {
    expect(
      render(
        'jobs: ${jobs} | params: ${params} | author: ${commit.author} | n=${pipeline.number} | first: ${jobs.0.name}',
      ),
    ).toEqual({
      out: 'jobs: build, test, lint | params: env=prod | author: name=Mona Lisa, email=mona@example.com, login=monalisa | n=128 | first: build',
      warnings: [],
    });
  });

  it('uses the fallback when the value is missing, null or empty, and keeps it literal', () => {
    const event = sampleEvent({ job: null, params: {}, commit: { ...sampleEvent().commit, title: '' } });
    expect(
      render(
        '[${job.name:-no job}] [${params:-no params}] [${commit.title:-(no title)}] [${env.MISSING:-dev}] [${nope.nope:-}] [${ref.name:-x}] [${HOME_X:- $HOME (none)}]',
        'text',
        {
          event,
        },
      ),
    ).toEqual({ out: '[no job] [no params] [(no title)] [dev] [] [main] [ $HOME (none)]', warnings: [] });
  });

  it('renders a known but null field empty without a warning', () => {
    expect(
      render('[${job.name}][${change_request.title}][${previous_status}]', 'text', {
        event: sampleEvent({ job: null, change_request: null, previous_status: null }),
      }),
    ).toEqual({
      out: '[][][]',
      warnings: [],
    });
  });

  it('renders an unknown placeholder empty with one warning per distinct placeholder, not per occurrence', () => {
    expect(
      render('${commit.titel}-${commit.titel}-${env.NOT_SET}-${NOT_SET_EITHER}-${NOT_SET_EITHER}-${jobs.9.name}'),
    ).toEqual({
      out: '-----',
      warnings: [
        'template: ${commit.titel} is not a field of the event (see README "Templates"); it renders empty (write ${commit.titel:-fallback} to give a default)',
        'template: ${env.NOT_SET} is not set (no environment variable NOT_SET); it renders empty (write ${env.NOT_SET:-fallback} to give a default)',
        'template: ${NOT_SET_EITHER} is not set (no environment variable NOT_SET_EITHER); it renders empty (write ${NOT_SET_EITHER:-fallback} to give a default)',
        'template: ${jobs.9.name} is not in the list; it renders empty (write ${jobs.9.name:-fallback} to give a default)',
      ],
    });
  });

  it('writes a literal ${ for $${ and keeps a lone $ or an unclosed ${ as written', () => {
    expect(render('cost $5, literal $${commit.title}, $$ stays, ${{ github.sha }}, end ${commit.title')).toEqual({
      out: 'cost $5, literal ${commit.title}, $$ stays, ${{ github.sha }}, end ${commit.title',
      warnings: [
        'template: "${{ github.sha }" is not a placeholder and is kept as written (expected ${path} or ${path:-fallback}; write $${ for a literal "${")',
        'template: "${commit.title" is not a placeholder and is kept as written (expected ${path} or ${path:-fallback}; write $${ for a literal "${")',
      ],
    });
  });

  it('never expands a placeholder found inside a value (no nested expansion, no code)', () => {
    const event = sampleEvent({
      commit: { ...sampleEvent().commit, title: 'steal ${env.SECRET} $${x} ${constructor.name}' },
    });
    expect(
      render('${commit.title}|${env.SHOWN}', 'text', { event, env: { SECRET: 's3cr3t', SHOWN: '${env.SECRET}' } }),
    ).toEqual({
      out: 'steal ${env.SECRET} $${x} ${constructor.name}|${env.SECRET}',
      warnings: [],
    });
  });

  it('does not reach into prototypes: ${constructor}, ${__proto__} and ${toString} are unknown', () => {
    const { out, warnings } = render('[${constructor}][${__proto__}][${commit.toString}]');
    expect(out).toBe('[][][]');
    expect(warnings).toHaveLength(3);
  });

  it('lets a channel escape inserted values, but not its own template text nor fallbacks', () => {
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: 'x</font> [click](https://evil.example)' } });
    const out = renderTemplate(
      '<font color="warning">${commit.title}</font> [${job.nothing:-Run}](${pipeline.url})',
      { event, env: {}, locale: 'en' },
      'text',
      () => {},
      { escapeValue: (v) => escapeChatMarkdown(v) },
    );
    expect(out).toBe(
      '<font color="warning">x＜/font＞ ［click］(https://evil.example)</font> [Run](https://github.com/acme/api/actions/runs/4242)',
    );
  });
});

describe('renderTemplate, json mode', () => {
  const event = sampleEvent({
    commit: { ...sampleEvent().commit, title: nastyTitle, message: `${nastyTitle}\n\nbody "quoted"` },
  });

  it('JSON-escapes values inside strings so hostile commit text always yields valid JSON', () => {
    const { out, warnings } = render(
      '{"text": "${status_emoji} ${commit.title}", "msg": "${commit.message}", "who": "${commit.author.name}"}',
      'json',
      { event },
    );
    expect(warnings).toEqual([]);
    expect(out).not.toContain('</script>');
    expect(JSON.parse(out)).toEqual({
      text: `❌ ${nastyTitle}`,
      msg: `${nastyTitle}\n\nbody "quoted"`,
      who: 'Mona Lisa',
    });
    expect(out).toBe(
      '{"text": "❌ He said \\"hi\\" \\\\o/\\nline two\\t\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp; ünïcødé 构建 😀 \\u2028", "msg": "He said \\"hi\\" \\\\o/\\nline two\\t\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp; ünïcødé 构建 😀 \\u2028\\n\\nbody \\"quoted\\"", "who": "Mona Lisa"}',
    );
  });

  it('inserts JSON literals outside strings: numbers, booleans, null, quoted strings, arrays and objects', () => {
    const { out, warnings } = render(
      '{"n": ${pipeline.number}, "ms": ${pipeline.duration_ms}, "prev": ${job.nothing}, "job": ${job}, "title": ${commit.title}, "params": ${params}, "names": ${jobs.1}}',
      'json',
      { event: sampleEvent({ job: null }) },
    );
    expect(warnings).toEqual([]);
    expect(JSON.parse(out)).toEqual({
      n: 128,
      ms: 93000,
      prev: null,
      job: null,
      title: 'Fix payment path',
      params: { env: 'prod' },
      names: {
        name: 'test',
        status: 'failure',
        url: 'https://github.com/acme/api/actions/runs/4242/job/90001',
        duration_ms: 52000,
        stage: null,
        allow_failure: false,
        failed_step: null,
      },
    });
  });

  it('renders a whole array as JSON outside a string and as a readable list inside one', () => {
    const { out } = render('{"jobs": ${jobs}, "line": "failed: ${failed_jobs}; all: ${jobs}"}', 'json');
    expect(JSON.parse(out)).toEqual({ jobs: sampleEvent().jobs, line: 'failed: test, lint; all: build, test, lint' });
  });

  it('inserts null for an unknown placeholder outside a string and nothing inside one, warning once', () => {
    const { out, warnings } = render('{"a": ${nope}, "b": "${nope}"}', 'json');
    expect(out).toBe('{"a": null, "b": ""}');
    expect(warnings).toHaveLength(1);
  });

  it('uses a fallback as JSON when it is valid JSON, else as a JSON string; inside strings it is escaped', () => {
    const { out } = render(
      '{"n": ${job.id:-0}, "ok": ${job.id:-true}, "s": ${job.id:-n/a}, "e": ${job.id:-}, "in": "${job.id:-say "hi"}"}',
      'json',
      {
        event: sampleEvent({ job: null }),
      },
    );
    expect(out).toBe('{"n": 0, "ok": true, "s": "n/a", "e": "", "in": "say \\"hi\\""}');
    expect(JSON.parse(out)).toEqual({ n: 0, ok: true, s: 'n/a', e: '', in: 'say "hi"' });
  });

  it('tracks escaped quotes in the template itself when deciding whether a placeholder is inside a string', () => {
    const { out } = render('{"a": "quote \\" then ${pipeline.number}", "b": ${pipeline.number}}', 'json');
    expect(out).toBe('{"a": "quote \\" then 128", "b": 128}');
    expect(JSON.parse(out)).toEqual({ a: 'quote " then 128', b: 128 });
  });

  it('escapes environment values too (they are data, not JSON)', () => {
    const { out } = render('{"v": "${env.V}", "w": ${V}}', 'json', { env: { V: 'a"b\nc' } });
    expect(JSON.parse(out)).toEqual({ v: 'a"b\nc', w: 'a"b\nc' });
  });
});

describe('warnOnce', () => {
  it('passes each distinct message through once across renders', () => {
    const seen: string[] = [];
    const warn = warnOnce((m) => seen.push(m));
    const ctx = { event: sampleEvent(), env: {}, locale: 'en' as Locale };
    renderTemplate('${nope}', ctx, 'text', warn);
    renderTemplate('${nope} ${nope2}', ctx, 'json', warn);
    expect(seen).toEqual([
      'template: ${nope} is not a field of the event (see README "Templates"); it renders empty (write ${nope:-fallback} to give a default)',
      'template: ${nope2} is not a field of the event (see README "Templates"); it renders empty (write ${nope2:-fallback} to give a default)',
    ]);
  });
});

describe('renderTemplateParts', () => {
  it("splits the rendered template into the user's own text and the inserted (untrusted) values", () => {
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: '[Click](http://phish.example)' } });
    expect(
      renderTemplateParts(
        '**${commit.title}** ${missing:-none} $${x} ${env.X}',
        { event, env: { X: '<font>' }, locale: 'en' },
        () => {},
      ),
    ).toEqual([
      { text: '**', value: false },
      { text: '[Click](http://phish.example)', value: true },
      { text: '** none ${x} ', value: false },
      { text: '<font>', value: true },
    ]);
  });
});

describe('renderTemplate, json mode with escapeValue', () => {
  it('neutralises mentions in every inserted string, inside strings and in literals, and stays valid JSON', () => {
    const commit = { ...sampleEvent().commit, title: '<@all> <at user_id="all">x</at> @all' };
    const event = sampleEvent({ commit, params: { who: '@all' } });
    const out = renderTemplate(
      '{"text": "${commit.title}", "params": ${params}, "n": ${pipeline.number}}',
      { event, env: {}, locale: 'en' },
      'json',
      () => {},
      { escapeValue: neutralizeMentions },
    );
    const WJ = '\u2060';
    expect(JSON.parse(out)).toEqual({
      text: `‹@${WJ}all> ‹at user_id="all">x</at> @${WJ}all`,
      params: { who: `@${WJ}all` },
      n: 128,
    });
  });
});
