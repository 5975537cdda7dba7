import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../model/index.js';
import { defaultParams } from './params.js';
import { CHECKS } from './secrets.js';
import type { CheckParams } from './types.js';
import { findingsOf, lineOf, pod, rows } from './testkit.js';

const scan = (id: string, text: string, params?: CheckParams): Finding[] => findingsOf(text, id, params);

// Fake credentials used by the fixtures. None of them may appear in any finding.
const GH_TOKEN = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const AWS_KEY = 'AKIA' + 'Q3EGRTZ7NWLX5H2K';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const SLACK = 'xoxb-' + '123456789012-abcdefABCDEF';
const SECRETS = ['hunter2-very-secret', GH_TOKEN, AWS_KEY, JWT, SLACK, 's3cr3tPass', 'Sup3rS3cret!', 'hunter22', 'abcd1234efgh', 'xmlS3cret', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'c3VwZXJzZWNyZXQ=', 'pl41nt3xt', 'opaque-pin-1234'];

function assertRedacted(findings: Finding[]): void {
  const out = JSON.stringify(findings);
  for (const s of SECRETS) assert.ok(!out.includes(s), `secret "${s.slice(0, 6)}…" leaked into findings`);
}

test('the topic exports its four checks', () => {
  assert.deepEqual(CHECKS.map((c) => c.id), ['secrets/env-from-secret', 'secrets/credential-in-env', 'secrets/credential-in-configmap', 'secrets/secret-manifest']);
  for (const c of CHECKS) assert.ok(c.description && c.remediation && c.example && c.title);
});

// ---------------------------------------------------------------- secrets/env-from-secret

const ENV_FROM_SECRET = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example.com/app:1.0
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef:
              name: db
              key: password
        - name: LOG_LEVEL
          valueFrom:
            configMapKeyRef: {name: cfg, key: level}
        envFrom:
        - configMapRef: {name: cfg}
        - secretRef:
            name: api-keys
`;

test('env-from-secret: secretKeyRef and envFrom.secretRef are reported at the reference', () => {
  assert.deepEqual(rows(scan('secrets/env-from-secret', ENV_FROM_SECRET)), [
    [
      'secrets/env-from-secret',
      'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef',
      'env var "DB_PASSWORD" of container "app" is read from Secret "db" key "password"; mount the Secret as a file instead',
      lineOf(ENV_FROM_SECRET, 'secretKeyRef:'),
      'medium',
    ],
    [
      'secrets/env-from-secret',
      'spec.template.spec.containers[0].envFrom[1].secretRef',
      'container "app" imports every key of Secret "api-keys" as env vars (envFrom); mount the Secret as a file instead',
      lineOf(ENV_FROM_SECRET, 'secretRef:'),
      'medium',
    ],
  ]);
});

test('env-from-secret: Secrets mounted as files are fine; init and ephemeral containers count', () => {
  assert.deepEqual(scan('secrets/env-from-secret', `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: app:1
    volumeMounts: [{name: db, mountPath: /run/secrets/db, readOnly: true}]
  volumes:
  - name: db
    secret: {secretName: db}
`), []);
  const f = scan('secrets/env-from-secret', `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - name: migrate
    env: [{name: X, valueFrom: {secretKeyRef: {key: k}}}]
  containers: [{name: app}]
`);
  assert.deepEqual(f.map((x) => [x.path, x.message]), [
    ['spec.initContainers[0].env[0].valueFrom.secretKeyRef', 'env var "X" of container "migrate" is read from a Secret key "k"; mount the Secret as a file instead'],
  ]);
});

// ---------------------------------------------------------------- secrets/credential-in-env

const ENV_LITERALS = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app:1
    env:
    - name: DB_PASSWORD
      value: hunter2-very-secret
    - name: GH
      value: ${GH_TOKEN}
    - name: API_TOKEN
      value: $(TOKEN_FROM_SECRET)
    - name: PASSWORD_FILE
      value: /run/secrets/db/password
    - name: SECRET_NAME
      value: db-credentials
    - name: TOKEN_TTL
      value: "3600"
    - name: ADMIN_PASSWORD
      value: <changeit>
    - name: DATABASE_URL
      value: postgres://app:s3cr3tPass@db:5432/app
    - name: REPLICA_URL
      value: postgres://app:$(DB_PASS)@replica:5432/app
    - name: AWS_ACCESS_KEY_ID
      value: AKIAIOSFODNN7EXAMPLE
    - name: UPLOAD_ID
      value: ${AWS_KEY}
    - name: SESSION
      value: ${JWT}
    - name: NOTIFY
      value: ${SLACK}
    - name: EMPTY_PASSWORD
      value: ""
    - name: TOKEN_AUTH
      value: "true"
    - name: OIDC_CLIENT_SECRET
      valueFrom:
        secretKeyRef: {name: oidc, key: secret}
    - name: tokenUrl
      value: https://auth.example.com/token
`;

