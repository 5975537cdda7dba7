// One place for what the PSS controls take from the model (keeps their imports short).
export { isObj, asArray, labelText, securityContextOf, someKey, type ContainerRef, type JsonPath, type Obj, type PodSpecRef } from '../../model/index.js';
export type { PodContext, PssControl, Violation } from './types.js';
