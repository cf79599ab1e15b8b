/**
 * E-mail and Lark app messages end to end: the built bundle run as a GitHub Actions step, a real
 * SMTP server with STARTTLS and AUTH (its self-signed certificate trusted through
 * NODE_EXTRA_CA_CERTS, as a private CA would be), and a stand-in of the Lark app API.
 */
import { simpleParser } from 'mailparser';
import { nodeBinaries, runAction } from './support/bundle.js';
import { startLarkAppServer } from './support/lark-app-server.js';
import { startSmtpServer } from './support/smtp.js';

const SMTP_PASSWORD = 'smtp-Pa55word!';
const APP_SECRET = 'lark-app-secret-0123456789';

function withoutMaskCommands(log: string): string {
  return log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

describe.each(nodeBinaries())('email and lark_app through the bundle ($label)', ({ path: node }) => {
  it('mails two people and one cc over STARTTLS and messages two Lark users through one app token', async () => {
    const smtp = await startSmtpServer({ users: { 'ci@example.com': SMTP_PASSWORD } });
    const lark = await startLarkAppServer({
      apps: { cli_test: APP_SECRET },
      users: { 'ann@example.com': 'ou_ann', 'bob@example.com': 'ou_bob' },
    });
    try {
      const channels = [
        {
          type: 'email',
          name: 'oncall',
          smtp_host: smtp.host,
          smtp_port: String(smtp.port),
          smtp_username: 'ci@example.com',
          smtp_password: 'env:SMTP_PASSWORD',
          from: 'CI <ci@example.com>',
          to: 'ann@example.com; bob@example.com',
          cc: 'lead@example.com',
        },
        {
          type: 'lark_app',
          name: 'people',
          app_id: 'cli_test',
          app_secret: 'env:APP_SECRET',
          domain: lark.url,
          receive_ids: 'ann@example.com, bob@example.com, nobody@example.com',
        },
      ];
      const run = await runAction({
        node,
        inputs: { channels: JSON.stringify(channels), status: 'failure' },
        env: { SMTP_PASSWORD, APP_SECRET, NODE_EXTRA_CA_CERTS: smtp.caFile },
      });
      const printed = withoutMaskCommands(run.stdout + run.stderr) + run.summary + (run.outputs.results ?? '');
      for (const secret of [SMTP_PASSWORD, APP_SECRET, encodeURIComponent(SMTP_PASSWORD)]) {
        expect(printed).not.toContain(secret);
      }
      expect(run.code).toBe(1); // the unknown receiver fails, alone

      const results = JSON.parse(run.outputs.results!) as Array<Record<string, unknown>>;
      expect(results.map((r) => [r.name, r.channel, r.ok])).toEqual([
        ['oncall', 'email', true],
        ['people → ann@example.com', 'lark_app', true],
        ['people → bob@example.com', 'lark_app', true],
        ['people → nobody@example.com', 'lark_app', false],
      ]);
      expect(results[3]!.error).toMatch(/230013/);

      expect(smtp.received).toHaveLength(1);
      const mail = smtp.received[0]!;
      expect(mail.secure).toBe(true);
      expect(mail.user).toBe('ci@example.com');
      expect(mail.envelope).toEqual({
        from: 'ci@example.com',
        to: ['ann@example.com', 'bob@example.com', 'lead@example.com'],
      });
      const parsed = await simpleParser(mail.raw);
      expect(parsed.subject).toBe('❌ acme/api · main · CI #128 failed');
      expect(parsed.text).toContain('https://github.com/acme/api/actions/runs/4242');
      expect(parsed.html).toContain('href="https://github.com/acme/api/actions/runs/4242"');

      expect(lark.tokenCalls()).toBe(1);
      expect(lark.received.map((m) => [m.receive_id_type, m.receive_id, m.msg_type])).toEqual([
        ['email', 'ann@example.com', 'interactive'],
        ['email', 'bob@example.com', 'interactive'],
      ]);
    } finally {
      await Promise.all([smtp.close(), lark.close()]);
    }
  });

  it('fails a wrong SMTP password with an authentication hint and prints the password nowhere', async () => {
    const smtp = await startSmtpServer({ users: { 'ci@example.com': SMTP_PASSWORD } });
    try {
      const wrong = 'not-the-Password-42';
      const run = await runAction({
        node,
        inputs: {
          channel: 'email',
          smtp_url: `smtp://ci%40example.com:${encodeURIComponent(wrong)}@${smtp.host}:${smtp.port}`,
          from: 'ci@example.com',
          to: 'ann@example.com',
          status: 'failure',
        },
        env: { NODE_EXTRA_CA_CERTS: smtp.caFile },
      });
      expect(run.code).toBe(1);
      const [result] = JSON.parse(run.outputs.results!) as Array<{ ok: boolean; error: string; attempts: number }>;
      expect(result!.ok).toBe(false);
      expect(result!.error).toMatch(/authentication failed.*check smtp_username\/smtp_password/);
      const printed = withoutMaskCommands(run.stdout + run.stderr) + run.summary + run.outputs.results!;
      for (const form of [wrong, encodeURIComponent(wrong), Buffer.from(wrong).toString('base64')]) {
        expect(printed).not.toContain(form);
      }
      expect(smtp.received).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });
});
