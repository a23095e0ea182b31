// A Docker engine for the tests that run builds through `docker`: Debian's dockerd, started for one
// test file with a socket, data and state of its own (so it neither needs nor touches a system
// daemon), no iptables, no bridge (containers use the host's network, as the builds ask), and the
// vfs storage driver (no overlay mounts needed); stopped and removed afterwards. Images go in from
// podman's store: `podman save | docker load`.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { requireComponents } from './requirements.ts';

export interface DockerDaemon {
  /** `unix:///.../docker.sock`: DOCKER_HOST for the docker CLI. */
  host: string;
  /** The environment the docker CLI talks to this daemon with. */
  env: NodeJS.ProcessEnv;
  /** Loads images from podman's store. */
  load(images: string[]): void;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDocker(): Promise<DockerDaemon> {
  requireComponents(['dockerd', 'docker', 'podman'], []);
  // Under /var/tmp: vfs keeps a full copy of each image layer and container, too big for a tmpfs.
  const dir = await mkdtemp('/var/tmp/trunkfarm-dockerd-');
  const socket = path.join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const log = path.join(dir, 'dockerd.log');
  const child: ChildProcess = spawn(
    'dockerd',
    [
      `--host=${host}`,
      `--data-root=${path.join(dir, 'data')}`,
      `--exec-root=${path.join(dir, 'exec')}`,
      `--pidfile=${path.join(dir, 'dockerd.pid')}`,
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--storage-driver=vfs',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: false },
  );
  const out = createWriteStream(log);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const env = { ...process.env, DOCKER_HOST: host };
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `dockerd exited (${code ?? signal})`));
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`${exited}; its log:\n${await readFile(log, 'utf8')}`);
    try {
      execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, stdio: 'ignore' });
      break;
    } catch {
      if (i > 120) throw new Error(`dockerd did not answer on ${host} within a minute; its log:\n${await readFile(log, 'utf8')}`);
      await sleep(500);
    }
  }
  return {
    host,
    env,
    load(images) {
      for (const image of images) execFileSync('sh', ['-c', 'podman save --format docker-archive "$1" | docker load --quiet', 'sh', image], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    },
    logs: () => readFile(log, 'utf8').catch(() => ''),
    async stop() {
      if (!exited) {
        // Containers first (a test that failed may have left some), then the daemon.
        try {
          const ids = execFileSync('docker', ['ps', '-aq'], { env, encoding: 'utf8' }).split('\n').filter(Boolean);
          if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { env, stdio: 'ignore' });
        } catch {
          // the daemon is going anyway
        }
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, sleep(30_000).then(() => child.kill('SIGKILL'))]);
      }
      // dockerd leaves its network namespace mounted under exec-root: unmount what is left there,
      // deepest first, before removing the directory.
      const mounts = (await readFile('/proc/self/mounts', 'utf8'))
        .split('\n')
        .map((line) => line.split(' ')[1] ?? '')
        .filter((m) => m.startsWith(`${dir}/`))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) execFileSync('umount', [m], { stdio: 'ignore' });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
