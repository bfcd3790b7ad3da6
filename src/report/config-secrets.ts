/**
 * `config check` warns about secrets written into hpcbench.yaml: every env value and parameter
 * is exported in the rendered job script, and setup lines and the command are copied into it,
 * so a token there is uploaded to the cluster and kept in the run directory.
 */
import type { ResolvedConfig } from '../config/index.js';
import { isReference, isSecretKey, listSecretNames } from './redact.js';

export interface UploadedSecret {
  experiment: string;
  /** The variable, parameter or flag name that looks like a secret. */
  key: string;
  /** Where hpcbench.yaml sets it. */
  where: 'env' | 'cluster env' | 'parameters' | 'setup' | 'command';
}

export function findUploadedSecrets(config: ResolvedConfig): UploadedSecret[] {
  const found: UploadedSecret[] = [];
  const add = (experiment: string, key: string, where: UploadedSecret['where']): void => {
    if (!found.some((f) => f.experiment === experiment && f.key === key)) found.push({ experiment, key, where });
  };
  for (const [name, exp] of Object.entries(config.experiments)) {
    const secret = ([key, value]: [string, unknown]): boolean => isSecretKey(key) && !isReference(String(value));
    for (const [key] of Object.entries(exp.env).filter(secret)) add(name, key, 'env');
    for (const [key] of Object.entries(config.clusters[exp.cluster]?.env ?? {}).filter(secret)) add(name, key, 'cluster env');
    for (const [key] of Object.entries(exp.parameters).filter(secret)) add(name, key, 'parameters');
    for (const line of [...(config.clusters[exp.cluster]?.setup ?? []), ...exp.setup]) for (const key of listSecretNames(line)) add(name, key, 'setup');
    if (exp.command !== undefined) for (const key of listSecretNames(exp.command)) add(name, key, 'command');
  }
  return found;
}

export function describeUploadedSecret(secret: UploadedSecret): string {
  return (
    `experiment '${secret.experiment}': ${secret.key} (${secret.where}) looks like a secret; its value would be written into the job script ` +
    `and uploaded to the cluster. Keep it out of hpcbench.yaml: set it in the cluster's environment, or in a file only you can read ` +
    `(chmod 600) that a \`setup:\` line sources. Reports show it as [redacted].`
  );
}
