// llm_judge evaluators answered by VS Code's language models (GitHub Copilot's, or any chat
// model extension): the collector worker cannot reach vscode.lm, so it sends each grading prompt
// here (server/rpc.ts `judge`) and this answers with the model's text.
import * as vscode from 'vscode';
import type { MainThreadJudge } from '../client/worker-collector';

/** A grading answer is one short JSON object: a model that takes longer than this is stuck. */
const ANSWER_TIMEOUT_MS = 90_000;

/** `family` prefers one model family (e.g. gpt-4o); empty takes the first model VS Code offers. */
export function languageModelJudge(family: string): MainThreadJudge {
  return async (prompt) => {
    const models = await vscode.lm.selectChatModels(family ? { family } : {});
    if (models.length === 0) {
      throw new Error(
        family
          ? `no VS Code language model of family "${family}" is available: check stacklens.evals.judge.model, or leave it empty for any model`
          : 'no VS Code language model is available: install and sign in to a chat model extension (GitHub Copilot, say), or set stacklens.evals.judge.provider to openai-compatible',
      );
    }
    const model = models[0];
    const cancel = new vscode.CancellationTokenSource();
    const timer = setTimeout(() => cancel.cancel(), ANSWER_TIMEOUT_MS);
    try {
      const response = await model.sendRequest(
        [vscode.LanguageModelChatMessage.User(prompt)],
        { justification: 'StackLens grades your traced spans against the llm_judge rubrics of your evals file.' },
        cancel.token,
      );
      let text = '';
      for await (const part of response.text) text += part;
      if (cancel.token.isCancellationRequested) throw new Error(`${model.name} did not finish its answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
      return text;
    } catch (err) {
      if (err instanceof vscode.LanguageModelError) throw new Error(`${model.name} refused to grade (${err.code || 'error'}): ${err.message}`);
      throw err;
    } finally {
      clearTimeout(timer);
      cancel.dispose();
    }
  };
}
