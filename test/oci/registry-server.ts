// Starts and stops Debian's docker-registry (distribution 2.x) on loopback for tests: storage in a
// temporary directory, a free port, and optionally htpasswd (Basic) or token authentication.
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';

export const REGISTRY_BINARY = process.env.TRUNKFARM_DOCKER_REGISTRY ?? '/usr/bin/docker-registry';

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the certificate the token server signs with. */
  rootCertBundle: string;
}

export interface RegistryServerOptions {
  /** htpasswd users (bcrypt hashes are made with the `htpasswd` tool). */
  users?: Record<string, string>;
  token?: TokenAuthConfig;
  /** Storage directory to reuse (e.g. to restart a registry on the same data). */
  root?: string;
  /** Allow deleting manifests (default true; false answers 405 UNSUPPORTED, as some registries do). */
  delete?: boolean;
}

export interface RegistryServer {
  /** `127.0.0.1:PORT`, the registry part of a reference. */
  host: string;
  port: number;
  root: string;
  /** What the registry printed (its log file), for failing tests; empty once stopped. */
  logs(): string;
  stop(): Promise<void>;
}

export function requireBinary(file: string, packageName: string): void {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`${file} is missing: these tests need Debian's ${packageName} package (apt-get install ${packageName}); npm run setup installs it`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function htpasswd(users: Record<string, string>): string {
  requireBinary('/usr/bin/htpasswd', 'apache2-utils');
  return Object.entries(users)
    .map(([user, password]) => execFileSync('/usr/bin/htpasswd', ['-nbB', user, password], { encoding: 'utf8' }).trim())
    .join('\n');
}

export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  requireBinary(REGISTRY_BINARY, 'docker-registry');
  const work = await mkdtemp(path.join(tmpdir(), 'trunkfarm-registry-'));
  const root = options.root ?? path.join(work, 'data');
  const port = await freePort();
  let auth = '';
  if (options.users) {
    const file = path.join(work, 'htpasswd');
    await writeFile(file, `${htpasswd(options.users)}\n`);
    auth = `auth:\n  htpasswd:\n    realm: trunkfarm-test\n    path: ${file}\n`;
  } else if (options.token) {
    const t = options.token;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCertBundle}\n`;
  }
  const config = `version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${root}
  delete:
    enabled: ${options.delete ?? true}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: trunkfarm-test-secret
${auth}`;
  const configFile = path.join(work, 'config.yml');
  await writeFile(configFile, config);

  // The registry logs to a file, not a pipe: a test that blocks its event loop (execFileSync of
  // skopeo) would stop draining a pipe, and a registry whose log pipe is full stops answering.
  const logFile = path.join(work, 'registry.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', configFile], { stdio: ['ignore', log, log] });
  closeSync(log);
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(work, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const text = readLog();
      await stop();
      throw new Error(`docker-registry exited with status ${child.exitCode} before serving:\n${text}`);
    }
    const status = await new Promise<number>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/v2/', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200 || status === 401) break;
    if (Date.now() > deadline) {
      const text = readLog();
      await stop();
      throw new Error(`docker-registry did not answer on 127.0.0.1:${port} within 15 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host: `127.0.0.1:${port}`, port, root, logs: readLog, stop };
}
