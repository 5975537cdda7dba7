/**
 * One fresh process of the catalogue benchmark (see measureInProcesses): measures loading
 * alone and loading + the cks profile on a corpus already written, and prints the
 * measurement as one JSON line.
 *
 *   node dist/perf/catalogue-child.js <corpus> <dir> <runs> <warm-up pairs>
 */
import { measureCorpus } from './catalogue.js';

const [path, dir, runs, warmUpPairs] = process.argv.slice(2);
if (!path || !dir) {
  process.stderr.write('usage: catalogue-child.js <corpus> <dir> <runs> <warm-up pairs>\n');
  process.exit(2);
}
const m = await measureCorpus(path, dir, Number(runs), Number(warmUpPairs));
process.stdout.write(`${JSON.stringify(m)}\n`);
