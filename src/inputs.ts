/**
 * Every public input (DESIGN §5): action inputs, GitLab component inputs, NOTIFY_<NAME> variables,
 * CLI flags and keys of each `channels` entry. action.yml must declare exactly these (a test checks).
 */

export interface InputSpec {
  name: string;
  description: string;
  /** Default outside GitHub (the action's defaults come from action.yml). */
  default: string;
  secret: boolean;
}

export const INPUTS: readonly InputSpec[] = [
  {
    name: 'channel',
    description:
      'Target type for one target: dingtalk, wecom, lark, lark_app, email, webhook, jenkins, slack, teams, discord, telegram, google_chat or mattermost. Use `channels` for several targets.',
    default: '',
    secret: false,
  },
  {
    name: 'channels',
    description:
      'YAML or JSON list of targets, each {type, name?, ...any per-target input}. String values may be `env:NAME`.',
    default: '',
    secret: false,
  },
  {
    name: 'status',
    description:
      'Outcome to report: success, failure, cancelled, skipped, ... (GitHub, GitLab, Jenkins and Flow spellings are accepted).',
    default: '',
    secret: false,
  },
  {
    name: 'notify_on',
    description:
      'When to notify: always, success, failure, cancelled, skipped, changed, fixed, regressed, still_failing (comma/space/newline separated).',
    default: 'always',
    secret: false,
  },
  {
    name: 'mention_on',
    description: 'When to add the @-mentions (same words as notify_on).',
    default: 'always',
    secret: false,
  },
  {
    name: 'title',
    description:
      'Title template, e.g. "${status_emoji} ${repository.full_name} ${status_text}". Default: the platform-native title.',
    default: '',
    secret: false,
  },
  {
    name: 'template',
    description:
      'Body template. For msg_type customize and the webhook format template it is the raw request body (values JSON-escaped).',
    default: '',
    secret: false,
  },
  {
    name: 'msg_type',
    description:
      'Message type of the platform (dingtalk: actionCard, markdown, text, link, feedCard, customize; wecom: markdown, text, markdown_v2, template_card, news, customize; lark: interactive, text, post, customize).',
    default: '',
    secret: false,
  },
  {
    name: 'fields',
    description:
      'Facts to show: repository, pipeline, ref, commit, author, duration, trigger, jobs, params, link. Default: all the event has.',
    default: '',
    secret: false,
  },
  { name: 'locale', description: 'Language of the default message: en or zh.', default: 'en', secret: false },
  {
    name: 'params',
    description: 'Extra key=value lines, shown in the message and sent in the event as params.',
    default: '',
    secret: false,
  },
  {
    name: 'url',
    description:
      'Webhook URL (treated as a secret): of the robot, Slack incoming webhook, Teams Workflows, Discord, Google Chat or Mattermost webhook. For dingtalk, wecom and lark the bare access token / key / hook id works too.',
    default: '',
    secret: true,
  },
  {
    name: 'secret',
    description: 'Signing secret: DingTalk SEC..., Lark signature secret, or the webhook HMAC key.',
    default: '',
    secret: true,
  },
  {
    name: 'keyword',
    description: 'DingTalk/Lark custom keyword; guaranteed to appear in the message.',
    default: '',
    secret: false,
  },
  {
    name: 'at_mobiles',
    description: 'Mobile numbers to @-mention (dingtalk, wecom), separated by comma, semicolon or whitespace.',
    default: '',
    secret: false,
  },
  {
    name: 'at_user_ids',
    description:
      'User ids to @-mention (dingtalk userId, wecom userid, lark open_id/user_id, slack U…/S… ids, teams UPN or Entra id, discord user ids, telegram user ids or @usernames, google_chat users/…, mattermost usernames).',
    default: '',
    secret: false,
  },
  { name: 'at_all', description: 'Mention everyone (true/false).', default: 'false', secret: false },
  {
    name: 'people',
    description:
      'The people map (YAML or JSON text, or a path to a file in the workspace): identities (emails, github, gitlab, name) and how to reach each person (dingtalk_mobile, dingtalk_user_id, wecom_user_id, wecom_mobile, lark_open_id, lark_user_id, lark_email, email). Default: .ci-notify/people.yml when it exists.',
    default: '',
    secret: false,
  },
  {
    name: 'mention_people',
    description:
      'Whom to mention besides at_*: author, actor, committers, culprits (authors since the last successful run; failures only) or none. Follows mention_on.',
    default: 'none',
    secret: false,
  },
  {
    name: 'email_people',
    description: "email: whether the mentioned people's e-mail goes to `to` or `cc`.",
    default: 'to',
    secret: false,
  },
  { name: 'method', description: 'webhook: POST, PUT or GET.', default: 'POST', secret: false },
  {
    name: 'headers',
    description: 'webhook: extra request headers, one "Name: value" per line; a value may be env:NAME (then a secret).',
    default: '',
    secret: false,
  },
  { name: 'username', description: 'webhook: basic-auth user name.', default: '', secret: false },
  { name: 'password', description: 'webhook: basic-auth password.', default: '', secret: true },
  {
    name: 'format',
    description:
      'webhook body: json (the event), cdevents (CDEvents 0.5.1 pipelinerun event, CloudEvents binary mode), flow (Alibaba Cloud Flow task status), zadig (Zadig workflow notification) or template.',
    default: 'json',
    secret: false,
  },
  {
    name: 'signature',
    description:
      'webhook signature when secret is set: sha256 (X-Hub-Signature-256), sha1 (X-Hub-Signature) or standard (Standard Webhooks).',
    default: 'sha256',
    secret: false,
  },
  {
    name: 'token',
    description:
      'jenkins: the Generic Webhook Trigger token (sent as a bearer token). slack: a bot token (xoxb-…) for chat.postMessage. telegram: the bot token from @BotFather.',
    default: '',
    secret: true,
  },
  {
    name: 'build_args',
    description: 'jenkins: JSON object merged into the request body at the top level.',
    default: '',
    secret: false,
  },
  {
    name: 'query',
    description: 'jenkins: extra query string appended to the URL (e.g. "cause=ci-notify").',
    default: '',
    secret: false,
  },
  {
    name: 'smtp_url',
    description:
      'email: smtp://user:pass@host:587 or smtps://user:pass@host:465 (a secret). Or use smtp_host and friends.',
    default: '',
    secret: true,
  },
  { name: 'smtp_host', description: 'email: SMTP server host.', default: '', secret: false },
  {
    name: 'smtp_port',
    description: 'email: SMTP port (default 587, or 465 with smtp_secure).',
    default: '',
    secret: false,
  },
  {
    name: 'smtp_secure',
    description:
      'email: implicit TLS (true/false; default true for port 465). STARTTLS is used whenever the server offers it.',
    default: '',
    secret: false,
  },
  { name: 'smtp_username', description: 'email: SMTP user name.', default: '', secret: false },
  { name: 'smtp_password', description: 'email: SMTP password.', default: '', secret: true },
  { name: 'from', description: 'email: sender address, e.g. "CI <ci@example.com>".', default: '', secret: false },
  { name: 'to', description: 'email: recipients (comma, semicolon or newline separated).', default: '', secret: false },
  { name: 'cc', description: 'email: cc recipients.', default: '', secret: false },
  { name: 'bcc', description: 'email: bcc recipients.', default: '', secret: false },
  { name: 'app_id', description: 'lark_app: the self-built app id (cli_...).', default: '', secret: false },
  { name: 'app_secret', description: 'lark_app: the app secret.', default: '', secret: true },
  {
    name: 'receive_id_type',
    description: 'lark_app: open_id, user_id, union_id, email or chat_id.',
    default: 'email',
    secret: false,
  },
  {
    name: 'receive_ids',
    description: 'lark_app: receivers (comma, semicolon or newline separated); each is its own delivery.',
    default: '',
    secret: false,
  },
  { name: 'domain', description: 'lark_app: feishu, lark or a base URL.', default: 'feishu', secret: false },
  {
    name: 'channel_id',
    description:
      'slack (with token): the channel ID (C…), where chat.postMessage posts; the bot must be in the channel.',
    default: '',
    secret: false,
  },
  {
    name: 'chat_id',
    description:
      'telegram: the chat to post in: a numeric id (groups are negative, e.g. -1001234567890) or @channelusername.',
    default: '',
    secret: false,
  },
  {
    name: 'message_thread_id',
    description: 'telegram: the forum topic (thread) id to post in.',
    default: '',
    secret: false,
  },
  {
    name: 'thread_key',
    description:
      'google_chat: posts into the thread with this key (a new thread the first time); e.g. ${pipeline.id} keeps one thread per run.',
    default: '',
    secret: false,
  },
  {
    name: 'api_url',
    description:
      'slack (with token) and telegram: the API base URL (default https://slack.com/api, https://api.telegram.org), for a self-hosted Bot API server or a gateway.',
    default: '',
    secret: false,
  },
  {
    name: 'display_name',
    description: 'mattermost: the name the post shows (when the server allows integrations to override it).',
    default: '',
    secret: false,
  },
  {
    name: 'icon_url',
    description: 'mattermost: the profile picture URL of the post (when the server allows it).',
    default: '',
    secret: false,
  },
  {
    name: 'channel_name',
    description:
      "mattermost: post to this channel (its name, e.g. town-square, or @username) instead of the webhook's own.",
    default: '',
    secret: false,
  },
  {
    name: 'update',
    description:
      'The message_refs output of an earlier step or job: slack (token), discord, telegram and lark_app edit that message instead of posting a new one.',
    default: '',
    secret: false,
  },
  {
    name: 'dry_run',
    description: 'Render and print (redacted) what would be sent; send nothing.',
    default: 'false',
    secret: false,
  },
  {
    name: 'fail_on_error',
    description: 'Fail the step when any target could not be delivered (after every target was tried).',
    default: 'true',
    secret: false,
  },
  { name: 'timeout', description: 'Per-request timeout in seconds.', default: '10', secret: false },
  {
    name: 'retries',
    description: 'Retries on transient failures (network errors, 408, 429, 5xx, platform rate limits).',
    default: '3',
    secret: false,
  },
  {
    name: 'github_token',
    description: 'Token for the GitHub API (jobs of the run, previous status for notify_on changed/fixed).',
    default: '',
    secret: true,
  },
  {
    name: 'gitlab_token',
    description:
      'GitLab only: a token with read_api (set NOTIFY_GITLAB_TOKEN) for the jobs of the pipeline and the previous pipeline (notify_on changed/fixed); CI_JOB_TOKEN is tried first where GitLab allows it.',
    default: '',
    secret: true,
  },
  {
    name: 'needs',
    description: 'Pass ${{ toJSON(needs) }} for a workflow-level report of the jobs this one needs.',
    default: '',
    secret: false,
  },
];

