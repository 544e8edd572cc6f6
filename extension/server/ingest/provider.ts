// One name per model provider, whatever convention named it: OTel GenAI (`aws.bedrock`,
// `gcp.vertex_ai`, `azure.ai.openai`, `mistral_ai`, `x_ai`), its legacy `gen_ai.system`
// (`openai`, sometimes capitalised), OpenInference `llm.provider` / `llm.system`, and the Vercel AI
// SDK's `ai.model.provider`, which appends the API flavour (`openai.chat`, `anthropic.messages`,
// `google.generative-ai`, `amazon-bedrock`). Unknown names are kept, lower-cased.

const CANONICAL: Record<string, string> = {
  openai: 'openai',
  'openai.chat': 'openai',
  'openai.responses': 'openai',
  'openai.completion': 'openai',
  'openai.embedding': 'openai',
  anthropic: 'anthropic',
  google: 'google',
  gemini: 'google',
  vertex: 'google',
  vertexai: 'google',
  vertex_ai: 'google',
  'google.generative-ai': 'google',
  'google.vertex': 'google',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  gcp: 'google',
  azure: 'azure',
  'azure-openai': 'azure',
  azure_openai: 'azure',
  azureopenai: 'azure',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.inference': 'azure',
  aws: 'aws',
  bedrock: 'aws',
  'aws.bedrock': 'aws',
  'aws-bedrock': 'aws',
  'amazon-bedrock': 'aws',
  amazon: 'aws',
  mistral: 'mistral',
  mistralai: 'mistral',
  mistral_ai: 'mistral',
  groq: 'groq',
  deepseek: 'deepseek',
  cohere: 'cohere',
  xai: 'x-ai',
  x_ai: 'x-ai',
  'x-ai': 'x-ai',
  perplexity: 'perplexity',
  together: 'together',
  togetherai: 'together',
  'together-ai': 'together',
  'together.ai': 'together',
  fireworks: 'fireworks',
  'fireworks-ai': 'fireworks',
  openrouter: 'openrouter',
  cerebras: 'cerebras',
  ollama: 'ollama',
};

const cache = new Map<string, string>();

export function canonicalProvider(raw: string): string {
  let name = cache.get(raw);
  if (name !== undefined) return name;
  const lower = raw.trim().toLowerCase();
  name = CANONICAL[lower];
  if (name === undefined) {
    // `openai.chat`, `azure.chat`, `google.vertex.chat`: the first segment names the provider
    const dot = lower.indexOf('.');
    name = (dot > 0 ? CANONICAL[lower.slice(0, dot)] : undefined) ?? lower;
  }
  if (cache.size < 1000) cache.set(raw, name);
  return name;
}
