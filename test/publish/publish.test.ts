// `trunkfarm publish` on output directories made here (no container build): what each index entry
// links to, its workflow run (`provenance.runUrl`) and its build log (`logUrl`), inside GitHub
// Actions and with `--github-release`, where each job's step logs become one release asset; and the
// job summary with whole digests. GitHub's API is the loopback stand-in (test/support/
// github-standin.ts) driven by the real octokit client; the site renders the links it gets.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIndex } from '../../src/publish/index.ts';
import { workflowRun } from '../../src/publish/publish.ts';
import { buildSite, slug } from '../../src/site/index.ts';
import type { Arch, IndexEntry } from '../../src/types.ts';
import { runCli } from '../support/cli.ts';
import { type GitHubStandin, startGitHubStandin } from '../support/github-standin.ts';
import { writeFakeJob } from './fake-out.ts';

const RUN = 'https://github.example/farm/packages/actions/runs/4242';
const BUILT = 'pgvector-0.8.0+pg17-gnulinux-amd64';
const FAILED = 'pgvector-0.8.0+pg17-gnulinux-arm64';
const ALONE = 'broken-1.0.0+pg17-gnulinux-amd64';

let temp: string;
let out: string;
let standin: GitHubStandin | undefined;

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'trunkfarm-publish-links-'));
  out = path.join(temp, 'out');
  await job(BUILT, 'built');
  await job(FAILED, 'failed');
  await job(ALONE, 'failed');
});
afterEach(async () => {
  await standin?.close();
  standin = undefined;
  await rm(temp, { recursive: true, force: true });
});

/** A job's output directory as `trunkfarm build` leaves it (fake-out.ts), with step logs: the
 * source's, the compile's, and for a built job a test step whose log is gone. */
async function job(name: string, status: 'built' | 'failed'): Promise<void> {
  const [, extension, version, arch] = /^(.+)-(\d+\.\d+\.\d+)\+pg17-gnulinux-(amd64|arm64)$/.exec(name)!;
  const { dir, result } = await writeFakeJob(out, { extension: extension!, version: version!, arch: arch as Arch, status });
  await mkdir(path.join(dir, 'logs'));
  await writeFile(path.join(dir, 'logs/source.log'), `fetched ${extension} ${version}\n`);
  await writeFile(path.join(dir, 'logs/compile.log'), status === 'built' ? 'cc -o vector.so\n' : 'make: *** [all] Error 2');
  result.steps = [
    { name: 'source', status: 'ok', seconds: 1, log: 'logs/source.log' },
    { name: 'compile', status: status === 'built' ? 'ok' : 'failed', seconds: 2, log: 'logs/compile.log' },
    // A step whose log is gone is left out of the combined log.
    ...(status === 'built' ? [{ name: 'test', status: 'ok' as const, seconds: 1, log: 'logs/test.log' }] : []),
  ];
  await writeFile(path.join(dir, 'result.json'), JSON.stringify(result));
}

async function entries(): Promise<Map<string, IndexEntry>> {
  const index = parseIndex(await readFile(path.join(out, 'index.json'), 'utf8'), 'index.json');
  return new Map(index.entries.map((e) => [`${e.extension}-${e.version}+${e.platform}`, e]));
}

describe('workflowRun', () => {
  it('is the run\'s page, and its attempt\'s for the logs, from the runner\'s variables', () => {
    const env = { GITHUB_SERVER_URL: 'https://github.example/', GITHUB_REPOSITORY: 'farm/packages', GITHUB_RUN_ID: '4242' };
    expect(workflowRun({ ...env, GITHUB_RUN_ATTEMPT: '2' })).toEqual({ runUrl: RUN, logUrl: `${RUN}/attempts/2` });
    expect(workflowRun(env)).toEqual({ runUrl: RUN, logUrl: RUN });
    expect(workflowRun({ GITHUB_REPOSITORY: 'farm/packages', GITHUB_RUN_ID: '7' })?.runUrl).toBe('https://github.com/farm/packages/actions/runs/7');
    expect(workflowRun({ GITHUB_REPOSITORY: 'farm/packages' })).toBeUndefined();
  });
});

