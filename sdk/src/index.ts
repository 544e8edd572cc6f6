// The `stacklens` SDK: seed 001's API in TypeScript, plus seed 004's rollups and the client
// wrappers. See sdk/README.md.
export { configure, DEFAULT_ENDPOINT, type ConfigureOptions, type ExportOptions } from './config';
export { StackLensError, ConfigurationError, ValidationError, AuthError, ApiError, BudgetExceededError } from './errors';
export { checkBudget, refreshBudget, type BudgetStatus } from './budget';
export { trace, startTrace, span, currentSpan, type SpanOptions, type TraceOptions } from './tracer';
export { traced, type TracedOptions } from './traced';
export type { Span, CostShare, ScoreOptions } from './span';
export type { LlmCall, SpanKind, AttributeValue, Attributes } from './validate';
export { flush, shutdown, exportStats, type ExportStats } from './exporter';
export { prompts, type PromptEnv } from './prompts';
export { wrapOpenAI, type WrapOpenAIOptions } from './wrappers/openai';
export { wrapAnthropic, type WrapAnthropicOptions } from './wrappers/anthropic';
