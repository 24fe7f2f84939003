export {
  type ExpressLikeRequest,
  type ExpressLikeResponse,
  expressValidation,
  getValidation,
  type KoaLikeContext,
  koaValidation,
  type RequestValidation,
  rejectionBody,
} from './http.js';
export { type InferOptions, inferSchema } from './infer.js';
export { REDACTED } from './sample.js';
export {
  FORBIDDEN_KEYS,
  loadSchema,
  MAX_DOMAIN_SIZE,
  MAX_FEATURES,
  parseSchema,
  RESERVED_FEATURES,
  saveSchema,
  serializeSchema,
} from './schema.js';
export type {
  BatchOutcome,
  CheckName,
  CheckResult,
  DomainValue,
  FeatureSpec,
  FeatureType,
  HttpHookOptions,
  InferredFrom,
  InputSource,
  Severity,
  StandardSchema,
  ValidationMode,
  ValidationResult,
  ValidationSchema,
  ValidationStatistics,
  ValidatorOptions,
} from './types.js';
export { createValidator, type ValidationOutcome, type Validator } from './validator.js';
