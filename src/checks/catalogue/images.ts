/** Checks: where container images come from and whether the reference pins what runs. */
import { asArray, containerLabel, imageMatches, memoizeLast, memoizeString, splitImage, type ContainerRef, type ImageRef } from '../../model/index.js';
import { defineCheck } from './define.js';
import { quotedText, shownValue } from './util.js';
import type { CheckDef, ResourceContext } from './types.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$/;

type ImageState =
  /** No image field (allowed in templates that a tool fills in later). */
  | { kind: 'absent' }
  | { kind: 'invalid'; text: string; reason: string }
  /** `image` is the reference as written; imageText() quotes it for a message. */
  | { kind: 'ok'; image: string; ref: ImageRef };

/** The image as messages show it: quoted, and cut short when long. */
function imageText(image: string): string {
  return quotedText(image, 80);
}

/**
 * Whether `repository` is one the reference grammar accepts: '/'-separated components, each
 * lower-case letters and digits joined by one '.', one or two '_', or any number of '-'
 * (`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`). A character loop rather than that regular
 * expression per component: it runs for every distinct image of the input.
 */
export function validRepository(repository: string): boolean {
  /** 0: a component must start; 1: in a run of letters and digits; 2: in a separator. */
  let state = 0;
  let separator = 0;
  let separatorLength = 0;
  for (let i = 0; i < repository.length; i++) {
    const c = repository.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      state = 1;
      continue;
    }
    if (state === 0) return false;
    if (c === 47 /* / */) {
      if (state !== 1) return false;
      state = 0;
      continue;
    }
    if (c !== 46 /* . */ && c !== 95 /* _ */ && c !== 45 /* - */) return false;
    if (state === 1) {
      state = 2;
      separator = c;
      separatorLength = 1;
      continue;
    }
    if (c !== separator || c === 46 || (c === 95 && ++separatorLength > 2)) return false;
  }
  return state === 1;
}

/** The container's image, checked against the reference grammar the container runtimes accept. */
function imageOf(c: ContainerRef): ImageState {
  const image = c.container.image;
  return typeof image === 'string' ? imageStateOf(image) : parseImageState(image);
}

/**
 * The same images come back across a corpus (the same sidecars in every namespace), alongside
 * many that do not (5,745 distinct among the 11,760 images of the 10k benchmark corpus, 46,709
 * among 117,000 at 100k): a reference seen again is not judged again. About half the lookups
 * miss and a large input empties the bounded cache again and again, yet per 10k scan it saved
 * 70 M instructions (valgrind) over parsing every image. The states are shared, so nothing may
 * change them.
 */
const imageStateOf = memoizeString((image) => parseImageState(image), 16_384);

/**
 * The images of a resource's containers, in container order. The image checks ask one after
 * the other about the same resource: the last answer is kept.
 */
function imagesOf(ctx: ResourceContext): readonly ImageState[] {
  return imagesOfContainers(ctx.containers);
}

const imagesOfContainers = memoizeLast((containers: readonly ContainerRef[]) => containers.map(imageOf));

function invalidImage(image: string, reason: string): ImageState {
  return { kind: 'invalid', text: imageText(image), reason };
}

/** What a container's image field holds (for a string, through imageStateOf's cache). */
function parseImageState(v: unknown): ImageState {
  if (v === undefined || v === null) return { kind: 'absent' };
  if (typeof v !== 'string') return { kind: 'invalid', text: shownValue(v, 60), reason: `is a ${Array.isArray(v) ? 'list' : typeof v}, not a string` };
  if (v === '' || /\s/.test(v)) {
    return invalidImage(v, v.trim() === '' ? 'is empty' : v.includes('{{') ? 'contains an unrendered template' : 'contains whitespace');
  }
  const ref = splitImage(v);
  const invalid = (reason: string): ImageState => invalidImage(v, reason);
  if (!ref) return invalid('is not an image reference');
  if (ref.tag === '') return invalid('has an empty tag after ":"');
  if (ref.digest === '') return invalid('has an empty digest after "@"');
  if (ref.tag !== undefined && !TAG.test(ref.tag)) return invalid(`has an invalid tag ${JSON.stringify(ref.tag)}`);
  if (ref.digest !== undefined && !DIGEST.test(ref.digest)) return invalid(`has an invalid digest ${JSON.stringify(ref.digest)}`);
  if (ref.registry !== 'docker.io' && !HOST.test(ref.registry)) return invalid(`has an invalid registry ${JSON.stringify(ref.registry)}`);
  if (!validRepository(ref.repository)) {
    return invalid(/[A-Z]/.test(ref.repository) ? 'has upper-case letters in the repository name' : `has an invalid repository name ${JSON.stringify(ref.repository)}`);
  }
  return { kind: 'ok', image: v, ref };
}

