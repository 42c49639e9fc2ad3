// zksolv's verifier for customers (issue 13): the public entry point.
export { verifyInclusion } from './inclusion.js';
export { EncodingError, InvalidProof, InputError, ZksolvError } from './errors.js';
