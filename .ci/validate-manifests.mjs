#!/usr/bin/env node
// Validates rendered Kubernetes manifests offline against the OpenAPI/CRD JSON schemas that ship
// with the npm packages kubernetes-models and @kubernetes-models/prometheus-operator.
//
// Usage: node .ci/validate-manifests.mjs <npm prefix holding node_modules> <manifests.yaml>...
// Exits non-zero when a document fails its schema, or has an apiVersion/kind without a model
// (an unknown kind must never pass unvalidated).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [prefix, ...files] = process.argv.slice(2);
if (!prefix || files.length === 0) {
  console.error('usage: validate-manifests.mjs <npm prefix> <manifests.yaml>...');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(prefix), 'package.json'));
const YAML = require('yaml');

// apiVersion "group/version" (or just "version" for the core group) -> module that exports one class per kind
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'monitoring.coreos.com') {
    return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  }
  return group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
}

let failures = 0;
let checked = 0;
for (const file of files) {
  const docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const manifest = doc.toJS();
    if (manifest == null) {
      continue; // empty document (a template that rendered nothing)
    }
    const where = `${file}: ${manifest.kind}/${manifest.metadata && manifest.metadata.name}`;
    let Model;
    try {
      Model = require(modelModule(String(manifest.apiVersion)))[manifest.kind];
    }
    catch (e) {
      Model = undefined;
    }
    if (typeof Model !== 'function') {
      console.error(`${where}: no schema for apiVersion ${manifest.apiVersion}, kind ${manifest.kind}`);
      failures++;
      continue;
    }
    try {
      new Model(manifest).validate();
      checked++;
      console.log(`ok   ${where} (${manifest.apiVersion})`);
    }
    catch (e) {
      console.error(`FAIL ${where}: ${e.message}`);
      failures++;
    }
  }
}
console.log(`${checked} manifest(s) valid, ${failures} failure(s)`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
