// The error classes of SPEC.md §1: every check passes or throws one of these.
export class ZksolvError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}
/** Bytes are not a canonical encoding (SPEC.md §1, §2). */
export class EncodingError extends ZksolvError {}
/** A proof, commitment or hash does not verify (SPEC.md §1). */
export class InvalidProof extends ZksolvError {}
/** Malformed input or parameters (SPEC.md §1). */
export class InputError extends ZksolvError {}
