/**
 * Who a run is about (`mention_people`): the head commit's author, the actor, the committers of the
 * push or merge request, the culprits since the last green run — each resolved through the people
 * map. A person the map does not know is named (their git name) and never mentioned; bots are never
 * selected; nothing from commit text ever becomes a person.
 */
import type { CiEvent, Contributors, Person, PersonRole, Provider } from '../event/types.js';
import { splitList } from '../inputs.js';
import { findPerson, type PeopleMap, type PersonEntry } from './map.js';

export const MENTION_PEOPLE_WORDS = ['author', 'actor', 'committers', 'culprits', 'none'] as const;
export type MentionPeopleWord = (typeof MENTION_PEOPLE_WORDS)[number];
export type PeopleWanted = Exclude<MentionPeopleWord, 'none'>;

const ROLE_OF: Record<PeopleWanted, PersonRole> = {
  author: 'author',
  actor: 'actor',
  committers: 'committer',
  culprits: 'culprit',
};

export interface SelectedPerson {
  /** The map's name, else the git name or login: one line, for messages and the log. */
  name: string;
  roles: PersonRole[];
  /** null: not in the people map — named, never mentioned. */
  entry: PersonEntry | null;
}

/**
 * Bots: GitHub Apps and their noreply addresses (`dependabot[bot]`, `github-actions[bot]`,
 * `renovate[bot]`, `49699333+dependabot[bot]@users.noreply.github.com`) and GitLab project and group
 * access-token users (`project_42_bot_…`, `group_7_bot_…`).
 */
export function isBot(who: Person): boolean {
  const values = [who.login, who.name, who.email?.split('@')[0]].filter((v): v is string => !!v);
  return values.some((v) => /\[bot\]$/i.test(v.trim()) || /^(?:project|group)_\d+_bot(?:_\w+)?$/i.test(v.trim()));
}

/** Parses `mention_people` words; unknown words are returned for the error message. */
export function parseMentionPeople(words: string[]): { wanted: PeopleWanted[]; unknown: string[] } {
  const unknown = words.filter((w) => !MENTION_PEOPLE_WORDS.includes(w as MentionPeopleWord));
  const wanted = words.filter(
    (w): w is PeopleWanted => w !== 'none' && MENTION_PEOPLE_WORDS.includes(w as MentionPeopleWord),
  );
  return { wanted: [...new Set(wanted)], unknown };
}

/** Whether a target's raw inputs ask for people (a channel may then have no fixed recipients). */
export function mentionsPeople(raw: Record<string, string>): boolean {
  return parseMentionPeople(splitList((raw.mention_people ?? '').toLowerCase())).wanted.length > 0;
}

export interface SelectionInput {
  event: CiEvent;
  contributors: Contributors | null;
  wanted: readonly PeopleWanted[];
  map: PeopleMap;
  /** One warning per run (the culprits fallback). */
  warn(message: string): void;
}

/**
 * The people for `wanted`, in order of first appearance (author, actor, committers, culprits), one
 * entry per person with every role that selected them. Culprits exist only on a red run.
 */
export function selectPeople(input: SelectionInput): SelectedPerson[] {
  const { event, contributors, wanted, map } = input;
  const found: Array<{ who: Person; role: PersonRole }> = [];
  const take = (people: Person[], role: PersonRole) => {
    for (const who of people) found.push({ who, role });
  };
  const author = event.commit.author ? [event.commit.author] : [];

  if (wanted.includes('author')) take(author, ROLE_OF.author);
  if (wanted.includes('actor') && event.actor) take([event.actor], ROLE_OF.actor);
  if (wanted.includes('committers')) take(contributors?.committers ?? author, ROLE_OF.committers);
  if (wanted.includes('culprits') && event.status === 'failure') {
    if (contributors?.culprits) take(contributors.culprits, ROLE_OF.culprits);
    else {
      const fallback = contributors?.committers ?? author;
      input.warn(
        `mention_people: culprits: ${contributors?.culprits_problem ?? 'the history of this branch could not be read'}; mentioning the ${contributors?.committers ? 'committers of this push' : 'author of the head commit'} instead`,
      );
      take(fallback, ROLE_OF.culprits);
    }
  }

  const people = new Map<string, SelectedPerson>();
  for (const { who, role } of found) {
    if (isBot(who)) continue;
    const entry = findPerson(map, who, event.provider as Provider);
    const key = entry ? `entry:${entry.index}` : identityKey(who);
    if (key === null) continue;
    const existing = people.get(key);
    if (existing) {
      if (!existing.roles.includes(role)) existing.roles.push(role);
      continue;
    }
    const name = displayName(entry?.name ?? who.name ?? who.login ?? entry?.github ?? entry?.gitlab ?? '');
    if (name === '') continue;
    people.set(key, { name, roles: [role], entry });
  }
  return [...people.values()];
}

/** A person not in the map is the same person across commits by e-mail, else login, else name. */
function identityKey(who: Person): string | null {
  const email = who.email?.trim().toLowerCase();
  if (email) return `email:${email}`;
  const login = who.login?.trim().toLowerCase();
  if (login) return `login:${login}`;
  const name = who.name?.trim().toLowerCase();
  return name ? `name:${name}` : null;
}

/**
 * Names are shown in messages and may be printed in the log, so they are one short line without
 * control characters (a git author name can hold anything). Channels still neutralise mentions in
 * them like any repository text.
 */
export function displayName(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters must not reach a log line
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 100)
  );
}
