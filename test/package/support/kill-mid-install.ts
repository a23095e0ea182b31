// Run as a separate process by the install tests: installs a trunk and kills itself with SIGKILL
// before the commit's rename number STEP, the way a power cut or an OOM kill would stop it.
//   tsx kill-mid-install.ts FILE PG_CONFIG STEP
import { installTrunk } from '../../../src/package/index.ts';

const [file, pgConfig, step] = process.argv.slice(2);
await installTrunk(file!, { pgConfig: pgConfig! }, {
  onCommitStep: (i) => {
    if (i === Number(step)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stderr.write('install finished: the kill did not happen\n');
process.exitCode = 3;
