/**
 * JUnit XML reporter for CI dashboards: one <testsuite> per check with findings, one
 * <testcase> per finding (a <failure>, or <skipped> when suppressed), and input errors as
 * <error> test cases in the "palisade/input" suite.
 */

import type { Finding, InputError, ScanResult } from '../model/types.js';
import { fileLine, qualifiedName, repoPath, resourceLabel, rulesWithFindings } from './common.js';

export const INPUT_SUITE = 'palisade/input';

/** Characters XML 1.0 does not allow at all (lone surrogates included). */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function stripInvalidXml(s: string): string {
  return s.replace(INVALID_XML, '');
}

/** Escape for element text. */
export function xmlText(s: string): string {
  return stripInvalidXml(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Escape for a double-quoted attribute value; whitespace is kept as character references. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function attrs(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  return pairs
    .filter((p): p is readonly [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

function failureText(f: Finding, file: string): string {
  const lines = [
    `${fileLine(file, f.line)}: ${f.message}`,
    `Resource: ${f.resource.kind} ${qualifiedName(f.resource)}`,
    `Path: ${f.path}`,
    `Severity: ${f.severity}`,
    `Remediation: ${f.remediation}`,
  ];
  if (f.refs && f.refs.length > 0) lines.push(`References: ${f.refs.join(' ')}`);
  return lines.join('\n');
}

function findingCase(f: Finding, cwd: string | undefined): string {
  const file = repoPath(f.resource.file, cwd);
  const open = `    <testcase${attrs([
    ['classname', resourceLabel(f.resource)],
    ['name', f.check],
    ['file', file],
    ['line', f.line > 0 ? f.line : undefined],
  ])}>`;
  let body: string;
  if (f.suppressed) {
    const reason = f.suppression?.reason ?? '';
    body = `      <skipped${attrs([['message', reason ? `suppressed: ${reason}` : 'suppressed']])}/>`;
  } else {
    body = `      <failure${attrs([['message', f.message], ['type', f.severity]])}>`
      + `${xmlText(failureText(f, file))}</failure>`;
  }
  return `${open}\n${body}\n    </testcase>`;
}

function errorCase(e: InputError, cwd: string | undefined): string {
  const file = repoPath(e.file, cwd);
  const open = `    <testcase${attrs([
    ['classname', INPUT_SUITE],
    ['name', fileLine(file, e.line)],
    ['file', file],
    ['line', e.line],
  ])}>`;
  const body = `      <error${attrs([['message', e.message], ['type', 'InputError']])}>`
    + `${xmlText(`${fileLine(file, e.line)}: ${e.message}`)}</error>`;
  return `${open}\n${body}\n    </testcase>`;
}

interface Counts { tests: number; failures: number; errors: number; skipped: number }

function suite(name: string, counts: Counts, cases: string[]): string {
  const open = `  <testsuite${attrs([
    ['name', name],
    ['tests', counts.tests],
    ['failures', counts.failures],
    ['errors', counts.errors],
    ['skipped', counts.skipped],
  ])}>`;
  return [open, ...cases, '  </testsuite>'].join('\n');
}

export function renderJunit(result: ScanResult, opts: { cwd?: string } = {}): string {
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites: string[] = [];

  for (const rule of rulesWithFindings(result)) {
    const findings = result.findings.filter((f) => f.check === rule.id);
    const counts: Counts = {
      tests: findings.length,
      failures: findings.filter((f) => !f.suppressed).length,
      errors: 0,
      skipped: findings.filter((f) => f.suppressed).length,
    };
    suites.push(suite(rule.id, counts, findings.map((f) => findingCase(f, opts.cwd))));
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.skipped += counts.skipped;
  }

  if (result.errors.length > 0) {
    const n = result.errors.length;
    suites.push(suite(INPUT_SUITE, { tests: n, failures: 0, errors: n, skipped: 0 },
      result.errors.map((e) => errorCase(e, opts.cwd))));
    total.tests += n;
    total.errors += n;
  }

  const head = `<testsuites${attrs([
    ['name', 'palisade'],
    ['tests', total.tests],
    ['failures', total.failures],
    ['errors', total.errors],
    ['skipped', total.skipped],
  ])}`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (suites.length === 0) lines.push(`${head}/>`);
  else lines.push(`${head}>`, ...suites, '</testsuites>');
  return lines.join('\n') + '\n';
}
