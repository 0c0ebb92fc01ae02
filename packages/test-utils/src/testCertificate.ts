import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** A throwaway TLS identity for a test server, in PEM. Never written to disk. */
export interface TestCertificate {
  /** The PKCS#8 private key (P-256). */
  readonly key: string;
  /** A self-signed X.509 v3 certificate for `localhost` and `127.0.0.1`, valid for a day. */
  readonly cert: string;
}

/**
 * Make a self-signed certificate for a TLS test server (HTTP/2 needs TLS in browsers) with
 * `node:crypto` alone: a fresh P-256 key, and the certificate's DER written out by hand. No
 * `openssl` CLI (not on every CI image) and no dependency; nothing is written to disk, so no key
 * can be committed.
 *
 * Clients must trust it explicitly: pass `cert` as `ca` to `node:http2`'s `connect`, or open the
 * browser context with `ignoreHTTPSErrors: true`.
 */
export function createTestCertificate(): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = seq(set(seq(oid(OID.commonName), utf8('ssekit test'))));
  const now = Date.now();
  const tbs = seq(
    tag(0xa0, int(Buffer.from([2]))), // [0] version: v3
    int(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])), // positive serial
    seq(oid(OID.ecdsaWithSha256)),
    name, // issuer
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 86_400_000))),
    name, // subject
    publicKey.export({ type: 'spki', format: 'der' }),
    tag(
      0xa3, // [3] extensions
      seq(
        seq(oid(OID.basicConstraints), octets(seq(tag(0x01, Buffer.from([0xff]))))), // CA:TRUE
        seq(
          oid(OID.subjectAltName),
          octets(seq(tag(0x82, Buffer.from('localhost')), tag(0x87, Buffer.from([127, 0, 0, 1])))),
        ),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value
  const der = seq(tbs, seq(oid(OID.ecdsaWithSha256)), tag(0x03, Buffer.concat([ZERO, signature])));
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    cert: `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`,
  };
}

/** @internal Object identifiers used above, DER-encoded contents. */
const OID = {
  commonName: [2, 5, 4, 3],
  ecdsaWithSha256: [1, 2, 840, 10045, 4, 3, 2],
  basicConstraints: [2, 5, 29, 19],
  subjectAltName: [2, 5, 29, 17],
} as const;

const ZERO = Buffer.from([0]);

/** @internal One DER element: tag, definite length, contents. */
function tag(type: number, contents: Buffer): Buffer {
  const n = contents.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([type]), length, contents]);
}

const seq = (...items: Buffer[]) => tag(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tag(0x31, Buffer.concat(items));
const int = (bytes: Buffer) => tag(0x02, bytes);
const octets = (bytes: Buffer) => tag(0x04, bytes);
const utf8 = (text: string) => tag(0x0c, Buffer.from(text));

/** @internal UTCTime `YYMMDDHHMMSSZ` (valid for years 1950–2049). */
function utcTime(date: Date): Buffer {
  return tag(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));
}

/** @internal An OBJECT IDENTIFIER: first two arcs in one byte, the rest base-128. */
function oid(arcs: readonly number[]): Buffer {
  const bytes = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let rest = arc >> 7; rest > 0; rest >>= 7) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tag(0x06, Buffer.from(bytes));
}
