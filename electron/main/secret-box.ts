/**
 * The Electron shell's SecretBox: the operator's session token sealed with the OS keychain
 * (Keychain on macOS, DPAPI on Windows, libsecret/KWallet on Linux) through `safeStorage`.
 */
import { safeStorage } from 'electron';
import type { SecretBox } from '../core/console/secret-box';

/**
 * A box backed by safeStorage, or undefined when it cannot protect anything: encryption is not
 * available, or (Linux without a keyring) it would use its fixed "basic_text" key. The core then
 * falls back to its own box (a key file in the data folder). Call after the app is ready.
 */
export function safeStorageSecretBox(): SecretBox | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return undefined;
  return {
    kind: 'electron-safe-storage',
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open(sealed) {
      try {
        return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        return null;
      }
    },
  };
}
