import { UsageError } from '../errors.js';

/**
 * A bundle that cannot be used: newer format, missing or truncated file, a
 * weight missing or of the wrong shape. One line naming the file and the reason;
 * a UsageError, so the commands exit with code 2 and no stack trace.
 */
export class BundleError extends UsageError {
  override name = 'BundleError';
}
