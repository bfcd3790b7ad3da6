// The problems a config text is refused with: every test of a config error reads them the same way.
import { expect } from 'vitest';
import { loadConfigText } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

export function issuesOf(text: string): ConfigError['issues'] {
  try {
    loadConfigText(text, 'hpcbench.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}
