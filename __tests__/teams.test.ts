import { teams, teamsOptions, TEAMS_ACCEPTED_NOTE } from '../src/channels/teams.js';
import { sampleEvent } from './support/fixtures.js';
import { chatChannelHarness, optionIssues, COMMIT, FAILED, JOB1, JOB2, RUN } from './support/chat-channel.js';
import { startTeamsServer, TEAMS_MAX_BYTES, type TeamsServer } from './support/teams-server.js';

/** What broke, as a list (each failed job linked). */
const JOBS_EN = {
  type: 'TextBlock',
  text: `**2 of 3 jobs failed**\n\n- [test](${JOB1})\n- [lint](${JOB2})`,
  wrap: true,
};

/** The other facts as the card's table. */
const FACTS_EN = [
  { title: 'Commit', value: `[9f8e7d6](${COMMIT}) Fix payment path` },
  { title: 'Author', value: 'Mona Lisa' },
  { title: 'Triggered by', value: 'push' },
  { title: 'Duration', value: '1m 33s' },
  { title: 'Params', value: 'env=prod' },
];

function payload(body: unknown[], options: { action?: string | null; entities?: unknown[] } = {}) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(options.action !== null
            ? { actions: [{ type: 'Action.OpenUrl', title: options.action ?? 'View run', url: RUN }] }
            : {}),
          msteams: { width: 'Full', ...(options.entities ? { entities: options.entities } : {}) },
        },
      },
    ],
  };
}

const title = (text: string, color: string) => ({
  type: 'TextBlock',
  text,
  wrap: true,
  weight: 'Bolder',
  size: 'Medium',
  color,
});

let server: TeamsServer;
const chat = chatChannelHarness(teams, startTeamsServer);
const send = chat.send;
async function start() {
  server = await chat.start();
}

describe('teams options', () => {
  it('takes any http(s) Workflows URL (no host pattern) and names url when it is missing or wrong', () => {
    const url = 'https://prod-00.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x';
    expect(teamsOptions.parse({ url })).toEqual({ url });
    const powerPlatform =
      'https://default0.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/x';
    expect(teamsOptions.parse({ url: powerPlatform })).toEqual({ url: powerPlatform });
    const issues = (raw: Record<string, string>) => optionIssues(teamsOptions, raw);
    expect(issues({})).toEqual([
      'url: missing; give the URL of a Teams Workflows webhook (Teams: channel ⋯ → Workflows → "Post to a channel when a webhook request is received")',
    ]);
    expect(issues({ url: 'prod-00.logic.azure.com/workflows/x?sig=secret' })).toEqual([
      'url: expected the https:// URL of the Workflows webhook, copied whole (with its sig= parameter)',
    ]);
  });
});

