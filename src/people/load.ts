/**
 * Where the people map comes from: the `people` input as YAML/JSON text, or as a path to a file in
 * the workspace, else `.ci-notify/people.yml` when the repository has one. Read once per run, and
 * only when some target mentions people or the input is given.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { EMPTY_PEOPLE_MAP, validatePeople, type PeopleMap } from './map.js';

export const DEFAULT_PEOPLE_FILES = ['.ci-notify/people.yml', '.ci-notify/people.yaml'];

export interface LoadedPeople {
  map: PeopleMap;
  /** Where it came from, for messages ("the people input", ".ci-notify/people.yml"). */
  source: string | null;
  errors: string[];
}

export interface PeopleSourceDeps {
  /**
   * Directories a relative path is looked up in, first match wins: the workspace the CI names
   * (GITHUB_WORKSPACE, CI_PROJECT_DIR), then the directory the job runs in — a job starts in its
   * checkout, and CI_PROJECT_DIR can name a container path when the job ran without the container.
   */
  workspaces: string[];
  readFile?: (path: string) => Promise<string>;
  /** YAML's warnings (an unknown tag), without the text they quote; never to stderr raw. */
  warn?: (message: string) => void;
}

/** A one-line value without YAML/JSON structure is a path; anything else is the map itself. */
function looksLikePath(text: string): boolean {
  return !/[\r\n]/.test(text) && !/^[[{-]/.test(text) && !/:\s/.test(text) && /\.(ya?ml|json)$/i.test(text);
}

export async function loadPeople(input: string, deps: PeopleSourceDeps): Promise<LoadedPeople> {
  const read = deps.readFile ?? ((path: string) => readFile(path, 'utf8'));
  const text = input.trim();
  const dirs = [...new Set(deps.workspaces.filter(Boolean))];
  const readFirst = async (file: string): Promise<{ content: string | null; failure: string }> => {
    let failure = 'ENOENT';
    for (const path of isAbsolute(file) ? [file] : dirs.map((dir) => join(dir, file))) {
      try {
        return { content: await read(path), failure: '' };
      } catch (error) {
        failure = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      }
    }
    return { content: null, failure };
  };
  if (text === '') {
    for (const file of DEFAULT_PEOPLE_FILES) {
      const { content } = await readFirst(file);
      if (content !== null) return parsePeople(content, file, deps.warn);
    }
    return { map: EMPTY_PEOPLE_MAP, source: null, errors: [] };
  }
  if (!looksLikePath(text)) return parsePeople(text, 'the people input', deps.warn);
  const { content, failure } = await readFirst(text);
  if (content === null) {
    return {
      map: EMPTY_PEOPLE_MAP,
      source: text,
      errors: [
        `people: cannot read the file ${text.slice(0, 200)} (${failure}); give a path relative to the workspace, or the map itself as YAML`,
      ],
    };
  }
  return parsePeople(content, text.slice(0, 200), deps.warn);
}

/**
 * YAML (a superset of JSON). The parser's own messages quote the offending line, which may hold a
 * phone number, so only the position is reported — for warnings too: `yaml.parse` would hand them
 * to process.emitWarning, which prints their code frame to stderr past the redactor.
 */
async function parsePeople(
  text: string,
  source: string,
  warn: (message: string) => void = () => {},
): Promise<LoadedPeople> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const yaml = await import('yaml');
    const parsed = yaml.parseDocument(text, { prettyErrors: true });
    const at = (pos: { line: number; col: number } | undefined) =>
      pos ? ` (line ${pos.line}, column ${pos.col})` : '';
    if (parsed.errors[0]) {
      return {
        map: EMPTY_PEOPLE_MAP,
        source,
        errors: [`people (${source}): not valid YAML or JSON${at(parsed.errors[0].linePos?.[0])}`],
      };
    }
    for (const w of parsed.warnings) {
      // The message's first line without its position; the rest is a code frame quoting the text.
      const what = (w.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      warn(`people (${source}): ${what}${at(w.linePos?.[0])}; it is read as plain text`);
    }
    doc = parsed.toJS();
  }
  const { map, errors } = validatePeople(doc, source);
  return { map, source, errors };
}
