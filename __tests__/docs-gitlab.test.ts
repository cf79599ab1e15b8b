/**
 * Every GitLab snippet in the docs that includes the component must use only inputs that
 * templates/notify.yml declares, with values of the declared type (GitLab rejects `at_mobiles:
 * 13800000000` for a string input), and the component version of this package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = process.cwd();
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface InputSpec {
  type?: 'string' | 'boolean' | 'number' | 'array';
  default?: unknown;
}

function componentInputs(): Record<string, InputSpec> {
  const [header] = parseAllDocuments(readFileSync(join(ROOT, 'templates', 'notify.yml'), 'utf8'));
  const spec = (header?.toJS() as { spec?: { inputs?: Record<string, InputSpec | null> } } | undefined)?.spec?.inputs;
  if (!spec) throw new Error('templates/notify.yml has no spec:inputs header');
  return Object.fromEntries(Object.entries(spec).map(([name, s]) => [name, s ?? {}]));
}

interface Snippet {
  file: string;
  index: number;
  text: string;
}

function yamlSnippets(file: string): Snippet[] {
  const path = join(ROOT, file);
  if (!existsSync(path)) return [];
  const blocks = [...readFileSync(path, 'utf8').matchAll(/^```ya?ml[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');
  return blocks
    .map((text, index) => ({ file, index: index + 1, text }))
    .filter((s) => s.text.includes('component:') || s.text.includes('templates/notify.yml'));
}

interface Include {
  component?: string;
  local?: string;
  inputs?: Record<string, unknown>;
}

function componentIncludes(text: string): Include[] {
  const doc = parse(text) as { include?: unknown } | null;
  const raw = doc?.include;
  const entries = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return entries.filter(
    (e): e is Include =>
      typeof e === 'object' &&
      e !== null &&
      (typeof (e as Include).component === 'string' || (e as Include).local === 'templates/notify.yml'),
  );
}

/** What is wrong with one include, as readable lines. */
function problems(include: Include, declared: Record<string, InputSpec>): string[] {
  const found: string[] = [];
  if (
    include.component !== undefined &&
    !new RegExp(`/notify@${VERSION.replace(/\./g, '\\.')}$`).test(include.component)
  ) {
    found.push(`component "${include.component}" is not .../notify@${VERSION}`);
  }
  for (const [name, value] of Object.entries(include.inputs ?? {})) {
    const spec = declared[name];
    if (!spec) {
      found.push(`input "${name}" is not declared in templates/notify.yml`);
      continue;
    }
    const type = spec.type ?? 'string';
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== type) found.push(`input "${name}" is a ${actual}, the component declares ${type}`);
  }
  return found;
}

describe('GitLab snippets in the docs', () => {
  const declared = componentInputs();
  const snippets = yamlSnippets('README.md');

  it('finds the component snippets of the README (so the checks below are not vacuous)', () => {
    expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThanOrEqual(3);
  });

  it('uses only inputs templates/notify.yml declares, with the declared types, at this version', () => {
    const report = snippets.flatMap((s) => {
      const includes = componentIncludes(s.text);
      if (includes.length === 0) return [`${s.file} yaml block ${s.index}: mentions the component but includes none`];
      return includes.flatMap((inc) => problems(inc, declared).map((p) => `${s.file} yaml block ${s.index}: ${p}`));
    });
    expect(report).toEqual([]);
  });

  it('reports an undeclared input, a wrongly typed value and another version', () => {
    const include = parse(
      [
        'component: gitlab.com/ci-notify/ci-notify/notify@0.9.0',
        'inputs:',
        '  url: https://x',
        '  at_mobiles: 13800000000',
        '  dry_run: true',
      ].join('\n'),
    ) as Include;
    expect(problems(include, declared)).toEqual([
      `component "gitlab.com/ci-notify/ci-notify/notify@0.9.0" is not .../notify@${VERSION}`,
      'input "url" is not declared in templates/notify.yml',
      'input "at_mobiles" is a number, the component declares string',
    ]);
  });

  it('declares no secret as an input: secrets come from masked NOTIFY_* variables', () => {
    const secrets = ['url', 'secret', 'password', 'token', 'app_secret', 'smtp_password', 'smtp_url', 'github_token'];
    expect(Object.keys(declared).filter((name) => secrets.includes(name))).toEqual([]);
  });
});
