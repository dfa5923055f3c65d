import type { Actor } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import { rotateSecretKey, type SecretBox } from './secret-box.js';

/**
 * Rotates the secret key: every SIP password (users' and trunks'), Microsoft app secret and webhook secret is re-encrypted with a new key in one
 * transaction (all or nothing), then the key files are switched (see `rotateSecretKey`). Running processes pick
 * the new key up from the data directory the first time they meet a secret made with it.
 */
export async function rotateKey(
  store: Store,
  actor: Actor,
  options: { dataDir: string; configuredKey?: string | undefined; newKey?: Buffer | undefined },
): Promise<{ oldKeyId: string; newKeyId: string; reencrypted: number; newKeyBase64?: string }> {
  return rotateSecretKey({
    ...options,
    reencrypt: (from: SecretBox, to: SecretBox) =>
      store.transaction(async (tx) => {
        let count = 0;
        for (const { id, ciphertext } of await tx.users.listPasswordCiphertexts()) {
          await tx.users.replacePasswordCiphertext(id, to.encrypt(from.decrypt(ciphertext)));
          count += 1;
        }
        for (const { id, ciphertext } of await tx.tenantConnections.listSecretCiphertexts()) {
          await tx.tenantConnections.replaceSecretCiphertext(id, to.encrypt(from.decrypt(ciphertext)));
          count += 1;
        }
        for (const { id, ciphertext } of await tx.trunkSettings.listPasswordCiphertexts()) {
          await tx.trunkSettings.replacePasswordCiphertext(id, to.encrypt(from.decrypt(ciphertext)));
          count += 1;
        }
        for (const { id, ciphertext } of await tx.alertSubscriptions.listSecretCiphertexts()) {
          await tx.alertSubscriptions.replaceSecretCiphertext(id, to.encrypt(from.decrypt(ciphertext)));
          count += 1;
        }
        await tx.audit.append({
          accountId: null,
          actor,
          action: 'secret_key.rotate',
          objectType: 'secret_key',
          objectId: to.keyId,
          before: { keyId: from.keyId },
          after: { keyId: to.keyId, reencrypted: count },
        });
        return count;
      }),
  });
}
