export * from './types.js';
export { defineCheck, defineInventoryCheck } from './define.js';
export { CATALOGUE, findCheck } from './registry.js';
export { defaultParams, resolveParams } from './params.js';
export { CatalogueRunner, checkInfo, factRecords, refStrings, type FactRecord, type FactRows, type ResourceRun } from './run.js';
export { selectChecks, filtersPssIds, pssIdSelected, PROFILES, type Profile, type Selection, type SelectOptions } from './select.js';
export { describeCatalogue, catalogueMarkdown, strideWords, type CheckDescription } from './describe.js';
