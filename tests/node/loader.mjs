// Offline JSON-LD document loader for the interop harness.
//
// Serves ONLY:
//   1. the contexts bundled with the Python core (packages/microdegree-vc/src/microdegree/vc/contexts/
//      INDEX.json: URL -> file),
//   2. did:key (Ed25519 Multikey) DID documents and their verification methods, built by hand,
//   3. documents the caller passes in (did:web DID documents, HTTPS controller documents, ...),
//      keyed by their `id`; verification methods embedded in them are served by their own `id`.
// Anything else throws: nothing is ever fetched from the network.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CONTEXTS_DIR = join(HERE, '..', '..', 'packages', 'microdegree-vc', 'src', 'microdegree', 'vc',
  'contexts');

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const VM_RELATIONSHIPS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
];

let _contexts;
/** URL -> parsed context document, read once from the bundled files. */
export function bundledContexts() {
  if(!_contexts) {
    const index = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'INDEX.json'), 'utf8'));
    _contexts = new Map();
    for(const [url, file] of Object.entries(index)) {
      _contexts.set(url, JSON.parse(readFileSync(join(CONTEXTS_DIR, file), 'utf8')));
    }
  }
  return _contexts;
}

function clone(obj) {
  return JSON.parse(JSON.stringify(obj));
}

function splitFragment(url) {
  const i = url.indexOf('#');
  return i === -1 ? [url, null] : [url.slice(0, i), url.slice(i)];
}

/** Hand-built did:key DID document (Ed25519 Multikey only; other key types are rejected). */
export async function didKeyDocument(did) {
  const multibase = did.slice('did:key:'.length);
  if(!multibase.startsWith('z6Mk')) {
    throw new Error(`Unsupported did:key (not an Ed25519 Multikey): "${did}".`);
  }
  // Validates the multicodec header and key length; throws on anything else.
  await Ed25519Multikey.from({
    '@context': MULTIKEY_V1, type: 'Multikey', controller: did,
    id: `${did}#${multibase}`, publicKeyMultibase: multibase
  });
  const vmId = `${did}#${multibase}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{
      id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: multibase
    }],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

/** Find the embedded verification method `id` in a DID / controller document. */
function findVerificationMethod(doc, id) {
  for(const rel of VM_RELATIONSHIPS) {
    const values = doc[rel] === undefined ? [] :
      (Array.isArray(doc[rel]) ? doc[rel] : [doc[rel]]);
    for(const vm of values) {
      if(vm && typeof vm === 'object' && vm.id === id) {
        return vm;
      }
    }
  }
  return null;
}

function asVerificationMethod(vm) {
  // Multikey documents must carry the Multikey context (Ed25519Multikey.from checks it).
  return {'@context': MULTIKEY_V1, ...clone(vm)};
}

/**
 * Build a documentLoader.
 * @param {object} [extra] - id -> document (did:web DID documents, controller documents,
 *   stand-alone verification methods). Keys may be DIDs, DID URLs or HTTPS URLs.
 * @param {Array<string>} [log] - if given, every URL requested is pushed here.
 */
export function makeDocumentLoader(extra = {}, log = null) {
  const contexts = bundledContexts();
  const documents = new Map(Object.entries(extra || {}));
  // Also index each document by its own `id` (callers may key by anything).
  for(const doc of [...documents.values()]) {
    if(doc && typeof doc === 'object' && typeof doc.id === 'string' && !documents.has(doc.id)) {
      documents.set(doc.id, doc);
    }
  }

  return async function documentLoader(url) {
    if(log) {
      log.push(url);
    }
    const result = document => ({contextUrl: null, documentUrl: url, document: clone(document)});

    if(contexts.has(url)) {
      return result(contexts.get(url));
    }
    if(documents.has(url)) {
      const doc = documents.get(url);
      // A stand-alone verification method gets the Multikey context if it lacks one.
      if(doc && doc.type === 'Multikey' && !doc['@context']) {
        return result(asVerificationMethod(doc));
      }
      return result(doc);
    }
    const [base, fragment] = splitFragment(url);
    if(fragment !== null && documents.has(base)) {
      const vm = findVerificationMethod(documents.get(base), url);
      if(vm) {
        return result(asVerificationMethod(vm));
      }
      throw new Error(`Verification method "${url}" not found in the supplied document "${base}".`);
    }
    if(base.startsWith('did:key:')) {
      const didDoc = await didKeyDocument(base);
      if(fragment === null) {
        return result(didDoc);
      }
      const vm = findVerificationMethod(didDoc, url);
      if(vm) {
        return result(asVerificationMethod(vm));
      }
      throw new Error(`Verification method "${url}" not found in "${base}".`);
    }
    throw new Error(`Document loader refused "${url}": not a bundled context, did:key or supplied document.`);
  };
}