export const INPUT_NAMES: ReadonlySet<string> = new Set(INPUTS.map((i) => i.name));
export const SECRET_INPUTS: ReadonlySet<string> = new Set(INPUTS.filter((i) => i.secret).map((i) => i.name));

/** A list input (`at_mobiles`, `receive_ids`, `notify_on`, …): split on commas, semicolons and whitespace. */
export function splitList(text: string, separators: RegExp = /[\s,;]+/): string[] {
  return text
    .split(separators)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A boolean input: true/yes/on/1 or false/no/off/0 ('' is false); null for anything else. */
export function parseBoolean(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'y', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'n', 'off', '0', ''].includes(v)) return false;
  return null;
}

/**
 * Built on first use, like every \p{…} class in src/: in a regex literal it costs V8 an ICU
 * table lookup when the file is parsed (~7 M instructions each, measured with callgrind), whether
 * or not the line ever runs.
 */
let plainText: RegExp | undefined;

/**
 * A value as an error message may show it: quoted when it is short and plainly not a credential
 * (a misspelt channel, a bad e-mail address), else only its shape. A value in the wrong input — a
 * webhook URL in `channel`, an SMTP URL with a password in `smtp_host`, a token in `to` — is
 * exactly what a user pastes by mistake, and the error must not print it (DESIGN §7).
 */
export function shownValue(value: string, max = 40): string {
  const v = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'a URL (not shown)';
  const plain = (plainText ??= new RegExp('^[\\p{L}\\p{N} ._@+-]*$', 'u')).test(v);
  // A long run of letters and digits together is how keys, tokens and passwords look.
  const tokenLike = (v.match(/[A-Za-z0-9_-]{12,}/g) ?? []).some(
    (run) => run.length >= 24 || (/\d/.test(run) && /[A-Za-z]/.test(run)),
  );
  if (v.length <= max && plain && !tokenLike) return `"${v}"`;
  return `a value of ${v.length} characters (not shown: it may be a secret)`;
}