test('credential-in-env: names and value shapes, never the value', () => {
  const f = scan('secrets/credential-in-env', ENV_LITERALS);
  const at = (i: number) => `spec.containers[0].env[${i}].value`;
  assert.deepEqual(rows(f), [
    ['secrets/credential-in-env', at(0), 'env var "DB_PASSWORD" of container "app" holds a literal value that looks like a credential (value redacted)', lineOf(ENV_LITERALS, 'hunter2'), 'high'],
    ['secrets/credential-in-env', at(1), 'env var "GH" of container "app" holds what looks like a GitHub token (value redacted)', lineOf(ENV_LITERALS, 'ghp_'), 'high'],
    ['secrets/credential-in-env', at(7), 'env var "DATABASE_URL" of container "app" holds what looks like a URL with an embedded password (value redacted)', lineOf(ENV_LITERALS, 's3cr3tPass'), 'high'],
    ['secrets/credential-in-env', at(10), 'env var "UPLOAD_ID" of container "app" holds what looks like an AWS access key id (value redacted)', lineOf(ENV_LITERALS, AWS_KEY), 'high'],
    ['secrets/credential-in-env', at(11), 'env var "SESSION" of container "app" holds what looks like a JSON Web Token (value redacted)', lineOf(ENV_LITERALS, 'eyJ'), 'high'],
    ['secrets/credential-in-env', at(12), 'env var "NOTIFY" of container "app" holds what looks like a Slack token (value redacted)', lineOf(ENV_LITERALS, 'xoxb-'), 'high'],
  ]);
  assertRedacted(f);
});

test('credential-in-env: PEM private keys in any variable', () => {
  const f = scan('secrets/credential-in-env', `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    env:
    - name: TLS_MATERIAL
      value: |
        -----BEGIN RSA PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
        -----END RSA PRIVATE KEY-----
    - name: CA_CERT
      value: |
        -----BEGIN CERTIFICATE-----
        MIIBszCCAVmgAwIBAgIUJ
        -----END CERTIFICATE-----
`);
  assert.deepEqual(f.map((x) => [x.path, x.message, x.line]), [
    ['spec.containers[0].env[0].value', 'env var "TLS_MATERIAL" of container "app" holds what looks like a PEM private key (value redacted)', 9],
  ]);
  assertRedacted(f);
});

test('credential-in-env: every URL in a value is looked at, not only the first', () => {
  const f = scan('secrets/credential-in-env', `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    env:
    - name: UPSTREAMS
      value: "redis://:$(REDIS_PASS)@cache:6379 amqp://app:pl41nt3xt@mq:5672"
    - name: MIRRORS
      value: "https://user:***@a.example.com https://b.example.com"
    - name: CACHE
      value: "redis://:opaque-pin-1234@cache:6379"
`);
  assert.deepEqual(f.map((x) => [x.path, x.message]), [
    ['spec.containers[0].env[0].value', 'env var "UPSTREAMS" of container "app" holds what looks like a URL with an embedded password (value redacted)'],
    ['spec.containers[0].env[2].value', 'env var "CACHE" of container "app" holds what looks like a URL with an embedded password (value redacted)'],
  ]);
  assertRedacted(f);
});

