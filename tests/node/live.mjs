// Digital Bazaar's stack against a LIVE Microdegree server, as a stranger's verifier and wallet.
//
// The document loader holds ONLY the contexts W3C and 1EdTech publish (tests/node/contexts, copied
// from /work/shared/contexts; nothing of ours) and fetches ONLY the server's own URLs over real
// HTTP: did:web documents, status list credentials, anything else the server serves. did:web
// resolves to https by its method spec; the test server speaks plain http on localhost, so the
// loader maps a did:web whose host (and port) is the server's to the server's http URL. That is
// the test's own network standing in for the deployment's https, nothing more: every other
// did:web, URL or context is refused.
//
// stdin: {origin, verify?: [{credential | presentation, challenge?, domain?}],
//         wallet?: {exchangeUrl, seedHex, verifyChallenge, verifyDomain}}
// stdout: {verify: [{verified, errors, status?: [..]}], wallet?: {...}, fetched: [urls]}
//
// Status: a BitstringStatusListEntry is checked for real: the list credential is fetched from the
// server, verified with the same suites, its bitstring decoded and the bit read (statusSize 1).
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {gunzipSync} from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as createJcsVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

import {didKeyDocument} from './loader.mjs';
import {readStdinJson} from './sign.mjs';
import {describe} from './verify.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = join(HERE, 'contexts');
const {purposes: {AuthenticationProofPurpose}} = jsigs;

function publishedContexts() {
  const index = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'INDEX.json'), 'utf8'));
  const out = new Map();
  for(const [url, file] of Object.entries(index)) {
    out.set(url, JSON.parse(readFileSync(join(CONTEXTS_DIR, file), 'utf8')));
  }
  return out;
}

function suites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    new DataIntegrityProof({cryptosuite: createJcsVerifyCryptosuite()})
  ];
}

/** did:web:<host>[%3A<port>][:path...] -> the server's http URL, only for the server's host. */
function didWebUrl(did, origin) {
  const parts = did.slice('did:web:'.length).split(':');
  const authority = decodeURIComponent(parts[0]);
  const server = new URL(origin);
  if(authority !== server.host) {
    return null;
  }
  const path = parts.length > 1 ? parts.slice(1).map(decodeURIComponent).join('/') :
    '.well-known';
  return `${server.origin}/${path}/did.json`;
}

export function makeLiveLoader(origin, fetched) {
  const contexts = publishedContexts();
  const server = new URL(origin).origin;
  const cache = new Map();

  async function get(url) {
    if(!cache.has(url)) {
      fetched.push(url);
      const response = await fetch(url, {headers: {accept: 'application/ld+json, application/json'}});
      if(!response.ok) {
        throw new Error(`GET ${url}: HTTP ${response.status}`);
      }
      cache.set(url, await response.json());
    }
    return JSON.parse(JSON.stringify(cache.get(url)));
  }

  return async function documentLoader(url) {
    const result = document => ({contextUrl: null, documentUrl: url, document});
    if(contexts.has(url)) {
      return result(JSON.parse(JSON.stringify(contexts.get(url))));
    }
    const hash = url.indexOf('#');
    const base = hash === -1 ? url : url.slice(0, hash);
    if(base.startsWith('did:key:')) {
      const doc = await didKeyDocument(base);
      if(hash === -1) {
        return result(doc);
      }
      const vm = doc.verificationMethod.find(m => m.id === url);
      return result({'@context': 'https://w3id.org/security/multikey/v1', ...vm});
    }
    if(base.startsWith('did:web:')) {
      const target = didWebUrl(base, server);
      if(target === null) {
        throw new Error(`Document loader refused "${url}": a did:web of another host.`);
      }
      const doc = await get(target);
      if(doc.id !== base) {
        throw new Error(`${target} has id ${doc.id}, not ${base}.`);
      }
      if(hash === -1) {
        return result(doc);
      }
      for(const vm of doc.verificationMethod || []) {
        if(vm && vm.id === url) {
          return result({'@context': 'https://w3id.org/security/multikey/v1', ...vm});
        }
      }
      throw new Error(`Verification method "${url}" not in ${target}.`);
    }
    let parsed;
    try {
      parsed = new URL(url);
    } catch(e) {
      throw new Error(`Document loader refused "${url}": not a URL.`);
    }
    if(parsed.origin === server) {
      return result(await get(url));
    }
    throw new Error(
      `Document loader refused "${url}": not a W3C/1EdTech context and not on ${server}.`);
  };
}

function decodeList(encoded) {
  // Multibase base64url (no padding), GZIP-compressed bitstring (Bitstring Status List 1.0).
  const text = encoded.startsWith('u') ? encoded.slice(1) : encoded;
  return gunzipSync(Buffer.from(text, 'base64url'));
}

async function checkOneStatus(entry, documentLoader) {
  if(entry.type !== 'BitstringStatusListEntry') {
    return {verified: false, error: `unsupported status type ${entry.type}`};
  }
  const {document: list} = await documentLoader(entry.statusListCredential);
  const listResult = await vc.verifyCredential({
    credential: list, suite: suites(), documentLoader,
    checkStatus: async () => ({verified: true})
  });
  if(!listResult.verified) {
    return {verified: false, error: 'the status list credential did not verify',
      details: (listResult.error && describe(listResult.error)) || null};
  }
  const subject = list.credentialSubject;
  if(subject.statusPurpose !== entry.statusPurpose) {
    return {verified: false, error: 'status purpose mismatch'};
  }
  const bits = decodeList(subject.encodedList);
  const index = Number(entry.statusListIndex);
  const set = (bits[index >> 3] >> (7 - (index % 8))) & 1;
  return {verified: true, purpose: entry.statusPurpose, index, set: set === 1,
    list: entry.statusListCredential};
}

