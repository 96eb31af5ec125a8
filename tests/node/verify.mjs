// Verify credentials with Digital Bazaar's stack.
//
// stdin, either
//   a JSON array of items {credential, documents?, mode?, now?}, -> stdout: array of results, or
//   {"verify": [items], "sign": [jobs]} (see sign.mjs)         -> stdout: {"verify": [...], "sign": [...]}
//   (the second form lets a test module use ONE node process for everything; start-up dominates);
//   it may also carry "canonize": [{document, algorithm?: "rdfc" | "jcs", documents?}] -> results
//   {canonical} | {error}: exactly the canonize function each cryptosuite signs with (RDFC-1.0 in
//   jsonld.js safe mode via the same loader, or JCS), to diff canonical forms against ours.
// item.documents: extra documents for the loader (did:web DID documents, controller documents) keyed by id.
// item.mode: "credential" (default) = vc.verifyCredential with CredentialIssuancePurpose (proof valid,
//   key authorised for assertionMethod by its controller, controller == issuer id, validity dates);
//   "proof" = jsonld-signatures verify with AssertionProofPurpose only (no issuer binding), for
//   third-party vectors whose issuer is not the key controller.
// Result: {verified, errors: [messages], proofs: [{cryptosuite, verified, error?}], statusCheckSkipped?}.
// Status lists are not checked: a credential with credentialStatus gets a no-op checkStatus and
// `statusCheckSkipped: true`.
import {pathToFileURL} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as createJcsVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

import {makeDocumentLoader} from './loader.mjs';
import {readStdinJson, signMany} from './sign.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;

function suites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()})
  ];
}

/** One line for an error, with jsonld.js safe-mode event / loader cause details appended. */
export function describe(error) {
  let msg = error && error.message || String(error);
  const details = error && error.details;
  if(details && details.event) {
    const {code, details: eventDetails} = details.event;
    msg += ` [${code}: ${JSON.stringify(eventDetails)}]`;
  } else if(details && details.cause && details.cause.message) {
    msg += ` [cause: ${details.cause.message}]`;
  }
  return msg;
}

function messages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => messages(e, out));
    return out;
  }
  const msg = describe(error);
  if(msg && !out.includes(msg)) {
    out.push(msg);
  }
  if(Array.isArray(error.errors)) {
    error.errors.forEach(e => messages(e, out));
  }
  if(error.cause) {
    messages(error.cause, out);
  }
  return out;
}

export async function verifyOne(item) {
  const {credential, documents, mode = 'credential', now} = item;
  const documentLoader = makeDocumentLoader(documents);
  const out = {verified: false, errors: [], proofs: []};
  try {
    let result;
    const doc = JSON.parse(JSON.stringify(credential));
    if(mode === 'credential') {
      const options = {credential: doc, suite: suites(), documentLoader};
      if(now) {
        options.now = now;
      }
      if(doc.credentialStatus) {
        options.checkStatus = async () => ({verified: true});
        out.statusCheckSkipped = true;
      }
      result = await vc.verifyCredential(options);
    } else if(mode === 'proof') {
      result = await jsigs.verify(doc, {
        suite: suites(), purpose: new AssertionProofPurpose(), documentLoader
      });
    } else {
      throw new Error(`Unknown mode "${mode}".`);
    }
    out.verified = result.verified === true;
    messages(result.error, out.errors);
    for(const r of result.results || []) {
      const p = {cryptosuite: r.proof && r.proof.cryptosuite, verified: r.verified === true};
      const errs = messages(r.error);
      if(r.purposeResult && r.purposeResult.error) {
        messages(r.purposeResult.error, errs);
      }
      if(errs.length) {
        p.errors = errs;
        errs.forEach(m => out.errors.includes(m) || out.errors.push(m));
      }
      out.proofs.push(p);
    }
  } catch(e) {
    out.verified = false;
    messages(e, out.errors);
  }
  return out;
}

export async function canonizeOne({document, algorithm = 'rdfc', documents}) {
  try {
    const doc = JSON.parse(JSON.stringify(document));
    if(algorithm === 'rdfc') {
      const documentLoader = makeDocumentLoader(documents);
      return {canonical: await eddsaRdfc2022CryptoSuite.canonize(doc, {documentLoader})};
    }
    if(algorithm === 'jcs') {
      return {canonical: await createJcsVerifyCryptosuite().canonize(doc)};
    }
    throw new Error(`Unknown canonicalization algorithm "${algorithm}".`);
  } catch(e) {
    return {error: describe(e)};
  }
}

export async function verifyMany(items) {
  const results = [];
  for(const item of items) {
    results.push(await verifyOne(item));
  }
  return results;
}

async function main() {
  const input = await readStdinJson();
  let output;
  if(Array.isArray(input)) {
    output = await verifyMany(input);
  } else {
    output = {
      verify: await verifyMany(input.verify || []),
      sign: await signMany(input.sign || []),
      canonize: await Promise.all((input.canonize || []).map(canonizeOne))
    };
  }
  process.stdout.write(JSON.stringify(output) + '\n');
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(e => {
    process.stderr.write(`${e && e.stack || e}\n`);
    process.exit(2);
  });
}
