import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy } from './compile.js';
import { fieldString, type FieldError } from './field.js';
import { binding, policy } from './testkit.js';
import { validateBindingObject, validatePolicyObject } from './validate.js';
import type { JsonObject } from './types.js';

const lines = (errs: FieldError[]): string[] => errs.map((e) => `${fieldString(e.path)}: ${e.message}`);
const policyErrors = (p: JsonObject): string[] => lines(validatePolicyObject(p).errors);
const compileErrors = (p: JsonObject): string[] => lines(compilePolicy(p).errors);

test('a well-formed policy and binding have no errors', () => {
  const p = policy('ok.example.com', { validations: [{ expression: 'true' }] });
  assert.deepEqual(policyErrors(p), []);
  assert.deepEqual(compileErrors(p), []);
  assert.deepEqual(lines(validateBindingObject(binding('b', 'ok.example.com')).errors), []);
});

test('policy structure errors read like kube-apiserver', () => {
  assert.deepEqual(policyErrors(policy('Bad_Name', {
    failurePolicy: 'Sometimes',
    validations: [{ expression: ' ', reason: 'Teapot', message: 'two\nlines' }],
    matchConditions: [{ name: 'a', expression: 'true' }, { name: 'a', expression: 'true' }],
    variables: [{ name: 'in', expression: '1' }],
  })), [
    "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    'spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
    'spec.matchConditions[1].name: Duplicate value: "a"',
    'spec.variables[0].name: Invalid value: "in": name is not a valid CEL identifier',
    'spec.validations[0].expression: Required value: expression is not specified',
    'spec.validations[0].message: Invalid value: "two\\nlines": message must not contain line breaks',
    'spec.validations[0].reason: Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"',
  ]);
  assert.deepEqual(policyErrors({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec: {} }), [
    'spec.matchConstraints: Required value',
    'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
    'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
  ]);
});

test('resource rules: wildcards, operations, subresource combinations', () => {
  const p = policy('p', {
    validations: [{ expression: 'true' }],
    matchConstraints: {
      resourceRules: [
        { apiGroups: ['*', 'apps'], apiVersions: [], operations: ['CREATE', 'PATCH'], resources: ['*', 'pods'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['*'], resources: ['pods/*', 'pods/log'], scope: 'Everywhere' },
      ],
      namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }, { key: 'b', operator: 'Exists', values: ['x'] }] },
    },
  });
  assert.deepEqual(policyErrors(p), [
    'spec.matchConstraints.namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is \'In\' or \'NotIn\'',
    'spec.matchConstraints.namespaceSelector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'',
    'spec.matchConstraints.resourceRules[0].operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
    'spec.matchConstraints.resourceRules[0].apiGroups: Invalid value: []string{"*", "apps"}: if \'*\' is present, must not specify other API groups',
    'spec.matchConstraints.resourceRules[0].apiVersions: Required value',
    'spec.matchConstraints.resourceRules[0].resources: Invalid value: []string{"*", "pods"}: if \'*\' is present, must not specify other resources without subresources',
    'spec.matchConstraints.resourceRules[1].resources[1]: Invalid value: "pods/log": if \'pods/*\' is present, must not specify pods/log',
    'spec.matchConstraints.resourceRules[1].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"',
  ]);
});

test('expressions compile in the right environment, with result types checked exactly', () => {
  assert.deepEqual(compileErrors(policy('p', {
    validations: [
      { expression: 'params.max > 1' },
      { expression: 'object.spec.paused' },
      { expression: 'true', messageExpression: "authorizer.path('/').check('get').reason()" },
      { expression: 'variables.later' },
    ],
    matchConditions: [{ name: 'uses-variables', expression: 'variables.x' }],
    variables: [{ name: 'first', expression: 'variables.later' }, { name: 'later', expression: 'true' }],
  })).map((l) => l.split('\n')[0]), [
    'spec.matchConditions[0].expression: Invalid value: "variables.x": compilation failed: ERROR: <input>:1:1: undeclared reference to \'variables\' (in container \'\')',
    'spec.variables[0].expression: Invalid value: "variables.later": compilation failed: ERROR: <input>:1:10: undefined field \'later\'',
    'spec.validations[0].expression: Invalid value: "params.max > 1": compilation failed: ERROR: <input>:1:1: undeclared reference to \'params\' (in container \'\')',
    'spec.validations[1].expression: Invalid value: "object.spec.paused": must evaluate to bool but got dyn',
    'spec.validations[2].messageExpression: Invalid value: "authorizer.path(\'/\').check(\'get\').reason()": compilation failed: ERROR: <input>:1:1: undeclared reference to \'authorizer\' (in container \'\')',
  ]);
  // With paramKind, params is declared (dyn).
  assert.deepEqual(compileErrors(policy('p', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'params.max > 1' }] })), []);
});

test('binding validation: actions, paramRef, policyName', () => {
  assert.deepEqual(lines(validateBindingObject(binding('b', '', { validationActions: ['Deny', 'Warn', 'Deny', 'Log'], paramRef: { name: 'x', selector: {} } })).errors), [
    'spec.policyName: Required value',
    'spec.paramRef.name: Forbidden: name and selector are mutually exclusive',
    'spec.paramRef.selector: Forbidden: name and selector are mutually exclusive',
    'spec.paramRef.parameterNotFoundAction: Required value',
    'spec.validationActions[2]: Duplicate value: "Deny"',
    'spec.validationActions[3]: Unsupported value: "Log": supported values: "Audit", "Deny", "Warn"',
    'spec.validationActions: Invalid value: []string{"Deny", "Warn", "Deny", "Log"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
  ]);
  assert.deepEqual(lines(validateBindingObject(binding('b', 'p', { validationActions: [] })).errors), [
    'spec.validationActions: Required value: at least one validation action is required',
  ]);
});

test('unknown fields are warnings', () => {
  const p = policy('p', { validations: [{ expression: 'true', mesage: 'typo' }], validationz: [] });
  assert.deepEqual(lines(validatePolicyObject(p).warnings), [
    'spec.validationz: unknown field "spec.validationz"',
    'spec.validations[0].mesage: unknown field "spec.validations[0].mesage"',
  ]);
});