function statusChecker(documentLoader, out) {
  return async ({credential}) => {
    const entries = [].concat(credential.credentialStatus || []);
    for(const entry of entries) {
      const result = await checkOneStatus(entry, documentLoader);
      out.push(result);
      if(!result.verified) {
        return {verified: false, error: new Error(result.error)};
      }
      if(result.set) {
        return {verified: false, error: new Error(`status ${result.purpose} is set`)};
      }
    }
    return {verified: true};
  };
}

function errorsOf(result) {
  const out = [];
  const add = e => {
    if(!e) {
      return;
    }
    if(Array.isArray(e)) {
      e.forEach(add);
      return;
    }
    const msg = describe(e);
    if(!out.includes(msg)) {
      out.push(msg);
    }
    if(Array.isArray(e.errors)) {
      e.errors.forEach(add);
    }
  };
  add(result.error);
  for(const r of result.results || result.credentialResults || []) {
    add(r.error);
  }
  if(result.presentationResult) {
    add(result.presentationResult.error);
    for(const r of result.presentationResult.results || []) {
      add(r.error);
    }
  }
  return out;
}

export async function verifyLive(item, origin, fetched) {
  const documentLoader = makeLiveLoader(origin, fetched);
  const status = [];
  const checkStatus = statusChecker(documentLoader, status);
  try {
    let result;
    if(item.presentation) {
      result = await vc.verify({
        presentation: JSON.parse(JSON.stringify(item.presentation)),
        suite: suites(), documentLoader, checkStatus,
        challenge: item.challenge, domain: item.domain
      });
    } else {
      result = await vc.verifyCredential({
        credential: JSON.parse(JSON.stringify(item.credential)),
        suite: suites(), documentLoader, checkStatus
      });
    }
    return {verified: result.verified === true, errors: errorsOf(result), status};
  } catch(e) {
    return {verified: false, errors: [describe(e)], status};
  }
}

async function postJson(url, body, fetched) {
  fetched.push(url);
  const response = await fetch(url, {
    method: 'POST', headers: {'content-type': 'application/json', accept: 'application/json'},
    body: JSON.stringify(body)
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch(e) {
    json = {unparsed: text.slice(0, 500)};
  }
  return {status: response.status, body: json};
}

/** The wallet: VC API exchange with DID authentication, then a presentation of its own. */
async function walletRun(wallet, origin, fetched) {
  const documentLoader = makeLiveLoader(origin, fetched);
  const seed = Uint8Array.from(Buffer.from(wallet.seedHex, 'hex'));
  const probe = await Ed25519Multikey.generate({seed});
  const did = `did:key:${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate({
    seed, id: `${did}#${probe.publicKeyMultibase}`, controller: did
  });
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022CryptoSuite});
  const out = {holder: did};

  const first = await postJson(wallet.exchangeUrl, {}, fetched);
  out.request = first;
  const vpr = first.body && first.body.verifiablePresentationRequest;
  if(!vpr) {
    return out;
  }
  const didAuth = await vc.signPresentation({
    presentation: vc.createPresentation({holder: did}),
    suite, documentLoader, challenge: vpr.challenge, domain: vpr.domain
  });
  const second = await postJson(wallet.exchangeUrl, {verifiablePresentation: didAuth}, fetched);
  out.delivery = {status: second.status};
  const delivered = second.body && second.body.verifiablePresentation;
  const credential = delivered && [].concat(delivered.verifiableCredential || [])[0];
  if(!credential) {
    out.delivery.body = second.body;
    return out;
  }
  out.credentialId = credential.id;
  out.credentialCheck = await verifyLive({credential}, origin, fetched);

  const presentation = vc.createPresentation({verifiableCredential: [credential], holder: did});
  const signed = await vc.signPresentation({
    presentation, suite, documentLoader,
    challenge: wallet.verifyChallenge, domain: wallet.verifyDomain
  });
  out.presentation = signed;
  out.ownCheck = await verifyLive(
    {presentation: signed, challenge: wallet.verifyChallenge, domain: wallet.verifyDomain},
    origin, fetched);
  out.platformAnswer = await postJson(`${new URL(origin).origin}/presentations/verify`, {
    verifiablePresentation: signed,
    options: {challenge: wallet.verifyChallenge, domain: wallet.verifyDomain}
  }, fetched);
  return out;
}

async function main() {
  const input = await readStdinJson();
  const fetched = [];
  const output = {verify: [], fetched};
  for(const item of input.verify || []) {
    output.verify.push(await verifyLive(item, input.origin, fetched));
  }
  if(input.wallet) {
    output.wallet = await walletRun(input.wallet, input.origin, fetched);
  }
  process.stdout.write(JSON.stringify(output) + '\n');
}

if(import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(e => {
    process.stderr.write(`${e && e.stack || e}\n`);
    process.exit(2);
  });
}
