export * from './types.js';
export { Resource, type Origin } from './resource.js';
export { type Locator, YamlLocator, JsonFileLocator, fixedLocator } from './locate.js';
export { parseYamlChunk, parseJsonText, parseYamlText, MAX_DEPTH, type ParseResult } from './parse.js';
export { YamlDocSplitter, splitYamlDocuments, hasContent, type DocChunk } from './split.js';
export { collectInputs, displayPath, describeFsError, type InputSource, type CollectResult } from './inputs.js';
export { readUnits, type Unit } from './read.js';
export { LineIndex, lineOfOffset } from './lines.js';
export * from './podspec.js';
