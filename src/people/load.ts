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
  /** Workspace directory that relative paths are read from (GITHUB_WORKSPACE, CI_PROJECT_DIR, cwd). */
  workspace: string;
  readFile?: (path: string) => Promise<string>;
}

/** A one-line value without YAML/JSON structure is a path; anything else is the map itself. */
function looksLikePath(text: string): boolean {
  return !/[\r\n]/.test(text) && !/^[[{-]/.test(text) && !/:\s/.test(text) && /\.(ya?ml|json)$/i.test(text);
}

export async function loadPeople(input: string, deps: PeopleSourceDeps): Promise<LoadedPeople> {
  const read = deps.readFile ?? ((path: string) => readFile(path, 'utf8'));
  const text = input.trim();
  if (text === '') {
    for (const file of DEFAULT_PEOPLE_FILES) {
      const content = await read(join(deps.workspace, file)).catch(() => null);
      if (content !== null) return parsePeople(content, file);
    }
    return { map: EMPTY_PEOPLE_MAP, source: null, errors: [] };
  }
  if (!looksLikePath(text)) return parsePeople(text, 'the people input');
  const path = isAbsolute(text) ? text : join(deps.workspace, text);
  const content = await read(path).catch(() => null);
  if (content === null) {
    return {
      map: EMPTY_PEOPLE_MAP,
      source: text,
      errors: [
        `people: cannot read the file ${text.slice(0, 200)} (a path relative to the workspace, or the map itself as YAML)`,
      ],
    };
  }
  return parsePeople(content, text.slice(0, 200));
}

/**
 * YAML (a superset of JSON). The parser's own messages quote the offending line, which may hold a
 * phone number, so only the position is reported.
 */
async function parsePeople(text: string, source: string): Promise<LoadedPeople> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const yaml = await import('yaml');
    try {
      doc = yaml.parse(text, { prettyErrors: true });
    } catch (err) {
      const pos = (err as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
      return {
        map: EMPTY_PEOPLE_MAP,
        source,
        errors: [`people (${source}): not valid YAML or JSON${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}`],
      };
    }
  }
  const { map, errors } = validatePeople(doc, source);
  return { map, source, errors };
}