describe('trunkfarm publish: run and log links', () => {
  it('inside Actions with --github-release: each job\'s log is a release asset its entry links to; the run is linked too', async () => {
    standin = await startGitHubStandin();
    const summary = path.join(temp, 'summary');
    const output = path.join(temp, 'output');
    await writeFile(summary, '');
    await writeFile(output, '');
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_API_URL: standin.apiUrl,
      GITHUB_TOKEN: standin.token,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'farm/packages',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
    };
    const args = ['publish', out, '--unsigned', '--github-release', 'farm/packages', '--oci-layout', path.join(temp, 'layouts')];
    const r = await runCli(args, env);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(0);

    // The release of pgvector 0.8.0 holds its trunk and the logs of both its jobs, failed one included.
    const release = standin.release('farm', 'packages', 'pgvector-v0.8.0')!;
    expect(release.assets.map((a) => a.name).sort()).toEqual([`${BUILT}.log`, `${BUILT}.trunk`, `${FAILED}.log`]);
    const log = release.assets.find((a) => a.name === `${BUILT}.log`)!;
    expect(log.bytes.toString()).toBe('==> source (ok)\nfetched pgvector 0.8.0\n==> compile (ok)\ncc -o vector.so\n');
    expect(log.contentType).toMatch(/^text\/plain/);
    expect(release.assets.find((a) => a.name === `${FAILED}.log`)!.bytes.toString()).toBe('==> source (ok)\nfetched pgvector 0.8.0\n==> compile (failed)\nmake: *** [all] Error 2\n');
    // A version with no built job gets no release.
    expect(standin.release('farm', 'packages', 'broken-v1.0.0')).toBeUndefined();

    const byJob = await entries();
    const assetUrl = (name: string) => `${standin!.apiUrl}/farm/packages/releases/download/pgvector-v0.8.0/${encodeURIComponent(name)}`;
    expect(byJob.get(BUILT)).toMatchObject({ status: 'built', isa: 'x86-64', provenance: { runUrl: RUN }, logUrl: assetUrl(`${BUILT}.log`) });
    expect(byJob.get(FAILED)).toMatchObject({ status: 'failed', provenance: { runUrl: RUN }, logUrl: assetUrl(`${FAILED}.log`) });
    // Without a release, the log is the workflow run's attempt, whose jobs built it.
    expect(byJob.get(ALONE)).toMatchObject({ status: 'failed', provenance: { runUrl: RUN }, logUrl: `${RUN}/attempts/2` });

    // The summary gives whole digests: the trunk's and the image's.
    const text = await readFile(summary, 'utf8');
    for (const h of ['TRUNK DIGEST', 'IMAGE DIGEST']) expect(text).toContain(`<th>${h}</th>`);
    expect(text).toContain(`<td>sha256:${byJob.get(BUILT)!.trunk!.sha256}</td>`);
    expect(text).toContain(`<td>${byJob.get(BUILT)!.oci!.digest}</td>`);
    expect(byJob.get(BUILT)!.oci!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    // The status page links each artifact page to its log and its run.
    const site = path.join(temp, 'site');
    await buildSite({ index: path.join(out, 'index.json'), out: site });
    for (const [name, e] of byJob) {
      const page = await readFile(path.join(site, 'ext', slug(e.extension), `${e.platform}.html`), 'utf8');
      expect(page, name).toContain(`href="${e.logUrl!.replace(/&/g, '&amp;')}"`);
      expect(page, name).toContain(`href="${RUN}"`);
    }

    // Publishing again sends nothing: the combined logs are the same bytes.
    const again = await runCli(args, env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^0 bytes uploaded/m);
  });

  it('outside Actions and without a release, links neither a run nor a log', async () => {
    const r = await runCli(['publish', out, '--unsigned'], { GITHUB_ACTIONS: undefined, GITHUB_RUN_ID: undefined, GITHUB_REPOSITORY: undefined });
    expect(r.code, r.stderr).toBe(0);
    for (const e of (await entries()).values()) {
      expect(e.logUrl).toBeUndefined();
      expect(e.provenance.runUrl).toBeUndefined();
    }
  });
});
