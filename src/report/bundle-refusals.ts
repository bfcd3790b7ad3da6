/**
 * How a report words the files its reproduction bundle refused to read (see bundle-files.ts).
 */
import type { BundleRefusal, BundleRefusalReason } from './bundle-files.js';
import type { ReportLang } from './format.js';

const REASONS: Record<ReportLang, Record<BundleRefusalReason, string>> = {
  en: {
    symlink: 'is a symbolic link; links are not followed',
    'outside-run': 'resolves to a path outside the run directory',
    'not-regular': 'is not a regular file (a device, FIFO or socket)',
    'config-elsewhere': 'is named by manifest.json `config_file` but is not the run’s own config (a copy in the run directory, or an hpcbench.yaml of the project that holds results/)',
  },
  'pt-BR': {
    symlink: 'é um link simbólico; links não são seguidos',
    'outside-run': 'aponta para um caminho fora do diretório da execução',
    'not-regular': 'não é um arquivo regular (um dispositivo, FIFO ou socket)',
    'config-elsewhere': 'é indicado por `config_file` no manifest.json, mas não é a configuração da própria execução (uma cópia no diretório da execução, ou um hpcbench.yaml do projeto que contém results/)',
  },
};

const NOT_EMBEDDED: Record<ReportLang, string> = { en: 'not embedded', 'pt-BR': 'não incluído' };

/** "is a symbolic link; links are not followed: not embedded" (the template shows the path before it). */
export function describeBundleRefusal(refusal: BundleRefusal, lang: ReportLang): string {
  return `${REASONS[lang][refusal.reason]}: ${NOT_EMBEDDED[lang]}`;
}
