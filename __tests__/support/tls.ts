/**
 * A local certificate authority and a server certificate for 127.0.0.1 / localhost, made with
 * openssl (from Debian's openssl package, which .ci/run's machine has; a missing openssl fails the
 * tests that need it, it never skips them). The bundle trusts the CA through NODE_EXTRA_CA_CERTS,
 * as a runner with a corporate CA would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalCa {
  /** PEM files, for NODE_EXTRA_CA_CERTS and for servers. */
  caFile: string;
  ca: string;
  key: string;
  cert: string;
  /** A second, untrusted CA's certificate for the same names: for "certificate not trusted". */
  untrustedKey: string;
  untrustedCert: string;
}

let made: LocalCa | undefined;

export function localCa(): LocalCa {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'ci-notify-ca-'));
  const trusted = issue(dir, 'trusted');
  const untrusted = issue(dir, 'untrusted');
  made = {
    caFile: trusted.caFile,
    ca: readFileSync(trusted.caFile, 'utf8'),
    key: trusted.key,
    cert: trusted.cert,
    untrustedKey: untrusted.key,
    untrustedCert: untrusted.cert,
  };
  return made;
}

function issue(dir: string, name: string): { caFile: string; key: string; cert: string } {
  const file = (suffix: string) => join(dir, `${name}-${suffix}`);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=ci-notify test CA ${name}`,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    file('key.pem'),
    '-out',
    file('csr.pem'),
  );
  writeFileSync(file('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('csr.pem'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
    '-out',
    file('cert.pem'),
  );
  return {
    caFile: file('ca.pem'),
    key: readFileSync(file('key.pem'), 'utf8'),
    cert: readFileSync(file('cert.pem'), 'utf8'),
  };
}