describe('teams', () => {
  it('posts the whole default failure card and says that 202 only means queued', async () => {
    await start();
    const { result, log } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 1, error: null, status_code: 202 });
    expect(result.message_ref).toBeUndefined();
    expect(server.requests[0]!.json).toEqual(
      payload([title(FAILED, 'Attention'), JOBS_EN, { type: 'FactSet', facts: FACTS_EN }]),
    );
    expect(server.posted).toHaveLength(1);
    expect(server.failedRuns).toEqual([]);
    expect(log.lines).toContainEqual({ level: 'info', message: `http: ${TEAMS_ACCEPTED_NOTE}` });
  });

  it('posts the success card in Chinese, green', async () => {
    await start();
    const event = sampleEvent({ status: 'success', transition: 'unchanged', jobs: [] });
    await send({ url: server.url }, { event, target: { locale: 'zh' } });
    expect(server.requests[0]!.json).toEqual(
      payload(
        [
          title('✅ acme/api · main · CI #128 成功', 'Good'),
          {
            type: 'FactSet',
            facts: [
              { title: '提交', value: `[9f8e7d6](${COMMIT}) Fix payment path` },
              { title: '作者', value: 'Mona Lisa' },
              { title: '触发', value: '推送' },
              { title: '耗时', value: '1 分 33 秒' },
              { title: '参数', value: 'env=prod' },
            ],
          },
        ],
        { action: '查看详情' },
      ),
    );
  });

  it.each([
    [
      'a wrong signature',
      (url: string) => url.replace(/sig=[^&]+/, 'sig=WRONGSIGNATURE'),
      401,
      "Teams Workflows error DirectApiInvalidAuthorizationSignature: The provided authorization signature is not valid. (HTTP 401) — the sig= of url is wrong (the URL was regenerated?): copy it again from the flow's trigger",
    ],
    [
      'a URL without its signature',
      (url: string) => url.replace(/&sig=[^&]+/, ''),
      401,
      "Teams Workflows error DirectApiAuthorizationRequired: The request must be authenticated only by Shared Access scheme. (HTTP 401) — url must be the whole Workflows URL, with its sig= parameter: copy it again from the flow's trigger",
    ],
    [
      'a deleted flow',
      (url: string) => url.replace(/workflows\/[0-9a-f]+/, 'workflows/0123456789abcdef0123456789abcdef'),
      404,
      // The workflow id of the URL given is part of the secret URL: redacted even when Teams quotes it.
      "Teams Workflows error WorkflowNotFound: The workflow '***' could not be found. (HTTP 404) — the flow was deleted, or url is wrong",
    ],
  ])('fails %s once with the error named and a hint', async (_what, wrong, status, error) => {
    await start();
    const { result, sleeps, log } = await send({ url: wrong(server.url) });
    expect({ ok: result.ok, attempts: result.attempts, status: result.status_code, error: result.error }).toEqual({
      ok: false,
      attempts: 1,
      status,
      error,
    });
    expect(sleeps).toEqual([]);
    expect(log.text()).not.toContain(server.signature);
  });

  it('fails a flow that is turned off with the hint to turn it on', async () => {
    await start();
    server.disable();
    const { result } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: false, attempts: 1, status_code: 409 });
    expect(result.error).toMatch(
      /^Teams Workflows error WorkflowTriggerIsNotEnabled: .* \(HTTP 409\) — the flow is turned off \(or suspended by a policy\): turn it on in Power Automate$/,
    );
  });

  it('honours 429 Retry-After and posts exactly once', async () => {
    await start();
    server.rateLimitNext(2);
    const { result, sleeps } = await send({ url: server.url });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(sleeps).toEqual([2000, 2000]);
    expect(server.posted).toHaveLength(1);
  });

  it('keeps the card within ~28 KB, cutting a template value on a character boundary with the marker', async () => {
    await start();
    // 15,000 `*` become 45,000 bytes of look-alikes (∗): over the limit only after escaping.
    const message = `${'💥'.repeat(500)}\n${'*'.repeat(15_000)}`;
    const event = sampleEvent({ commit: { ...sampleEvent().commit, message } });
    const { result, log } = await send(
      { url: server.url },
      { event, target: { template: '**Notes**\n${commit.message}' } },
    );
    expect(result.ok).toBe(true);
    const bytes = Buffer.byteLength(server.requests[0]!.body);
    expect(bytes).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(bytes).toBeGreaterThan(TEAMS_MAX_BYTES - 100);
    const card = server.posted[0]!.card as { body: { text?: string }[] };
    expect(card.body[1]!.text).toMatch(/^\*\*Notes\*\*\n(💥){500}\n∗+…\(truncated\)$/);
    expect(log.text()).toContain("message truncated to fit Teams' ~28 KB card limit");
  });

  it('keeps <at> tags and markdown in commit text inert: only the card entities mention', async () => {
    await start();
    const hostile = '<at>Everyone</at> **bold** [x](https://evil.example) _it_ {{DATE(2026-12-01T10:00:00Z)}}';
    const event = sampleEvent({ commit: { ...sampleEvent().commit, title: hostile } });
    await send({ url: server.url }, { event, target: { fields: ['commit'], at_user_ids: ['ann@contoso.com'] } });
    const escaped =
      '‹at>Everyone‹/at> ∗∗bold∗∗ ［x］(https://evil.example) ＿it＿ {\u2060{DATE(2026-12-01T10:00:00Z)}}';
    expect(server.requests[0]!.json).toEqual(
      payload(
        [
          title(FAILED, 'Attention'),
          { type: 'FactSet', facts: [{ title: 'Commit', value: `[9f8e7d6](${COMMIT}) ${escaped}` }] },
          { type: 'TextBlock', text: '<at>ann@contoso.com</at>', wrap: true },
        ],
        {
          action: null,
          entities: [
            {
              type: 'mention',
              text: '<at>ann@contoso.com</at>',
              mentioned: { id: 'ann@contoso.com', name: 'ann@contoso.com' },
            },
          ],
        },
      ),
    );
    expect(server.posted[0]!.mentions).toEqual(['ann@contoso.com']);
    expect(server.failedRuns).toEqual([]);
  });

  it("keeps <at> tags in the user's own template inert, its markdown and links live", async () => {
    await start();
    const template = '**Deploy** <at>ann@contoso.com</at> @channel [runbook](https://ops.example): ${commit.title}';
    await send({ url: server.url }, { target: { template } });
    expect(server.requests[0]!.json).toEqual(
      payload([
        title(FAILED, 'Attention'),
        {
          type: 'TextBlock',
          text: '**Deploy** ‹at>ann@\u2060contoso.com</at> @\u2060channel [runbook](https://ops.example): Fix payment path',
          wrap: true,
        },
      ]),
    );
    expect(server.posted[0]!.mentions).toEqual([]);
  });

  it('mentions users by UPN or Entra id with <at> and msteams.entities, and says at_all cannot work', async () => {
    await start();
    const { log } = await send(
      { url: server.url },
      {
        target: {
          fields: ['link'],
          at_user_ids: ['ann@contoso.com', '0f3c9a2b-1d4e-4f5a-8b6c-7d8e9f0a1b2c', '<script>'],
          at_all: true,
        },
      },
    );
    expect(server.posted[0]!.mentions).toEqual(['ann@contoso.com', '0f3c9a2b-1d4e-4f5a-8b6c-7d8e9f0a1b2c']);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'at_user_ids: "<script>" not a Teams user (UPN such as ann@contoso.com, or an Entra object id)',
      },
      { level: 'warn', message: 'at_all: a Teams webhook card cannot mention everyone; ignored' },
    ]);
  });

  it('warns about a retired Office 365 connector URL and reads its HTTP 200 error text as a failure', async () => {
    const { startChatServer } = await import('./support/chat-server.js');
    const legacy = await startChatServer(() => ({
      body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 410',
    }));
    chat.closeAfterTest(legacy.close);
    const { result } = await send({ url: `${legacy.origin}/webhookb2/abc/IncomingWebhook/def` });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/^Teams: Webhook message delivery failed .* — Office 365 connectors are retired/);
  });
});
