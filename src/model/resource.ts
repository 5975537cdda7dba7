import type { Locator } from './locate.js';
import { internString } from './memo.js';
import { ownString } from './own.js';
import { containersOf, podSpecOf, type ContainerRef, type PodSpecRef } from './podspec.js';
import type { JsonPath, KubeObject, ObjectMeta, ResourceRef, SourceRef } from './types.js';

/** Where a document came from, shared by every resource in it. */
export interface Origin {
  /** The file as the user named it ('-' or '<stdin>' for standard input). */
  file: string;
  /** 0-based document index (for JSON Lists: 0). */
  doc: number;
  /** Helm-rendered input: the template path from `# Source:` and the line of that comment. */
  helm?: { template: string; commentLine: number };
}

/**
 * One Kubernetes object and where it came from. Lines are computed on demand: most
 * resources never need one (only those with findings do).
 */
export class Resource {
  constructor(
    readonly object: KubeObject,
    private readonly origin: Origin,
    private readonly locator: Locator,
  ) {}

  private cachedRef?: ResourceRef;
  /** null: looked for, and the resource has no pod spec. */
  private cachedPod?: PodSpecRef | null;
  private cachedContainers?: ContainerRef[];

  /**
   * The pod spec of a workload (undefined for other kinds), found once and shared by every
   * analyzer that looks at the resource (PSS, the catalogue, suppressions).
   */
  get pod(): PodSpecRef | undefined {
    if (this.cachedPod === undefined) this.cachedPod = podSpecOf(this.object) ?? null;
    return this.cachedPod ?? undefined;
  }

  /** The pod's containers in visiting order (empty for other kinds); callers must not modify the list. */
  get containers(): readonly ContainerRef[] {
    if (this.cachedContainers === undefined) {
      const pod = this.pod;
      this.cachedContainers = pod ? containersOf(pod) : [];
    }
    return this.cachedContainers;
  }

  get apiVersion(): string {
    return typeof this.object.apiVersion === 'string' ? this.object.apiVersion : '';
  }

  get kind(): string {
    return typeof this.object.kind === 'string' ? this.object.kind : '';
  }

  get metadata(): ObjectMeta {
    const m = this.object.metadata;
    return m && typeof m === 'object' && !Array.isArray(m) ? m : {};
  }

  get name(): string {
    const m = this.metadata;
    if (typeof m.name === 'string') return m.name;
    if (typeof m.generateName === 'string') return `${m.generateName}*`;
    return '';
  }

  get namespace(): string | undefined {
    const ns = this.metadata.namespace;
    return typeof ns === 'string' && ns !== '' ? ns : undefined;
  }

  /** The file name shown to users: the Helm template path when there is one. */
  get file(): string {
    return this.origin.helm?.template ?? this.origin.file;
  }

  get doc(): number {
    return this.origin.doc;
  }

  /** Line in the real file (not adjusted for Helm templates). */
  fileLineOf(path: JsonPath): number {
    return this.locator.lineOf(path);
  }

  /**
   * Line shown to users. For Helm-rendered input it is the line inside the rendered
   * template (the first line after `# Source:` is line 1), which matches the template
   * file wherever the template has no control lines above that point.
   */
  lineOf(path: JsonPath): number {
    const line = this.locator.lineOf(path);
    const helm = this.origin.helm;
    return helm ? lineInTemplate(line, helm) : line;
  }

  get line(): number {
    return this.lineOf([]);
  }

  /**
   * Lines of this resource for later, after its document has been checked and dropped (see
   * Locator.forLater): what a cross-resource check needs only if it ends up reporting. Holds
   * the document's text; undefined when keeping a locator would hold more (a JSON file's parsed
   * tree) or would parse the document again (see YamlLocator.forLater).
   */
  linesForLater(): Locator | undefined {
    const later = this.locator.forLater?.();
    const helm = this.origin.helm;
    if (!later || !helm) return later;
    return { lineOf: (path) => lineInTemplate(later.lineOf(path), helm) };
  }

  get source(): SourceRef {
    const src: SourceRef = { file: this.file, doc: this.doc, line: this.line };
    if (this.origin.helm) src.renderedIn = { file: this.origin.file, line: this.fileLineOf([]) };
    return src;
  }

  /**
   * The resource as findings name it. Built once and shared by every finding of the
   * resource (callers must not modify it).
   */
  ref(): ResourceRef {
    if (this.cachedRef) return this.cachedRef;
    // Findings and facts keep the ref to the end of a scan: it must not keep the document's text alive.
    // apiVersion, kind and namespace repeat across the input: one shared copy of each.
    const ns = this.namespace;
    const apiVersion = internString(this.apiVersion);
    const kind = internString(this.kind);
    const name = ownString(this.name);
    const ref: ResourceRef = ns !== undefined
      ? { apiVersion, kind, namespace: internString(ns), name, file: this.file, line: this.line }
      : { apiVersion, kind, name, file: this.file, line: this.line };
    return (this.cachedRef = ref);
  }

  /** `Kind/namespace/name` or `Kind/name`, for messages. */
  get id(): string {
    const ns = this.namespace;
    return ns ? `${this.kind}/${ns}/${this.name}` : `${this.kind}/${this.name}`;
  }
}

/** A line of rendered Helm output as a line of its template (the line after `# Source:` is 1). */
function lineInTemplate(line: number, helm: { commentLine: number }): number {
  return Math.max(1, line - helm.commentLine);
}
