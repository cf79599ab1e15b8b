/**
 * A robot or webhook URL that redirects (a moved endpoint, a login page in front of it), through
 * the bundle: the redirect is never followed (the body and its signature were made for the URL
 * given, and a Location may point anywhere), nothing is retried, and every channel's error says
 * what to fix — the URL redirects, use the final one — whatever the platform's own reading says.
 */
import { nodeBinaries, runAction } from './support/bundle.js';
import { startReceiver, type Receiver } from './support/receiver.js';

/** Each HTTP chat channel with a URL of its shape on the redirecting stand-in. */
const TARGETS: Array<[string, (origin: string) => Record<string, string>]> = [
  ['slack', (o) => ({ url: `${o}/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX` })],
  ['discord', (o) => ({ url: `${o}/api/webhooks/123456789012345678/tokenTOKENtokenTOKEN` })],
  ['teams', (o) => ({ url: `${o}/workflows/abc/triggers/manual/paths/invoke?sig=s1g` })],
  ['google_chat', (o) => ({ url: `${o}/v1/spaces/AAAA/messages?key=k3y&token=t0ken` })],
  ['mattermost', (o) => ({ url: `${o}/hooks/xxxgeneratedkeyxxx` })],
  ['webhook', (o) => ({ url: `${o}/hook` })],
];

describe.each(nodeBinaries())('a URL that redirects, through the bundle ($label)', ({ path: node }) => {
  let moved: Receiver;
  let elsewhere: Receiver;
  beforeEach(async () => {
    elsewhere = await startReceiver();
    moved = await startReceiver({
      handler: () => ({
        status: 302,
        headers: { Location: `${elsewhere.origin}/login` },
        body: '<a href="/login">Found</a>',
      }),
    });
  });
  afterEach(async () => {
    await Promise.all([moved.close(), elsewhere.close()]);
  });

  it.each(TARGETS)(
    '%s: not followed, not retried, and the error says to use the final URL',
    async (channel, inputs) => {
      const run = await runAction({
        node,
        inputs: { status: 'failure', channel, timeout: '5', retries: '2', ...inputs(moved.origin) },
      });
      expect(run.code).toBe(1);
      expect(moved.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
      const [result] = JSON.parse(run.outputs.results!) as Array<{ ok: boolean; status_code: number; error: string }>;
      expect(result).toMatchObject({ ok: false, status_code: 302, attempts: 1 });
      expect(result!.error).toMatch(/HTTP 302 .* — the URL redirects; use the final URL$/);
    },
  );
});
