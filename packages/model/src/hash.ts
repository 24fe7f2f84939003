const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `text`, followed by murmur3's finaliser. FNV-1a alone
 * leaves IDs that differ in their last character (user-1, user-2, ...) close together in the
 * high bits; the finaliser spreads them over the whole range. UTF-8, not UTF-16, so a service in
 * another language can reproduce the same split.
 */
export function stableHash32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    // Rare: non-ASCII IDs take the slower exact path from here on.
    for (const byte of encoder.encode(text.slice(i))) h = Math.imul(h ^ byte, FNV_PRIME);
    break;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Maps an ID to a stable point in [0, 1): the same ID (and salt) always lands on the same point. */
export function stableUnit(id: string, salt = ''): number {
  return stableHash32(salt === '' ? id : `${salt}:${id}`) / 0x100000000;
}
