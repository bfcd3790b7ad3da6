/**
 * Os avisos do profiler em português do Brasil: the Portuguese (Brazil) wording of every code of
 * profile-warnings.ts (pt-BR.ts takes this table; a missing code fails the type check there).
 */
import type { Message } from './catalogue.js';
import type { ProfileWarningCode } from './profile-warnings.js';

const SUMMARY_ONLY = 'este resultado do {tool} traz só o resumo (sem registros por requisição): os números são do próprio {tool}, não recalculados; sem intervalos de confiança, goodput nem exclusão de aquecimento';
const UNITS_CONVERTED = 'latências convertidas das unidades do arquivo para segundos';

export const PROFILE_WARNINGS_PT_BR: Readonly<Record<ProfileWarningCode, Message>> = {
  'rejected-lines': {
    count: 'count',
    one: '{count} linha de log foi rejeitada; veja sources[].rejected (ou rode de novo com --strict para falhar nelas)',
    other: '{count} linhas de log foram rejeitadas; veja sources[].rejected (ou rode de novo com --strict para falhar nelas)',
  },
  'checkpoint-lines-skipped': {
    count: 'count',
    one: '{count} linha de {file} foi ignorada (um job morto durante a escrita deixa uma linha truncada); a primeira na linha {line} (diagnóstico do leitor, em inglês: {reason})',
    other: '{count} linhas de {file} foram ignoradas (um job morto durante a escrita deixa uma linha truncada); a primeira na linha {line} (diagnóstico do leitor, em inglês: {reason})',
  },
  'nothing-profiled': 'nenhuma saída de tarefa encontrada: nada foi analisado',
  'dmon-not-used': 'logs do dmon não usados porque os logs de --query-gpu cobrem as mesmas GPUs: {files}',
  'gpu-last-line-truncated': '{file}:{line}: a última linha não termina com quebra de linha (o registrador provavelmente foi morto no meio da escrita); descartada',
  'gpu-logger-restarted': {
    count: 'restarts',
    one: '{file}: o registrador reiniciou {restarts} vez (cabeçalho repetido); nenhum intervalo é integrado através de um reinício',
    other: '{file}: o registrador reiniciou {restarts} vezes (cabeçalho repetido); nenhum intervalo é integrado através de um reinício',
  },
  'gpu-key-not-unique': '{file}: linhas com o mesmo timestamp têm o mesmo valor na coluna "{key}", que portanto não identifica a GPU; as GPUs são distinguidas pela coluna "{column}"',
  'gpu-no-key-column': '{file}: linhas compartilham o mesmo timestamp e não há coluna de id de GPU; as GPUs são distinguidas pela coluna "{column}"',
  'gpu-subsecond-sampling': {
    count: 'count',
    one: '{file}: {count} linha compartilha um timestamp de segundo inteiro com outra linha da mesma GPU (coluna "{key}"); lida como amostragem mais rápida que 1 s de uma só GPU. Se várias GPUs foram registradas, inclua index ou uuid em --query-gpu',
    other: '{file}: {count} linhas compartilham um timestamp de segundo inteiro com outra linha da mesma GPU (coluna "{key}"); lidas como amostragem mais rápida que 1 s de uma só GPU. Se várias GPUs foram registradas, inclua index ou uuid em --query-gpu',
  },
  'gpu-subsecond-sampling-no-key': {
    count: 'count',
    one: '{file}: {count} linha compartilha um timestamp de segundo inteiro com outra linha da mesma GPU (sem coluna de id de GPU); lida como amostragem mais rápida que 1 s de uma só GPU. Se várias GPUs foram registradas, inclua index ou uuid em --query-gpu',
    other: '{file}: {count} linhas compartilham um timestamp de segundo inteiro com outra linha da mesma GPU (sem coluna de id de GPU); lidas como amostragem mais rápida que 1 s de uma só GPU. Se várias GPUs foram registradas, inclua index ou uuid em --query-gpu',
  },
  'dmon-last-line-truncated': '{file}:{line}: a última linha não termina com quebra de linha (o dmon provavelmente foi morto no meio da escrita); descartada',
  'apps-last-line-truncated': '{file}:{line}: a última linha não termina com quebra de linha; descartada',
  'apps-no-header': '{file}: sem cabeçalho; lido como {fields} pelo formato das linhas',
  'gpu-sampling-gap':
    '{files}: GPU {gpu}: lacuna de amostragem de {seconds} s de {from} a {to}, intervalo típico de {typical} s; a série é dividida ali, e a energia e as médias ponderadas no tempo não são integradas através dela',
  'gpu-sampling-gaps': {
    count: 'more',
    one: '{files}: GPU {gpu}: lacuna de amostragem de {seconds} s de {from} a {to} (e mais {more}), intervalo típico de {typical} s; a série é dividida ali, e a energia e as médias ponderadas no tempo não são integradas através dela',
    other: '{files}: GPU {gpu}: lacuna de amostragem de {seconds} s de {from} a {to} (e mais {more}), intervalo típico de {typical} s; a série é dividida ali, e a energia e as médias ponderadas no tempo não são integradas através delas',
  },
  'gpu-metric-mostly-missing': {
    count: 'kept',
    one: 'GPU {gpu}: {metric} está ausente (N/A) em {missing} de {rows} linhas; seus números se apoiam em {kept} valor',
    other: 'GPU {gpu}: {metric} está ausente (N/A) em {missing} de {rows} linhas; seus números se apoiam em {kept} valores',
  },
  'bootstrap-iterations-reduced': 'os intervalos bootstrap usam {used} reamostragens em vez de {default} para {records} registros (cada reamostragem sorteia todos eles); o campo `iterations` deles informa isso',
  'output-tokens-partial': '{missing} de {completed} registros concluídos não informam a contagem de tokens de saída: os totais e as taxas de tokens cobrem só os outros {counted}',
  'all-requests-failed': 'todas as requisições falharam ({failed} de {requests}); não há número de latência nem de vazão',
  'all-requests-failed-error': 'todas as requisições falharam ({failed} de {requests}); não há número de latência nem de vazão; erro mais frequente: {error}',
  'summary-only': SUMMARY_ONLY,
  'summary-only-units-converted': `${SUMMARY_ONLY}; ${UNITS_CONVERTED}`,
  'summary-only-units-converted-no-streaming': `${SUMMARY_ONLY}; ${UNITS_CONVERTED}; seu tempo até o primeiro token é igual à latência da requisição (um benchmark sem streaming): aqui o TTFT é o tempo da resposta inteira`,
  'summary-only-llmperf': `${SUMMARY_ONLY}; a vazão de requisições é results_num_completed_requests_per_min / 60 do llmperf; sua latência entre tokens (por requisição, o tempo depois do primeiro token / tokens de saída) é mostrada como TPOT`,
  'summary-no-request-count': 'o arquivo não diz quantas requisições seus números cobrem: as contagens de requisições e a taxa de erro são desconhecidas',
  'summary-failed-derived': {
    count: 'failed',
    one: 'o arquivo não traz a contagem de falhas: {failed} requisição com falha = {sent} enviadas − {completed} concluídas',
    other: 'o arquivo não traz a contagem de falhas: {failed} requisições com falha = {sent} enviadas − {completed} concluídas',
  },
  'summary-no-failed-count': 'o arquivo não traz contagem de falhas nem de envios: as requisições com falha são desconhecidas e contadas como 0',
  'summary-all-failed': 'todas as requisições falharam ({failed} de {requests}); os números de latência da ferramenta, que não cobrem nenhuma requisição, não são mostrados',
  'summary-warmup-ignored': 'a exclusão de aquecimento foi pedida, mas um resumo não pode ser dividido: seus números incluem todas as requisições',
  'summary-no-token-totals': 'o arquivo não traz os totais de tokens: eles são desconhecidos',
  'training-diverged': 'o treinamento divergiu: a loss é {loss} no passo {step} (linha {line}); finalLoss é nulo daí em diante',
  'training-diverged-entry': 'o treinamento divergiu: a loss é {loss} na entrada de log {entry} (linha {line}; o log não dá o passo); finalLoss é nulo daí em diante',
  'training-no-step-numbers': 'o log de treinamento não traz números de passo: a curva de loss é indexada pela entrada de log (stepAxis "index")',
  'training-steps-estimated': {
    count: 'count',
    one: '{count} número de passo foi estimado como época × passos por época a partir do banner do Trainer; as épocas são impressas com 2 casas decimais, então um passo pode errar por pouco',
    other: '{count} números de passo foram estimados como época × passos por época a partir do banner do Trainer; as épocas são impressas com 2 casas decimais, então um passo pode errar por alguns',
  },
};
