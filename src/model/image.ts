/**
 * Container image references as the container runtime reads them:
 * `[registry[:port]/]repository[:tag][@digest]`, with Docker Hub's defaults.
 */
export interface ImageRef {
  /** Registry host (with port), `docker.io` when none is written. */
  registry: string;
  /** Repository path, with `library/` for official Docker Hub images. */
  repository: string;
  tag?: string;
  digest?: string;
  /** `registry/repository`, the form registry allow/deny lists match against. */
  name: string;
}

export function parseImage(image: string): ImageRef | undefined {
  const text = image.trim();
  if (text === '' || /\s/.test(text)) return undefined;
  return splitImage(text);
}

/** parseImage for a reference already known to be non-empty and free of whitespace. */
export function splitImage(text: string): ImageRef | undefined {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  // A colon after the last slash is a tag; before it, a registry port.
  if (colon !== -1 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  // The first component is a registry when it looks like a host: a dot, a port or localhost.
  const hasRegistry = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (repository === '') return undefined;
  return { registry, repository, tag, digest, name: `${registry}/${repository}` };
}

/**
 * Whether an image name (`registry/repository`) falls under a list entry: a registry, a
 * repository prefix, or `*.example.com` for every registry host under a domain.
 */
export function imageMatches(ref: ImageRef, entry: string): boolean {
  let e = entry.trim().replace(/\/+$/, '');
  if (e === '') return false;
  if (e.startsWith('*.') && !e.includes('/')) {
    return ref.registry.toLowerCase().replace(/:\d+$/, '').endsWith(e.slice(1).toLowerCase());
  }
  if (!e.includes('/') && !e.includes('.') && !e.includes(':') && e !== 'localhost') e = `docker.io/library/${e}`;
  if (e === 'docker.io' || e === 'index.docker.io') return ref.registry === 'docker.io';
  return ref.name === e || ref.name.startsWith(`${e}/`) || ref.registry === e;
}
