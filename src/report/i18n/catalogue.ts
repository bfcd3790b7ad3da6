/**
 * The shape every language's catalogue fills: the English catalogue's key set, with any wording.
 * A language that lacks a key, or adds one, is a type error where its catalogue is declared.
 */
import type { AdviceCode } from '../advisor.js';
import type { EN } from './en.js';
import type { ProfileWarningCode } from './profile-warnings.js';

/** A message that agrees with a number: `count` names the value that picks `one` or `other`. */
interface PluralMessage {
  count: string;
  one: string;
  other: string;
}
export type Message = string | PluralMessage;

type Section<T> = { readonly [K in keyof T]: string };

export interface Catalogue {
  labels: Section<typeof EN.labels>;
  advice: Readonly<Record<AdviceCode, Message>>;
  /** The profiler's warnings, by code (profile-warnings.ts). */
  warnings: Readonly<Record<ProfileWarningCode, Message>>;
  missing: Section<typeof EN.missing>;
  checkpointReason: Section<typeof EN.checkpointReason>;
  checkpointAction: Section<typeof EN.checkpointAction>;
  gaps: Section<typeof EN.gaps>;
  refusals: Section<typeof EN.refusals>;
  compare: Section<typeof EN.compare>;
}
