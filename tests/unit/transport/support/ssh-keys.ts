// Host key blobs in SSH wire format, for the known_hosts and host-key policy tests.
import { generateKeyPairSync } from 'node:crypto';

/** An SSH `string`: a uint32 length, then the bytes. */
export function sshString(value: Buffer | string): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** The public key blob of a fresh ed25519 key: a host key no server has. */
export function ed25519Blob(): Buffer {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  return Buffer.concat([sshString('ssh-ed25519'), sshString(der.subarray(der.length - 32))]);
}
