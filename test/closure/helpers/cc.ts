// Compiles C snippets into real ELF files for the closure tests, cached by content: the same
// compiler, source, flags and inputs give the same file without running the compiler again.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { requireComponents } from '../../support/requirements.ts';

const CACHE = join(tmpdir(), 'trunkfarm-test-cc');

export interface CompileSpec {
  /** Compiler command (default gcc). */
  cc?: string;
  source: string;
  /** Output file name, e.g. `libfoo.so.1`. */
  name: string;
  /** Flags, e.g. `['-shared', '-fPIC', '-Wl,-soname,libfoo.so.1']`. */
  args?: string[];
  /** Files linked in (other compiled libraries): their DT_SONAME becomes a DT_NEEDED. */
  inputs?: string[];
}

const versions = new Map<string, string>();


/** Compiles and returns the path of the cached output. Treat it as read-only: copy it into a tree. */
export function compile(spec: CompileSpec): string {
  const cc = spec.cc ?? 'gcc';
  let version = versions.get(cc);
  if (version === undefined) {
    // A missing compiler fails the test with the command that installs it, never a skip.
    requireComponents([cc]);
    version = execFileSync(cc, ['--version']).toString();
    versions.set(cc, version);
  }
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ cc, version, source: spec.source, name: spec.name, args: spec.args ?? [] }));
  for (const input of spec.inputs ?? []) hash.update(readFileSync(input));
  const key = hash.digest('hex').slice(0, 24);
  const out = join(CACHE, key, spec.name);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, 'work-'));
  try {
    writeFileSync(join(work, 'src.c'), spec.source);
    const result = spawnSync(cc, [...(spec.args ?? []), '-o', join(work, spec.name), join(work, 'src.c'), ...(spec.inputs ?? [])], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cc} failed for ${spec.name}:\n${result.stderr}`);
    mkdirSync(dirname(out), { recursive: true });
    renameSync(join(work, spec.name), out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

/** Copies a compiled file into `dir` (created), writable, under `name` (default its own). */
export function place(file: string, dir: string, name = basename(file)): string {
  mkdirSync(dir, { recursive: true });
  const to = join(dir, name);
  copyFileSync(file, to);
  chmodSync(to, 0o755);
  return to;
}

/** A shared library: `-shared -fPIC` with a soname. */
export function sharedLib(name: string, source: string, options: { cc?: string; soname?: string; args?: string[]; inputs?: string[] } = {}): string {
  return compile({
    ...(options.cc !== undefined && { cc: options.cc }),
    source,
    name,
    args: ['-shared', '-fPIC', `-Wl,-soname,${options.soname ?? name}`, ...(options.args ?? [])],
    ...(options.inputs !== undefined && { inputs: options.inputs }),
  });
}

/** A small input file (a version script, a linker script) at a path that depends only on its
 * content, so compilations that name it stay cached. */
export function inputFile(name: string, content: string): string {
  const key = createHash('sha256').update(name).update('\0').update(content).digest('hex').slice(0, 24);
  const path = join(CACHE, 'inputs', key, name);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
  }
  return path;
}

/** readelf's view of a file, for comparing with the reader: dynamic tags and version needs. */
export function readelfFacts(file: string): { needed: string[]; soname?: string; rpath: string[]; runpath: string[]; textrel: boolean; verneed: Record<string, string[]>; verdef: string[] } {
  const d = execFileSync('readelf', ['-dW', file]).toString();
  const grab = (tag: string) => [...d.matchAll(new RegExp(`\\(${tag}\\)\\s+[^\\[]*\\[(.*)\\]`, 'g'))].map((m) => m[1] as string);
  const split = (v: string[]) => (v.length === 0 ? [] : (v[0] as string).split(':'));
  const soname = grab('SONAME')[0];
  const v = execFileSync('readelf', ['-VW', file]).toString();
  const verneed: Record<string, string[]> = {};
  const verdef: string[] = [];
  let file_: string | undefined;
  let section: 'need' | 'def' | undefined;
  for (const line of v.split('\n')) {
    if (line.startsWith("Version needs section")) section = 'need';
    else if (line.startsWith('Version definition section')) section = 'def';
    else if (line.startsWith('Version symbols section')) section = undefined;
    const fileMatch = /File: (\S+)/.exec(line);
    if (section === 'need' && fileMatch !== null) verneed[(file_ = fileMatch[1] as string)] = [];
    const nameMatch = /Name: (\S+)/.exec(line);
    if (section === 'need' && nameMatch !== null && file_ !== undefined && !fileMatch) verneed[file_]?.push(nameMatch[1] as string);
    if (section === 'def' && nameMatch !== null && !/Flags: BASE/.test(line) && /Rev:/.test(line)) verdef.push(nameMatch[1] as string);
  }
  return {
    needed: grab('NEEDED'),
    ...(soname !== undefined && { soname }),
    rpath: split(grab('RPATH')),
    runpath: split(grab('RUNPATH')),
    textrel: /\(TEXTREL\)|FLAGS\)\s+.*TEXTREL/.test(d),
    verneed,
    verdef,
  };
}

/** dlopen()s each argument as PostgreSQL loads a module, and prints the loader's verdict. */
export const LOADER = `#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    void *h = dlopen(argv[i], RTLD_NOW | RTLD_GLOBAL);
    if (!h) { printf("ERROR %s\\n", dlerror()); return 1; }
    int (*fn)(void) = (int (*)(void))dlsym(h, "fn");
    printf("OK %d\\n", fn ? fn() : -1);
  }
  return 0;
}`;
