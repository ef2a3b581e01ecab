/** The API answers with the domain's error vocabulary (src/domain/errors.ts): one table for both. */
export { API_ERRORS, ApiError, notFound, type ApiErrorCode } from '../domain/errors.ts';
