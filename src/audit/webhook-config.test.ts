import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { webhookKubeconfig } from './webhook-config.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('the kubeconfig the API server reads for --audit-webhook-config-file', () => {
  const text = webhookKubeconfig({ url: 'https://palisade.palisade.svc:8443/audit', caPem: CA, clientCertificate: '/etc/k/c.crt', clientKey: '/etc/k/c.key' });
  const cfg = parse(text);
  assert.equal(cfg.kind, 'Config');
  assert.equal(cfg['current-context'], 'palisade-audit');
  assert.equal(cfg.clusters[0].cluster.server, 'https://palisade.palisade.svc:8443/audit');
  assert.equal(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), CA);
  assert.deepEqual(cfg.users[0].user, { 'client-certificate': '/etc/k/c.crt', 'client-key': '/etc/k/c.key' });
  assert.deepEqual(cfg.contexts[0].context, { cluster: 'palisade-audit', user: 'palisade-audit' });
  assert.ok(!text.includes('WARNING'));
});

test('plain http is flagged; bad input is one line', () => {
  assert.match(webhookKubeconfig({ url: 'http://127.0.0.1:8080/audit' }), /WARNING: plain http/);
  assert.throws(() => webhookKubeconfig({ url: 'palisade:8443' }), /--url: expected https/);
  assert.throws(() => webhookKubeconfig({ url: 'not a url' }), /--url: not a URL/);
  assert.throws(() => webhookKubeconfig({ url: 'https://x/audit', clientKey: '/k' }), /go together/);
  assert.throws(() => webhookKubeconfig({ url: 'https://x/audit', caPem: 'hello' }), /not a PEM certificate/);
});
