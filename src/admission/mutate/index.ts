/** The hardening mutation (mutating admission): securityContext defaults as a JSON Patch, and a JSON Patch applier. */
export { hardeningPatch, type Hardening, type HardeningOptions } from './harden.js';
export { applyJsonPatch, escapePointerToken, toPointer, parsePointer, JsonPatchError, type JsonPatchOp } from './jsonpatch.js';
