import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { INPUTS, shownValue } from '../src/inputs.js';
import { VERSION } from '../src/version.js';

const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { description: string; default: string; required: boolean }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};

describe('the public inputs', () => {
  it('are declared in action.yml exactly as src/inputs.ts lists them, each with a description and a default', () => {
    expect(Object.keys(action.inputs)).toEqual(INPUTS.map((i) => i.name));
    for (const input of INPUTS) {
      const declared = action.inputs[input.name]!;
      expect(declared.description).toBe(input.description);
      expect(typeof declared.default).toBe('string');
      // Outside GitHub the defaults are the same, except those that only exist in a workflow.
      expect(declared.default.includes('${{') ? '' : declared.default).toBe(input.default);
    }
    expect(action.inputs.status!.default).toBe('${{ github.event.workflow_run.conclusion || job.status }}');
    expect(action.inputs.github_token!.default).toBe('${{ github.token }}');
  });

  it('are snake_case, so the same name works as a GitLab variable and a NOTIFY_ variable', () => {
    for (const { name } of INPUTS) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('declares the outputs and runs on node24 from dist/index.js', () => {
    expect(Object.keys(action.outputs)).toEqual(['results', 'delivered', 'failed', 'status', 'event', 'message_refs']);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('has every input in the README inputs table', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const { name } of INPUTS) expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });

  it('keeps src/version.ts in step with package.json', () => {
    expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});

describe('shownValue (how an error may show a value)', () => {
  it('quotes short plain words and e-mail addresses', () => {
    expect(['dingtlak', 'bob@', 'ann@example.com', 'fr', 'x y'].map((v) => shownValue(v))).toEqual([
      '"dingtlak"',
      '"bob@"',
      '"ann@example.com"',
      '"fr"',
      '"x y"',
    ]);
  });

  it('never shows a URL, a token-like run, a long value or one with unusual characters', () => {
    const hidden = [
      'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef',
      'smtp://user:pass@smtp.example.com',
      '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa',
      'SEC0123456789abcdef0123',
      'hunter2hunter2',
      'abcdefghijklmnopqrstuvwxyzab',
      'p4ss/w0rd',
      'x'.repeat(41),
    ];
    for (const value of hidden) {
      const shown = shownValue(value);
      expect(shown).toMatch(/^a (URL|value of \d+ characters) \(not shown/);
      expect(shown).not.toContain(value.slice(0, 6));
    }
  });
});
