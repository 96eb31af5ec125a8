// Sign credentials with Digital Bazaar's stack (DataIntegrityProof, eddsa-rdfc-2022 by default).
//
// stdin: one job or a JSON array of jobs:
//   {credential, seedHex | secretKeyMultibase, publicKeyMultibase?, verificationMethod, controller?,
//    created, cryptosuite?: "eddsa-rdfc-2022" | "eddsa-jcs-2022", documents?, verify?: bool, now?}
// stdout: {signed} | {error} per job (an array if the input was an array); with `verify: true` the
// result also carries `verification` (see verify.mjs) of the signed credential.
// `created` is passed as the suite `date`, so signing is deterministic (Ed25519 is deterministic).
import {pathToFileURL} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createSignCryptosuite as createJcsSignCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

import {makeDocumentLoader} from './loader.mjs';

export async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function hexToBytes(hex) {
  if(!/^([0-9a-fA-F]{2})*$/.test(hex)) {
    throw new TypeError('"seedHex" must be hex.');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

async function keyPairFor(job) {
  const {verificationMethod: id, controller} = job;
  let keyPair;
  if(job.seedHex) {
    keyPair = await Ed25519Multikey.generate({id, controller, seed: hexToBytes(job.seedHex)});
  } else if(job.secretKeyMultibase) {
    keyPair = await Ed25519Multikey.from({
      type: 'Multikey', id, controller,
      publicKeyMultibase: job.publicKeyMultibase,
      secretKeyMultibase: job.secretKeyMultibase
    });
  } else {
    throw new TypeError('A job needs "seedHex" or "secretKeyMultibase".');
  }
  if(job.publicKeyMultibase && keyPair.publicKeyMultibase !== job.publicKeyMultibase) {
    throw new Error(
      `Key mismatch: the secret key gives ${keyPair.publicKeyMultibase}, ` +
      `not ${job.publicKeyMultibase}.`);
  }
  return keyPair;
}

export async function signOne(job) {
  const keyPair = await keyPairFor(job);
  const cryptosuiteName = job.cryptosuite || 'eddsa-rdfc-2022';
  let cryptosuite;
  if(cryptosuiteName === 'eddsa-rdfc-2022') {
    cryptosuite = eddsaRdfc2022CryptoSuite;
  } else if(cryptosuiteName === 'eddsa-jcs-2022') {
    cryptosuite = createJcsSignCryptosuite();
  } else {
    throw new Error(`Unsupported cryptosuite "${cryptosuiteName}".`);
  }
  if(!job.created) {
    throw new TypeError('"created" is required (signing must be deterministic).');
  }
  const suite = new DataIntegrityProof({signer: keyPair.signer(), date: job.created, cryptosuite});
  const documentLoader = makeDocumentLoader(job.documents);
  const credential = JSON.parse(JSON.stringify(job.credential));
  return vc.issue({credential, suite, documentLoader, now: job.now});
}

export async function signMany(jobs) {
  const results = [];
  for(const job of jobs) {
    try {
      const signed = await signOne(job);
      const result = {signed};
      if(job.verify) {
        const {verifyOne} = await import('./verify.mjs');
        result.verification = await verifyOne({
          credential: signed, documents: job.documents, now: job.now
        });
      }
      results.push(result);
    } catch(e) {
      const {describe} = await import('./verify.mjs');
      results.push({error: describe(e)});
    }
  }
  return results;
}

async function main() {
  const input = await readStdinJson();
  const results = await signMany(Array.isArray(input) ? input : [input]);
  process.stdout.write(JSON.stringify(Array.isArray(input) ? results : results[0]) + '\n');
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(e => {
    process.stderr.write(`${e && e.stack || e}\n`);
    process.exit(2);
  });
}
