// The engine wrapper against the real podman and the local images of scripts/local-images.sh
// (test/support/global-setup.ts makes sure they exist).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  detectEngine,
  exec,
  execStream,
  inspectImage,
  pull,
  removeContainer,
  startContainer,
  type Container,
  type Engine,
} from '../../src/builder/engine.ts';
import { UserError } from '../../src/errors.ts';

const BASE = 'localhost/trunkfarm/base:pg15-gnulinux-amd64';
const ARM_BASE = 'localhost/trunkfarm/base:pg17-gnulinux-arm64';

let engine: Engine;
let work: string;
const started: Container[] = [];

beforeAll(async () => {
  engine = await detectEngine();
  work = mkdtempSync(join(tmpdir(), 'tf-engine-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

afterEach(async () => {
  for (const c of started.splice(0)) await removeContainer(c);
});

function containerExists(id: string): boolean {
  return spawnSync('podman', ['container', 'exists', id]).status === 0;
}

async function start(opts: Parameters<typeof startContainer>[1]): Promise<Container> {
  const c = await startContainer(engine, opts);
  started.push(c);
  return c;
}

/** The containers this process started that the engine still has. */
function ourContainers(): string[] {
  return spawnSync('podman', ['ps', '-a', '--quiet', '--no-trunc', '--filter', `label=org.trunkfarm.pid=${process.pid}`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
}

describe('choosing the engine', () => {
  // The real docker client, pointed at a socket where no daemon listens.
  const noDaemon = { PATH: process.env.PATH, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };

  it('prefers podman, and docker inside GitHub Actions when its daemon answers', async () => {
    expect(engine.name).toBe('podman');
    expect((await detectEngine(undefined, noDaemon)).name).toBe('podman');
    // docker comes first on GitHub; without a daemon the choice falls back to podman.
    expect((await detectEngine(undefined, { ...noDaemon, GITHUB_ACTIONS: 'true' })).name).toBe('podman');
    expect((await detectEngine(undefined, { ...noDaemon, TRUNKFARM_ENGINE: 'podman' })).name).toBe('podman');
  });

  it('names the problem with an engine that cannot run', async () => {
    const err = await detectEngine('docker', noDaemon).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^container engine docker is not usable: .*(daemon|docker\.sock)/);
    const none = await detectEngine(undefined, { PATH: '/nonexistent' }).catch((e) => e);
    expect(none.message).toMatch(/^no container engine found \(podman: .*; docker: .*\)/);
  });

  it('rejects an unknown engine name as bad usage', async () => {
    const err = await detectEngine('rkt').catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('expected podman or docker');
  });
});

describe('images', () => {
  it('pulls nothing for a local image, and refuses to pull a missing localhost image', async () => {
    expect(await pull(engine, BASE)).toBe('local');
    await expect(pull(engine, 'localhost/trunkfarm/base:no-such-tag')).rejects.toThrow(/scripts\/local-images\.sh/);
  });

  it('inspects id, platform and the labels the images carry', async () => {
    const info = await inspectImage(engine, BASE);
    expect(info.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(info.os).toBe('linux');
    expect(info.arch).toBe('amd64');
    expect(info.labels['org.trunkfarm.pg']).toBe('15');
    expect(info.labels['org.trunkfarm.bindir']).toBe('/usr/lib/postgresql/15/bin');
    expect((await inspectImage(engine, ARM_BASE)).arch).toBe('arm64');
    await expect(inspectImage(engine, 'localhost/nope:nope')).rejects.toThrow(/cannot inspect image localhost\/nope:nope/);
  });
});

describe('containers', () => {
  it('runs commands with mounts, env, user and workdir; streams to the log and keeps the tail', async () => {
    const host = join(work, 'mounted');
    mkdirSync(host, { recursive: true });
    writeFileSync(join(host, 'input.txt'), 'from the host\n');
    const c = await start({
      image: BASE,
      mounts: [{ source: host, target: '/in', readonly: true }],
      env: { GREETING: 'hello world' },
      network: 'none',
    });
    expect(containerExists(c.id)).toBe(true);

    const live = new PassThrough();
    let streamed = '';
    live.on('data', (d: Buffer) => (streamed += d.toString()));
    const log = join(work, 'logs', 'step.log');
    const r = await exec(
      c,
      ['sh', '-c', 'cat /in/input.txt; echo "$GREETING from $(id -un) in $(pwd)"; for i in $(seq 1 50); do echo line $i; done; echo oops >&2; exit 3'],
      { log, live, tailLines: 5, user: 'postgres', workdir: '/tmp', env: { EXTRA: '1' } },
    );
    expect(r.code).toBe(3);
    expect(r.tail.split('\n')).toHaveLength(5);
    expect(r.tail).toMatch(/line 50/);
    expect(r.tail).toMatch(/oops/);
    expect(streamed).toContain('from the host');
    expect(streamed).toContain('hello world from postgres in /tmp');
    const logged = readFileSync(log, 'utf8');
    expect(logged).toContain('line 1\n');
    expect(logged).toContain('[exit 3]');

    // The mount is read-only.
    expect((await exec(c, ['sh', '-c', 'echo x > /in/new'], { live: null })).code).not.toBe(0);
  });

  it('kills a command that outlives its timeout', async () => {
    const c = await start({ image: BASE });
    const t0 = Date.now();
    const r = await exec(c, ['sleep', '30'], { timeoutMs: 500, live: null });
    expect(r.code).toBe(124);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('feeds stdin to a command', async () => {
    const c = await start({ image: BASE });
    let out = '';
    const live = new PassThrough().on('data', (d: Buffer) => (out += d.toString()));
    const r = await exec(c, ['tr', 'a-z', 'A-Z'], { stdin: 'shout\n', live });
    expect(r.code).toBe(0);
    expect(out).toBe('SHOUT\n');
  });

  it('mounts a fresh tmpfs that any user can write, and streams a command\'s standard output', async () => {
    const c = await start({ image: BASE, tmpfs: ['/scratch'] });
    const made = await exec(c, ['sh', '-c', 'printf data > /scratch/f && stat -c %U /scratch/f && grep -c " /scratch tmpfs " /proc/mounts'], { user: 'postgres', live: null });
    expect(made).toEqual({ code: 0, tail: 'postgres\n1' });
    const chunks: Buffer[] = [];
    for await (const chunk of execStream(c, ['cat', '/scratch/f'], { user: 'postgres' })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('data');
    // A failing command errors the stream rather than ending it short.
    await expect(
      (async () => {
        for await (const chunk of execStream(c, ['cat', '/scratch/missing'])) void chunk;
      })(),
    ).rejects.toThrow(/cannot run cat in/);
  });

  it('removes a container twice without complaint', async () => {
    const c = await startContainer(engine, { image: BASE });
    await removeContainer(c);
    await removeContainer(c);
    expect(containerExists(c.id)).toBe(false);
  });

  it('says which image could not be started', async () => {
    await expect(startContainer(engine, { image: BASE, command: ['/no/such/binary'] })).rejects.toThrow(
      /cannot start a container of localhost\/trunkfarm\/base:pg15-gnulinux-amd64/,
    );
    // The one that could not start is gone, not left behind half-made.
    expect(ourContainers()).toHaveLength(started.length);
  });

  it('refuses mount paths the engine would misread', async () => {
    await expect(startContainer(engine, { image: BASE, mounts: [{ source: 'relative', target: '/x' }] })).rejects.toThrow(
      /must be absolute/,
    );
    await expect(startContainer(engine, { image: BASE, mounts: [{ source: '/a:b', target: '/x' }] })).rejects.toThrow(
      /without ':'/,
    );
  });

  it('runs arm64 images under emulation with --platform', async () => {
    const c = await start({ image: ARM_BASE, platform: 'linux/arm64', network: 'host' });
    let out = '';
    const live = new PassThrough().on('data', (d: Buffer) => (out += d.toString()));
    expect((await exec(c, ['uname', '-m'], { live })).code).toBe(0);
    expect(out.trim()).toBe('aarch64');
  }, 120_000);

  it('opens a log group inside GitHub Actions', async () => {
    const c = await start({ image: BASE });
    const saved = process.env.GITHUB_ACTIONS;
    process.env.GITHUB_ACTIONS = 'true';
    try {
      let out = '';
      const live = new PassThrough().on('data', (d: Buffer) => (out += d.toString()));
      await exec(c, ['echo', 'inside'], { live, group: 'Build pgvector' });
      // The command's output sits between ::stop-commands::TOKEN and ::TOKEN::, so the runner
      // takes a workflow command in it as text.
      const m = /^::group::Build pgvector\n::stop-commands::([0-9a-f]{32})\ninside\n::([0-9a-f]{32})::\n::endgroup::\n$/.exec(out);
      expect(m, out).not.toBeNull();
      expect(m![2]).toBe(m![1]);
      // A partial last line still ends before the resume command, which must start a line.
      out = '';
      await exec(c, ['printf', '::error::injected'], { live });
      expect(out).toMatch(/^::stop-commands::([0-9a-f]{32})\n::error::injected\n::\1::\n$/);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_ACTIONS;
      else process.env.GITHUB_ACTIONS = saved;
    }
  });
});

describe('cleanup when the process ends', () => {
  const child = fileURLToPath(new URL('./fixtures/engine-child.ts', import.meta.url));

  function runChild(mode: string): Promise<{ id: string; proc: ReturnType<typeof spawn> }> {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, BASE, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve({ id: out.trim(), proc });
      });
      proc.on('exit', (code) => reject(new Error(`child exited early (${code}): ${out}`)));
    });
  }

  function exited(proc: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`removes live containers on ${signal} and dies of the signal`, async () => {
      const { id, proc } = await runChild('wait');
      expect(containerExists(id)).toBe(true);
      const done = exited(proc);
      proc.kill(signal);
      expect(await done).toEqual({ code: null, signal });
      expect(containerExists(id)).toBe(false);
    }, 60_000);
  }

  it('removes live containers when the process exits on an uncaught error', async () => {
    const { id, proc } = await runChild('throw');
    const done = exited(proc);
    expect((await done).code).toBe(1);
    expect(containerExists(id)).toBe(false);
  }, 60_000);
});
