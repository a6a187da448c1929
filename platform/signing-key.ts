import crypto, { KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The hub's asymmetric signing key (KAWAL_SIGNING_KEY_FILE): a PEM file holding an RSA private key of 2048
 * bits or more (tokens signed RS256) or an EC P-256 private key (ES256). A process that only verifies (the
 * gateway) may be given a file holding the public key alone.
 */
export interface SigningKey {
  file: string;
  algorithm: "RS256" | "ES256";
  /** Absent when the file holds only the public key. */
  privateKey?: KeyObject;
  publicKey: KeyObject;
}

/** Reads and checks the key file; the error names `variable` and the rule. */
export function readSigningKey(variable: string, file: string, fail: (variable: string, rule: string, value: string) => Error): SigningKey {
  let pem: string;
  try {
    pem = fs.readFileSync(path.resolve(file), "utf8");
  } catch (error) {
    throw fail(variable, `must name a readable PEM file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, file);
  }
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  try {
    if (/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) {
      privateKey = crypto.createPrivateKey(pem);
      publicKey = crypto.createPublicKey(privateKey);
    } else {
      publicKey = crypto.createPublicKey(pem);
    }
  } catch {
    throw fail(variable, "must hold a PEM private key (PKCS#8, PKCS#1 or SEC1) or public key", file);
  }
  const details = publicKey.asymmetricKeyDetails;
  if (publicKey.asymmetricKeyType === "rsa" && (details?.modulusLength ?? 0) >= 2048) return { file, algorithm: "RS256", privateKey, publicKey };
  if (publicKey.asymmetricKeyType === "ec" && details?.namedCurve === "prime256v1") return { file, algorithm: "ES256", privateKey, publicKey };
  throw fail(variable, "must hold an RSA key of 2048 bits or more (RS256) or an EC P-256 key (ES256)", file);
}
