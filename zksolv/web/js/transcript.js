// The Fiat–Shamir transcript of SPEC.md §4.
import { bytesToBigInt, concat, u32be, u64be, utf8 } from './bytes.js';
import { CURVE_ORDER, sha256 } from './hashing.js';

export class Transcript {
  /** A transcript with domain `domain` (SPEC.md §4): its first record is
   * append("zksolv-transcript", "zksolv-transcript-v1/" ‖ domain). */
  constructor(domain) {
    this.records = [];
    this.append('zksolv-transcript', concat(utf8('zksolv-transcript-v1/'), utf8(domain)));
  }

  /** T ← T ‖ 0x01 ‖ u32be(len label) ‖ label ‖ u64be(len data) ‖ data. */
  append(label, data) {
    const name = utf8(label);
    this.records.push(Uint8Array.of(1), u32be(name.length), name, u64be(data.length), data);
  }

  /** T ← T ‖ 0x02 ‖ u32be(len label) ‖ label; int(H(T ‖ 0x00) ‖ H(T ‖ 0x01)) mod n, redrawn
   * with another challenge record while it is 0. (The whole T is rehashed: a verifier of one
   * inclusion proof draws no challenge; clarity over speed here.) */
  challenge(label) {
    const name = utf8(label);
    for (;;) {
      this.records.push(Uint8Array.of(2), u32be(name.length), name);
      const t = concat(...this.records);
      const c = concat(sha256(concat(t, Uint8Array.of(0))), sha256(concat(t, Uint8Array.of(1))));
      const value = bytesToBigInt(c) % CURVE_ORDER;
      if (value !== 0n) return value;
    }
  }
}