/** Containers with a well-formed image (the others are image/invalid-reference's business). */
function validImages(ctx: ResourceContext): Array<{ c: ContainerRef; image: string; ref: ImageRef }> {
  const out: Array<{ c: ContainerRef; image: string; ref: ImageRef }> = [];
  const images = imagesOf(ctx);
  for (let i = 0; i < images.length; i++) {
    const image = images[i];
    if (image.kind === 'ok') out.push({ c: ctx.containers[i], image: image.image, ref: image.ref });
  }
  return out;
}

/** A mutable reference: the registry decides what it resolves to at pull time. */
function mutable(ref: ImageRef): boolean {
  return ref.digest === undefined;
}

const invalidReference = defineCheck({
  id: 'image/invalid-reference',
  title: 'Image reference cannot be parsed',
  severity: 'low',
  defaultOn: true,
  stride: ['D'],
  kinds: 'workload',
  description:
    'An image that is empty, not a string, contains whitespace (often an unrendered Helm template) or breaks the reference ' +
    'grammar (upper-case repository, bad tag or digest) fails with InvalidImageName when the pod starts. No other image ' +
    'check can judge such a reference, so it is reported here, once.',
  remediation: 'Write the image as [registry/]repository[:tag][@sha256:digest], in lower case, without spaces.',
  example: `containers:
- name: app
  image: registry.example.com/team/app:1.4.2@sha256:3e8542c3664eb32aa5aceaf817606303ec0d27cf3d18c7cac2c1c8bb63573c0b`,
  refs: { links: ['https://kubernetes.io/docs/concepts/containers/images/'] },
  rationale:
    'A missing image field is not reported: the API allows it in pod templates so that tools such as kustomize can set it later.',
  run(ctx) {
    const images = imagesOf(ctx);
    for (let i = 0; i < images.length; i++) {
      const c = ctx.containers[i];
      const image = images[i];
      if (image.kind !== 'invalid') continue;
      ctx.report([...c.path, 'image'], `${containerLabel(c)} image ${image.text} ${image.reason}`);
    }
  },
});

const latestTag = defineCheck({
  id: 'image/latest-tag',
  title: 'Image uses the latest tag or no tag',
  severity: 'medium',
  defaultOn: true,
  stride: ['T', 'R'],
  kinds: 'workload',
  description:
    'An image without a tag means `:latest`, and `:latest` is whatever was pushed last: two nodes can run different code from ' +
    'the same manifest, a rollback does not roll back, and a compromised registry account changes production on the next pull. ' +
    'A fixed version tag, better a digest, makes the manifest say what runs.',
  remediation: 'Reference a specific version tag, or pin the image by digest (@sha256:…).',
  example: `containers:
- name: app
  image: registry.example.com/team/app:1.4.2`,
  refs: {
    polaris: ['tagNotSpecified'],
    trivy: ['KSV-0013'],
    kubescape: ['C-0075'],
    kubeLinter: ['latest-tag'],
    kubeScore: ['container-image-tag'],
  },
  rationale:
    'A digest-pinned image is not reported even with `:latest` or no tag: the runtime pulls by digest and ignores the tag, ' +
    'so the reference is immutable (Polaris agrees). A registry port is not ' +
    'mistaken for a tag (`registry:5000/app` has no tag), which Polaris gets wrong.',
  run(ctx) {
    for (const { c, image, ref } of validImages(ctx)) {
      if (!mutable(ref)) continue;
      if (ref.tag === undefined) ctx.report([...c.path, 'image'], `${containerLabel(c)} image ${imageText(image)} has no tag, so it runs whatever :latest is at pull time`);
      else if (ref.tag === 'latest') ctx.report([...c.path, 'image'], `${containerLabel(c)} image ${imageText(image)} uses the mutable :latest tag`);
    }
  },
});

const notPinnedByDigest = defineCheck({
  id: 'image/not-pinned-by-digest',
  title: 'Image not pinned by digest',
  severity: 'low',
  defaultOn: false,
  stride: ['T'],
  kinds: 'workload',
  description:
    'A tag can be moved to another image at any time by anyone who can push to the repository; only a digest names exactly ' +
    'one image. Pinning by digest makes deployments reproducible and a tampered registry visible.',
  remediation: 'Append the digest of the image you tested: repository:tag@sha256:<digest> (tools such as crane or skopeo print it).',
  example: `containers:
- name: app
  image: registry.example.com/team/app:1.4.2@sha256:3e8542c3664eb32aa5aceaf817606303ec0d27cf3d18c7cac2c1c8bb63573c0b`,
  refs: {
    kubescape: ['C-0306'],
  },
  run(ctx) {
    for (const { c, image, ref } of validImages(ctx)) {
      if (mutable(ref)) ctx.report([...c.path, 'image'], `${containerLabel(c)} image ${imageText(image)} is not pinned by digest (@sha256:…)`);
    }
  },
});

