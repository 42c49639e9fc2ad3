// The page's automation contract (issue 13 item 4): window.zksolv.verifyInclusion(proof,
// manifest, {userId, balances}) → Promise<{valid, assets, reason, …}> (see inclusion.js).
import { verifyInclusion } from './index.js';

globalThis.zksolv = Object.freeze({ verifyInclusion });
