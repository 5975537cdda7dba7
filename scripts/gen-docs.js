#!/usr/bin/env node
// Writes docs/checks.md from the check definitions (run by `npm run docs`).
import { writeFileSync } from 'node:fs';
import { catalogueMarkdown } from '../dist/checks/catalogue/index.js';

writeFileSync(new URL('../docs/checks.md', import.meta.url), catalogueMarkdown());
console.log('wrote docs/checks.md');