/** A configured list's non-empty entries, trimmed; computed once per list (every pod asks, of two lists). */
function strings(v: unknown): readonly string[] {
  if (!Array.isArray(v)) return NO_STRINGS;
  let out = trimmedLists.get(v);
  if (!out) trimmedLists.set(v, (out = v.filter((e): e is string => typeof e === 'string' && e.trim() !== '').map((e) => e.trim())));
  return out;
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
const trimmedLists = new WeakMap<unknown[], readonly string[]>();

const registryNotAllowed = defineCheck({
  id: 'image/registry-not-allowed',
  title: 'Image from a registry that is not allowed',
  severity: 'high',
  defaultOn: true,
  stride: ['T', 'S'],
  kinds: 'workload',
  description:
    'Images from registries you do not control skip your scanning, signing and retention, and a typo-squatted or public ' +
    'repository can carry anything. With `params.allowedRegistries` set, every image must fall under an entry (a registry ' +
    'host, a `registry/repository` prefix, or `*.domain` for every host under a domain); images matching ' +
    '`params.deniedRegistries` are always reported. Images are compared in their normalised form, so `nginx` is ' +
    '`docker.io/library/nginx`. With both lists empty (the default) the check reports nothing.',
  remediation: 'Mirror the image into an allowed registry and reference it there, or add the registry to allowedRegistries if it is trusted.',
  example: `# params: {allowedRegistries: [registry.example.com]}
containers:
- name: app
  image: registry.example.com/mirror/nginx:1.27.0`,
  refs: {
    trivy: ['KSV-0125'],
    kubescape: ['C-0078', 'C-0001'],
  },
  run(ctx) {
    const allowed = strings(ctx.params.allowedRegistries);
    const denied = strings(ctx.params.deniedRegistries);
    if (allowed.length === 0 && denied.length === 0) return;
    for (const { c, image, ref } of validImages(ctx)) {
      const deny = denied.find((e) => imageMatches(ref, e));
      if (deny !== undefined) {
        ctx.report([...c.path, 'image'], `${containerLabel(c)} image ${imageText(image)} (${ref.name}) matches deniedRegistries entry ${JSON.stringify(deny)}`);
      } else if (allowed.length > 0 && !allowed.some((e) => imageMatches(ref, e))) {
        const shown = allowed.slice(0, 3).join(', ') + (allowed.length > 3 ? ', …' : '');
        ctx.report([...c.path, 'image'], `${containerLabel(c)} image ${imageText(image)} (${ref.name}) is not from an allowed registry (${shown})`);
      }
    }
  },
});

const pullPolicyNotAlways = defineCheck({
  id: 'image/pull-policy-not-always',
  title: 'Mutable image not pulled with imagePullPolicy Always',
  severity: 'low',
  defaultOn: false,
  stride: ['T', 'I'],
  kinds: 'workload',
  description:
    'With IfNotPresent (the default for a tagged image) or Never, a node keeps running whatever it cached under the tag, so ' +
    'a re-pushed tag is not picked up uniformly; and another pod on the node can use a private image already pulled there ' +
    'without holding the imagePullSecret, since the registry is never asked again.',
  remediation: 'Pin the image by digest, or set imagePullPolicy: Always.',
  example: `containers:
- name: app
  image: registry.example.com/team/app:1.4.2
  imagePullPolicy: Always`,
  refs: {
    polaris: ['pullPolicyNotAlways'],
    kubescape: ['C-0075'],
    kubeScore: ['container-image-pull-policy'],
  },
  rationale:
    'Digest-pinned images are not reported: the digest names one image, whatever the cache holds. An unset policy is judged ' +
    'by the API default (Always for `:latest` or no tag, IfNotPresent otherwise), unlike Polaris which wants it written out.',
  run(ctx) {
    for (const { c, image, ref } of validImages(ctx)) {
      if (!mutable(ref)) continue;
      const policy = c.container.imagePullPolicy;
      if (policy === undefined || policy === null) {
        if (ref.tag === undefined || ref.tag === 'latest') continue; // defaults to Always
        ctx.report([...c.path, 'imagePullPolicy'], `${containerLabel(c)} image ${imageText(image)} has a mutable tag and no imagePullPolicy, which defaults to IfNotPresent`);
      } else if (policy !== 'Always') {
        ctx.report([...c.path, 'imagePullPolicy'], `${containerLabel(c)} image ${imageText(image)} has a mutable tag but imagePullPolicy is ${shownValue(policy, 60)}, not Always`);
      }
    }
  },
});

export const CHECKS: CheckDef[] = [invalidReference, latestTag, notPinnedByDigest, registryNotAllowed, pullPolicyNotAlways];