test('credential-in-env: params.credentialNamePatterns add names (Go-style (?i) accepted, invalid ones ignored)', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    env:
    - {name: MY_APP_PIN, value: opaque-pin-1234}
    - {name: PIN_FILE, value: pl41nt3xt}
`;
  assert.deepEqual(scan('secrets/credential-in-env', text), []);
  const params = { ...defaultParams(), credentialNamePatterns: ['(?i)^my_app_pin$', '([unclosed', 'PIN_FILE'] };
  const f = scan('secrets/credential-in-env', text, params);
  assert.deepEqual(f.map((x) => [x.path, x.message]), [
    ['spec.containers[0].env[0].value', 'env var "MY_APP_PIN" of container "app" holds a literal value that looks like a credential (value redacted)'],
    ['spec.containers[0].env[1].value', 'env var "PIN_FILE" of container "app" holds a literal value that looks like a credential (value redacted)'],
  ]);
  assertRedacted(f);
});

test('credential-in-env: a hardened pod has nothing to report', () => {
  assert.deepEqual(scan('secrets/credential-in-env', `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - {name: DB_PASSWORD_FILE, value: /run/secrets/db/password}
        - {name: DB_HOST, value: db.shop.svc}
        - {name: JAVA_OPTS, value: "-Xmx512m"}
        - {name: SECRET_KEY, valueFrom: {secretKeyRef: {name: web, key: secret-key}}}
        - {name: API_KEY, value: REPLACE_ME}
        - {name: ACCESS_TOKEN, value: "\${ACCESS_TOKEN}"}
`), []);
});

// ---------------------------------------------------------------- secrets/credential-in-configmap

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  db-password: Sup3rS3cret!
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/app
    spring.datasource.password=hunter22
    spring.datasource.username=app
  config.yaml: |
    database:
      password: \${DB_PASSWORD}
      passwordFile: /run/secrets/db
  sa.json: '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}'
  token-url: https://auth.example.com/token
  log-level: debug
  app.env: |
    # API_KEY=commented-out
    export API_KEY=abcd1234efgh
    export REGION=eu-west-1
  settings.xml: |
    <settings>
      <server><id>repo</id><password>xmlS3cret</password></server>
    </settings>
`;

test('credential-in-configmap: keys, config-file settings and value shapes', () => {
  const f = scan('secrets/credential-in-configmap', CONFIGMAP);
  assert.deepEqual(rows(f), [
    ['secrets/credential-in-configmap', 'data.db-password', 'ConfigMap key "db-password" holds a literal value that looks like a credential (value redacted)', lineOf(CONFIGMAP, 'db-password:'), 'medium'],
    [
      'secrets/credential-in-configmap',
      'data["application.properties"]',
      'ConfigMap key "application.properties" sets "spring.datasource.password" to a literal credential on line 2 of the file (value redacted)',
      lineOf(CONFIGMAP, 'application.properties:'),
      'medium',
    ],
    ['secrets/credential-in-configmap', 'data["sa.json"]', 'ConfigMap key "sa.json" holds what looks like a GCP service account key (value redacted)', lineOf(CONFIGMAP, 'sa.json:'), 'medium'],
    ['secrets/credential-in-configmap', 'data["app.env"]', 'ConfigMap key "app.env" sets "API_KEY" to a literal credential on line 2 of the file (value redacted)', lineOf(CONFIGMAP, 'app.env:'), 'medium'],
    ['secrets/credential-in-configmap', 'data["settings.xml"]', 'ConfigMap key "settings.xml" sets "password" to a literal credential on line 2 of the file (value redacted)', lineOf(CONFIGMAP, 'settings.xml:'), 'medium'],
  ]);
  assertRedacted(f);
});

test('credential-in-configmap: several settings in one file make one finding', () => {
  const f = scan('secrets/credential-in-configmap', `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  app.yaml: |
    db:
      password: "pl41nt3xt"
    redis:
      auth_token: 'opaque-pin-1234'
`);
  assert.deepEqual(f.map((x) => x.message), ['ConfigMap key "app.yaml" sets "password" to a literal credential on line 2 of the file and 1 more (value redacted)']);
  assertRedacted(f);
});

test('credential-in-configmap: a clean ConfigMap, binaryData and strange data are fine', () => {
  assert.deepEqual(scan('secrets/credential-in-configmap', `apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  nginx.conf: |
    server { listen 8080; }
  secret-name: web-tls
  token-lifetime: 1h
  ENABLE_TOKEN_AUTH: "true"
binaryData:
  keystore.p12: c3VwZXJzZWNyZXQ=
---
apiVersion: v1
kind: ConfigMap
metadata: {name: odd}
data: [1, 2]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: odd2}
data:
  password:
    nested: object
  other: null
---
apiVersion: example.com/v1
kind: ConfigMap
metadata: {name: crd}
data: {password: pl41nt3xt}
`), []);
});

// ---------------------------------------------------------------- secrets/secret-manifest

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
data:
  password: c3VwZXJzZWNyZXQ=
  username: YXBw
stringData:
  note: pl41nt3xt
`;

test('secret-manifest: committed data and stringData are reported by key, never by value', () => {
  const f = scan('secrets/secret-manifest', SECRET);
  assert.deepEqual(rows(f), [
    [
      'secrets/secret-manifest',
      'data',
      'Secret "db" commits values for keys "password", "username" in data (values redacted); keep them out of source control with SealedSecrets, External Secrets or SOPS',
      lineOf(SECRET, /^data:/),
      'medium',
    ],
    [
      'secrets/secret-manifest',
      'stringData',
      'Secret "db" commits values for key "note" in stringData (values redacted); keep them out of source control with SealedSecrets, External Secrets or SOPS',
      lineOf(SECRET, 'stringData:'),
      'medium',
    ],
  ]);
  assertRedacted(f);
});

test('secret-manifest: legacy service-account-token Secrets', () => {
  const text = `apiVersion: v1
kind: Secret
metadata:
  name: ci-token
  annotations:
    kubernetes.io/service-account.name: ci
type: kubernetes.io/service-account-token
`;
  assert.deepEqual(rows(scan('secrets/secret-manifest', text)), [
    [
      'secrets/secret-manifest',
      'type',
      'Secret "ci-token" is a legacy long-lived ServiceAccount token (type kubernetes.io/service-account-token) for ServiceAccount "ci"; use short-lived tokens from the TokenRequest API (projected volumes, kubectl create token)',
      7,
      'medium',
    ],
  ]);
});

test('secret-manifest: empty, templated, generated and non-core Secrets are skipped', () => {
  assert.deepEqual(scan('secrets/secret-manifest', `apiVersion: v1
kind: Secret
metadata: {name: empty}
type: Opaque
---
apiVersion: v1
kind: Secret
metadata: {name: tmpl}
stringData:
  password: \${DB_PASSWORD}
  token: ""
data: {}
---
apiVersion: v1
kind: Secret
metadata:
  name: from-sealed
  ownerReferences:
  - {apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, name: from-sealed, uid: x}
data:
  password: c3VwZXJzZWNyZXQ=
---
apiVersion: example.com/v1
kind: Secret
metadata: {name: crd}
data: {password: c3VwZXJzZWNyZXQ=}
---
apiVersion: v1
kind: Secret
metadata: {name: odd}
data: [a, b]
stringData: text
`), []);
});

test('all secrets checks survive malformed pod specs and objects', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: odd}
spec:
  containers:
  - name: a
    env: not-a-list
    envFrom: {secretRef: {name: x}}
  - name: b
    env: [null, 1, {name: 5, value: {}}, {valueFrom: null}, {name: X, valueFrom: {secretKeyRef: "db"}}]
    envFrom: [null, {secretRef: null}, {secretRef: []}]
  - "not a container"
  - null
---
apiVersion: v1
kind: Secret
metadata: null
type: kubernetes.io/service-account-token
data: {password: 5}
---
apiVersion: v1
kind: ConfigMap
metadata: null
data: {"": "", password: 12345678}
`;
  for (const c of CHECKS) scan(c.id, text);
  assert.deepEqual(scan('secrets/credential-in-configmap', text).map((x) => x.path), ['data.password']);
  assert.deepEqual(scan('secrets/secret-manifest', text).map((x) => x.path), ['type', 'data']);
});

test('credential-in-env: name patterns from the config are RE2, case-insensitive and linear-time', () => {
  const long = 'a'.repeat(50_000);
  const text = pod(`  containers:
  - name: app
    image: registry.example.com/app:1.0
    env:
    - name: DB_DSN
      value: Sup3rS3cret!
    - name: ${long}!
      value: pl41nt3xt
    - name: LOG_LEVEL
      value: debug
`);
  const params = { ...defaultParams(), credentialNamePatterns: ['dsn$', '(a+)+$', '[invalid'] };
  const f = scan('secrets/credential-in-env', text, params);
  // `(a+)+$` would backtrack for minutes on the long name with a backtracking engine; RE2 answers at once.
  assert.deepEqual(f.map((x) => x.path), [
    'spec.containers[0].env[0].value',
  ]);
  assertRedacted(f);
  assert.deepEqual(scan('secrets/credential-in-env', text, { ...params, credentialNamePatterns: ['(a+)+!$'] }).map((x) => x.path), ['spec.containers[0].env[1].value']);
});
