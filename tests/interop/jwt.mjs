// VC-JWT with an independent JOSE implementation (`jose`, panva).
//
//   node jwt.mjs sign OUTDIR [ALG…]
//     Makes a key per algorithm (EdDSA, ES256, ES384, RS256 unless ALGs are given), the
//     did:web issuer "did:web:jose.example" whose DID document lists them (OUTDIR/trust.json,
//     a microcred trust list), and Open Badges 3.0 JWT credentials (the VC 1.1 JWT encoding:
//     a `vc` claim with iss, nbf, jti, sub) signed with each, naming the key by `kid`; one
//     carrying its key as a `jwk` header, one naming no key, one VC-JOSE (typ vc+jwt).
//     Negative cases: a tampered payload, alg "none", HS256 with the issuer's public key as
//     the secret (algorithm confusion), a kid of another DID than the issuer. Prints a JSON
//     object: file name -> the verdict microcred must give.
//
//   node jwt.mjs verify TOKEN_FILE JWK_FILE
//     Verifies a compact JWS with jose's jwtVerify and the public JWK; prints the payload.
//     Exit 1 when it does not verify.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';

const ISSUER = 'did:web:jose.example';
const OTHER = 'did:web:other.example';
const SUBJECT = 'did:example:learner-1';

function credential(n) {
  return {
    '@context': [
      'https://www.w3.org/2018/credentials/v1',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id: `urn:uuid:5f0e7c8a-1b2c-4d3e-8f90-00000000000${n}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: ISSUER, type: ['Profile'], name: 'Jose University' },
    issuanceDate: '2025-03-01T00:00:00Z',
    name: 'Teamwork Badge',
    credentialSubject: {
      id: SUBJECT,
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://jose.example/achievements/teamwork',
        type: ['Achievement'],
        name: 'Teamwork',
        description: 'Works well with others.',
        criteria: { narrative: 'Team project.' },
      },
    },
  };
}

/// The claims of the VC 1.1 JWT encoding, as Open Badges 3.0 lists them.
function claims(vc) {
  return {
    vc,
    iss: vc.issuer.id,
    nbf: Math.floor(Date.parse(vc.issuanceDate) / 1000),
    jti: vc.id,
    sub: vc.credentialSubject.id,
  };
}

const GEN = {
  EdDSA: ['EdDSA', { crv: 'Ed25519' }],
  ES256: ['ES256', {}],
  ES384: ['ES384', {}],
  RS256: ['RS256', { modulusLength: 2048 }],
};

async function sign(out, algs) {
  mkdirSync(out, { recursive: true });
  const expected = {};
  const methods = [];
  const keys = {};
  for (const alg of algs) {
    const [a, opts] = GEN[alg];
    const { publicKey, privateKey } = await jose.generateKeyPair(a, { ...opts, extractable: true });
    const jwk = await jose.exportJWK(publicKey);
    keys[alg] = { publicKey, privateKey, jwk };
    methods.push({ id: `${ISSUER}#${alg}`, type: 'JsonWebKey', controller: ISSUER, publicKeyJwk: jwk });
  }
  const write = (name, token, verdict) => {
    writeFileSync(join(out, name), token + '\n');
    expected[name] = verdict;
  };
  let n = 0;
  for (const alg of algs) {
    const { privateKey, jwk } = keys[alg];
    n += 1;
    const token = await new jose.SignJWT(claims(credential(n)))
      .setProtectedHeader({ alg, typ: 'JWT', kid: `${ISSUER}#${alg}` })
      .sign(privateKey);
    write(`${alg}.jwt`, token, 'valid');
    // Another payload under the same signature.
    const [h, , s] = token.split('.');
    const changed = claims(credential(n));
    changed.vc.name = 'Doctorate';
    const p = jose.base64url.encode(JSON.stringify(changed));
    write(`${alg}-tampered.jwt`, `${h}.${p}.${s}`, 'invalid');
    // The key in the header: bound to the issuer by the trust list.
    write(
      `${alg}-jwk.jwt`,
      await new jose.SignJWT(claims(credential(n))).setProtectedHeader({ alg, jwk }).sign(privateKey),
      'valid',
    );
    // No key named: the issuer's keys in the trust list.
    write(
      `${alg}-nokid.jwt`,
      await new jose.SignJWT(claims(credential(n))).setProtectedHeader({ alg }).sign(privateKey),
      'valid',
    );
  }
  const first = algs[0];
  const { privateKey, publicKey } = keys[first];
  // VC-JOSE: the payload is the credential (VC 2.0).
  const v2 = credential(9);
  v2['@context'] = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];
  delete v2.issuanceDate;
  v2.validFrom = '2025-03-01T00:00:00Z';
  write(
    'vc-jose.jwt',
    await new jose.SignJWT(v2).setProtectedHeader({ alg: first, typ: 'vc+jwt', kid: `${ISSUER}#${first}` }).sign(privateKey),
    'valid',
  );
  // Open Badges 3.0 §8.2.4 for a VC 2.0 credential: the payload is the credential,
  // the registered claims beside its members, typ JWT.
  const inline = {
    ...v2,
    iss: ISSUER,
    nbf: Math.floor(Date.parse(v2.validFrom) / 1000),
    jti: v2.id,
    sub: SUBJECT,
  };
  const ob3 = await new jose.SignJWT(inline)
    .setProtectedHeader({ alg: first, typ: 'JWT', kid: `${ISSUER}#${first}` })
    .sign(privateKey);
  write('ob3-payload.jwt', ob3, 'valid');
  const [oh, , os] = ob3.split('.');
  write(`ob3-payload-tampered.jwt`, `${oh}.${jose.base64url.encode(JSON.stringify({ ...inline, name: 'Doctorate' }))}.${os}`, 'invalid');
  // A claim that disagrees with the member it stands for: invalid, both named.
  write(
    'ob3-payload-wrong-sub.jwt',
    await new jose.SignJWT({ ...inline, sub: 'did:example:someone-else' })
      .setProtectedHeader({ alg: first, typ: 'JWT', kid: `${ISSUER}#${first}` })
      .sign(privateKey),
    'invalid',
  );
  // alg none: jose's unsecured JWT.
  write('none.jwt', new jose.UnsecuredJWT(claims(credential(1))).encode(), 'invalid');
  // HS256 keyed with the issuer's public key (what a verifier that takes the key for the
  // alg the token names would accept).
  const spki = new TextEncoder().encode(await jose.exportSPKI(publicKey));
  write(
    'hs256.jwt',
    await new jose.SignJWT(claims(credential(1))).setProtectedHeader({ alg: 'HS256', kid: `${ISSUER}#${first}` }).sign(spki),
    'invalid',
  );
  // Signed by another issuer's key, naming it: genuine, not the issuer's.
  const other = await jose.generateKeyPair(GEN[first][0], { ...GEN[first][1], extractable: true });
  write(
    'other-kid.jwt',
    await new jose.SignJWT(claims(credential(1))).setProtectedHeader({ alg: first, kid: `${OTHER}#key-1` }).sign(other.privateKey),
    'invalid',
  );
  const trust = {
    type: 'MicrocredTrustList',
    version: 1,
    issuers: [
      { id: ISSUER, name: 'Jose University', didDocument: { id: ISSUER, verificationMethod: methods, assertionMethod: methods.map((m) => m.id) } },
      {
        id: OTHER,
        name: 'Other University',
        didDocument: {
          id: OTHER,
          verificationMethod: [{ id: `${OTHER}#key-1`, type: 'JsonWebKey', controller: OTHER, publicKeyJwk: await jose.exportJWK(other.publicKey) }],
          assertionMethod: [`${OTHER}#key-1`],
        },
      },
    ],
  };
  writeFileSync(join(out, 'trust.json'), JSON.stringify(trust, null, 1));
  console.log(JSON.stringify(expected));
}

async function verify(tokenFile, jwkFile) {
  const token = readFileSync(tokenFile, 'utf8').trim();
  const jwk = JSON.parse(readFileSync(jwkFile, 'utf8'));
  const alg = jose.decodeProtectedHeader(token).alg;
  const key = await jose.importJWK(jwk, alg);
  try {
    const { payload } = await jose.jwtVerify(token, key, { algorithms: [alg] });
    console.log(JSON.stringify(payload));
  } catch (e) {
    console.error(`jose: ${e.code || ''} ${e.message}`);
    process.exit(1);
  }
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'sign') {
  await sign(args[0], args.length > 1 ? args.slice(1) : Object.keys(GEN));
} else if (cmd === 'verify') {
  await verify(args[0], args[1]);
} else {
  console.error('usage: node jwt.mjs sign OUTDIR [ALG…] | verify TOKEN_FILE JWK_FILE');
  process.exit(2);
}
