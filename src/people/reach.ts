/**
 * How each channel reaches a person of the map. Robots mention through the target's own
 * `at_mobiles` / `at_user_ids` (people are ADDED to them before `channel.send`, so every channel
 * keeps its one mention mechanism); `email` and `lark_app` take people as recipients
 * (`Channel.addPeople`).
 */
import type { TargetSettings } from '../channels/types.js';
import type { PersonEntry } from './map.js';
import type { SelectedPerson } from './select.js';

/** The ids one robot channel mentions a person by, best first; the first one the person has is used. */
interface RobotIds {
  mobiles: Array<keyof PersonEntry>;
  userIds: Array<keyof PersonEntry>;
  /** Which of the two kinds is tried first. */
  prefer: 'mobile' | 'user_id';
}

/**
 * DingTalk: a mobile works for every group member (atMobiles + `@mobile` in the text, API_FACTS §A.3);
 * a userId only for members of the robot's organisation. WeCom: a userid mentions in markdown and
 * text, a mobile only in text (§B.3), so the userid goes first. Lark robots mention by open_id or
 * user_id only (§C.3): a person with only `lark_email` is named, not mentioned.
 */
const ROBOT_IDS: Record<string, RobotIds> = {
  dingtalk: { mobiles: ['dingtalk_mobile'], userIds: ['dingtalk_user_id'], prefer: 'mobile' },
  wecom: { mobiles: ['wecom_mobile'], userIds: ['wecom_user_id'], prefer: 'user_id' },
  lark: { mobiles: [], userIds: ['lark_open_id', 'lark_user_id'], prefer: 'user_id' },
};

/** Channels that reach a person as a recipient, and the fields that make them reachable there. */
const RECIPIENT_FIELDS: Record<string, Array<keyof PersonEntry>> = {
  lark_app: ['lark_open_id', 'lark_email'],
  email: ['email'],
};

/** The channel types that could reach this person (for `event.people[].reachable`). */
export function reachableChannels(entry: PersonEntry | null): string[] {
  if (!entry) return [];
  const has = (fields: Array<keyof PersonEntry>) => fields.some((f) => !!entry[f]);
  const out: string[] = [];
  for (const [channel, ids] of Object.entries(ROBOT_IDS)) if (has([...ids.mobiles, ...ids.userIds])) out.push(channel);
  for (const [channel, fields] of Object.entries(RECIPIENT_FIELDS)) if (has(fields)) out.push(channel);
  return out;
}

export interface RobotMentions {
  /** The target with the people's ids added to at_mobiles / at_user_ids. */
  target: TargetSettings;
  /** People mentioned (already in at_* or added). */
  mentioned: SelectedPerson[];
  /** People named but not mentioned: not in the map, or no id for this channel. */
  named: SelectedPerson[];
}

/**
 * Adds the people's ids for a robot channel to the target's at_* lists. A person whose id for this
 * channel is already there (written by hand in at_*) is mentioned once, not twice. For any other
 * channel the target is returned as it is.
 */
export function addRobotMentions(target: TargetSettings, people: SelectedPerson[]): RobotMentions {
  const ids = ROBOT_IDS[target.channel];
  if (!ids) return { target, mentioned: [], named: [] };
  const atMobiles = [...target.at_mobiles];
  const atUserIds = [...target.at_user_ids];
  const names: Record<string, string> = { ...target.at_names };
  const mentioned: SelectedPerson[] = [];
  const named: SelectedPerson[] = [];
  for (const person of people) {
    const entry = person.entry;
    const values = (fields: Array<keyof PersonEntry>) =>
      entry ? fields.map((f) => entry[f]).filter((v): v is string => typeof v === 'string' && v !== '') : [];
    const mobiles = values(ids.mobiles);
    const userIds = values(ids.userIds);
    if (mobiles.length === 0 && userIds.length === 0) {
      named.push(person);
      continue;
    }
    mentioned.push(person);
    if (mobiles.some((m) => atMobiles.includes(m)) || userIds.some((u) => atUserIds.includes(u))) continue;
    if ((ids.prefer === 'mobile' && mobiles.length) || userIds.length === 0) atMobiles.push(mobiles[0]!);
    else {
      atUserIds.push(userIds[0]!);
      names[userIds[0]!] = person.name;
    }
  }
  return {
    target: { ...target, at_mobiles: atMobiles, at_user_ids: atUserIds, at_names: names },
    mentioned,
    named,
  };
}
