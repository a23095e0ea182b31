// The closure step: every ELF file of the stage checked against the base image's libraries, and
// what the base lacks bundled from the builder (closure.json records the verdict).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleTree, type CheckResult, type Inventory } from '../../closure/index.ts';
import type { JobContext } from '../context.ts';
import type { Container } from '../engine.ts';
import { imageInventory } from '../inventory.ts';
import { containerLibraries } from '../libraries.ts';
import { StepError } from '../step-runner.ts';
import type { ChosenImage } from './images.ts';

export interface ClosureOutput {
  checked: CheckResult;
  /** The base image's libraries. */
  inventory: Inventory;
}

export function closureStep(ctx: JobContext, builder: Container, base: ChosenImage): Promise<ClosureOutput> {
  return ctx.steps.run('closure', async (logFile) => {
    const inventory = await imageInventory(ctx.engine, base.ref, ctx.platform.libc, base.info.id);
    const checked = await bundleTree(ctx.paths.stage, {
      inventory,
      platform: { libc: ctx.platform.libc, arch: ctx.platform.arch },
      source: containerLibraries(builder, ctx.paths.bundle, logFile),
    });
    await writeFile(path.join(ctx.paths.dir, 'closure.json'), `${JSON.stringify(checked, null, 2)}\n`);
    ctx.result.closure = {
      ok: checked.ok,
      bundled: checked.bundled,
      data: checked.data,
      problems: checked.files.flatMap((f) => f.problems.map((p) => ({ file: f.path, message: p.message }))),
    };
    if (!checked.ok) {
      const problems = checked.files.flatMap((f) => f.problems.filter((p) => p.severity === 'error').map((p) => `${f.path}: ${p.message}`));
      throw new StepError('closure', `the closure check found problems:\n  ${problems.join('\n  ')}`);
    }
    return { checked, inventory };
  });
}
