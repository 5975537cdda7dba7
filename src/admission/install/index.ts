/**
 * Putting Palisade's admission server into a cluster: the webhook certificates (`palisade
 * certs generate`), the manifests (`palisade install --print`) and the ImagePolicyWebhook
 * files for kube-apiserver (`palisade install imagepolicy`).
 */
export { InstallError } from './errors.js';
export { writeFiles, type OutputFile, type WrittenFile } from './files.js';
export { checkNamespace, checkServiceName, isDnsName, splitSubjectNames } from './names.js';
export {
  generateCertificates, certificateFiles, serviceDnsNames, caBundleOf, checkCaPem, checkDays, KEY_TYPES, MAX_DAYS,
  type CertOptions, type CertBundle, type KeyType,
} from './certs.js';
export {
  installManifests, renderManifests, renderInstall, defaultImage, checkImage,
  FAILURE_POLICIES, DEFAULT_NAMESPACE, DEFAULT_IMAGE_REPOSITORY, TLS_SECRET, VALIDATING_WEBHOOK, MUTATING_WEBHOOK,
  CA_BUNDLE_PLACEHOLDER, SERVER_PORT,
  type FailurePolicy, type InstallOptions, type Manifest,
} from './manifests.js';
export {
  imagePolicyFiles, imagePolicyInstructions, checkDuration, ADMISSION_CONFIG_FILE, IMAGEPOLICY_KUBECONFIG_FILE,
  type ImagePolicyOptions, type ImagePolicyFiles,
} from './imagepolicy.js';
