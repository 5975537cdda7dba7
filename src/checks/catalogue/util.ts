/** Small helpers the catalogue topics share (model-wide ones live in src/model: podspec.ts for pod specs, text.ts for cappedList). */
import { cappedList, isObj, type KubeObject, type Obj, type Resource } from '../../model/index.js';

/** `Service "web"` for messages, or just the kind when the resource has no name. */
export function kindAndName(ctx: { kind: string; resource: Resource }): string {
  return ctx.resource.name ? `${ctx.kind} "${ctx.resource.name}"` : ctx.kind;
}

/** The object's spec, or {} when it is missing or not an object. */
export function specOf(object: KubeObject): Obj {
  return isObj(object.spec) ? object.spec : {};
}

/** `text` cut to at most `max` characters, ending in "..." when cut (long values in messages). */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A value of any type as a message shows it: its JSON, cut to `max` characters. */
export function shownValue(v: unknown, max: number): string {
  return shorten(JSON.stringify(v) ?? String(v), max);
}

/** A string as a message quotes it: cut to `max` characters, then quoted as JSON. */
export function quotedText(text: string, max: number): string {
  return JSON.stringify(shorten(text, max));
}

/** Names in double quotes, the first `max` of them, then "and N more" (see cappedList). */
export function quotedList(items: readonly string[], max: number): string {
  return cappedList(items.map((x) => `"${x}"`), max);
}
