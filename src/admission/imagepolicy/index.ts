/** The ImagePolicyWebhook backend: ImageReview decisions by registry, tag, digest and namespace. */
export { imageProblem, reviewImages, DEFAULT_BREAK_GLASS, type ImagePolicy, type ImageRules, type ImageReviewStatus } from './review.js';
