#!/usr/bin/env node
// Writes examples/audit/cluster-day.jsonl: a day of a small cluster's audit log (one event a
// minute of ordinary traffic) with the attack sequence described in src/perf/audit-corpus.ts.
// Run after `npm run build`; a test keeps the committed file in sync with the generator.
import { writeFileSync } from 'node:fs';
import { auditDayText } from '../dist/perf/audit-corpus.js';

writeFileSync(new URL('../examples/audit/cluster-day.jsonl', import.meta.url), auditDayText());
