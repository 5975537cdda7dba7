/** Small helpers the catalogue topics share (model-wide ones live in src/model/podspec.ts). */
import { isObj, type KubeObject, type Obj, type Resource } from '../../model/index.js';

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

/** The first `max` items joined by ", ", then "and N more" for the rest. */
export function cappedList(items: readonly string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}
