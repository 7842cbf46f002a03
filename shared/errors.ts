/**
 * Error codes shared by every process. A code is stable (clients branch on it); the message is
 * for a person and says what to do.
 */
export const ERROR_CODES = [
  // input
  'bad_json',
  'invalid',
  'too_large',
  'unsupported_media',
  // auth
  'unauthenticated',
  'forbidden',
  'out_of_scope',
  // references
  'not_found',
  'unknown_reference',
  // workflow
  'invalid_transition',
  'not_assignee',
  'role_not_allowed',
  'already_exists',
  'not_hotline',
  // everything else
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Dotted path of the offending field, where one field is to blame. */
  field?: string;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.field = field;
  }
  toBody(): ErrorBody {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}
