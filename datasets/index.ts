/**
 * Everything about data in one import (Node: it includes the file-backed sources). The
 * browser page imports datasets/exact-targets.ts instead.
 */
export type {
  Target,
  DataSource,
  DataRange,
  ImageSource,
  PathCoefficients,
  Points,
  MixtureInfo,
  NormalMarginal,
  ParameterDescription,
} from './target.js';
export { hasExactScore, isImageSource } from './target.js';
export {
  defineTarget,
  TARGET_REQUEST_KEYS,
  type ImageShape,
  type TargetCapabilities,
  type TargetModule,
  type TargetRequest,
  type TargetRequestKey,
} from './target-module.js';
export { GaussianMixture, grid9, ring8, gmm } from './mixture.js';
export { NealFunnel, funnel } from './funnel.js';
export { gaussian } from './gaussian.js';
export { TwoPoint, twoPoint } from './two-point.js';
export { Checkerboard } from './checkerboard.js';
export {
  createTarget,
  createTargetFromConfig,
  describeTargets,
  EXACT_TARGETS,
  exactTargetModule,
  isTargetName,
  resolveTargetOptions,
  TARGET_NAMES,
  type ExactTargetModule,
  type TargetName,
  type TargetOptions,
} from './exact-targets.js';
export {
  createDataSource,
  DATA_SOURCE_NAMES,
  dataRangeOf,
  describeDataSources,
  IMAGE_TARGET_NAMES,
  imageShapeOf,
  isDataSourceName,
  isImageTargetName,
  isSampleOnlyName,
  openDataSource,
  resolveDataSourceOptions,
  resolveTargetRequest,
  SAMPLE_ONLY_NAMES,
  SAMPLE_ONLY_SOURCES,
  TARGET_MODULES,
  targetModule,
  type DataSourceName,
  type OpenedDataSource,
  type SampleOnlyName,
} from './registry.js';
