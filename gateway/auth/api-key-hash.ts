import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every key this gateway issues, so a leaked one is recognisable in a secret scanner. */
export const API_KEY_PREFIX = 'xk_';

/** Lowercase hex SHA-256 of a raw key: the only form in which keys are stored. */
export function hashApiKey(rawKey: string): string {
  return createHash('sha256').update(rawKey, 'utf8').digest('hex');
}

/** A fresh random key (256 bits). */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}
