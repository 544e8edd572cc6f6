// The SDK's errors (seed 001 "Exceptions"). Every message says what failed, why, and what to do.

/** Base class of every error the SDK raises. */
export class StackLensError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Tracing was attempted with no endpoint or API key known (no configure(), no environment). */
export class ConfigurationError extends StackLensError {}

/** An argument of an SDK call is missing or has the wrong type; `field` names it. */
export class ValidationError extends StackLensError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The collector refused the API key (HTTP 401/403). */
export class AuthError extends StackLensError {
  readonly statusCode: number;
  constructor(message: string, statusCode = 401) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** The collector answered with an error status, or could not be reached (`statusCode` 0). */
export class ApiError extends StackLensError {
  readonly statusCode: number;
  constructor(statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

/**
 * The collector's monthly budget has a hard limit and it is reached: a wrapped client refused the
 * call before sending it. `tag` is set when a per-tag limit was the one reached.
 */
export class BudgetExceededError extends StackLensError {
  constructor(
    message: string,
    readonly spentUsd: number,
    readonly limitUsd: number,
    /** YYYY-MM (UTC), the month the spend counts towards */
    readonly month: string,
    readonly tag: string | null = null,
  ) {
    super(message);
  }
}
