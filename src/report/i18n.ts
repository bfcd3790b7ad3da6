/**
 * Words that are not in the Markdown templates: advice messages, section names, and the labels
 * the HTML template shares between languages. Placeholders are `{name}`; values are formatted
 * per language before substitution.
 */
import type { Advice, AdviceCode } from './advisor.js';
import type { BundleGap } from './run-bundle.js';
import type { MissingLine } from './report-model.js';
import { fillPlaceholders, MISSING_REASONS_EN, type MissingCode } from '../profile/metrics-document.js';
import type { CheckpointAction } from '../profile/training/checkpoint-log.js';
import type { CheckpointReasonCode } from '../slurm/checkpoint-stop.js';
import { formatNumber, formatPercent, formatPercentValue, type ReportLang } from './format.js';

type Messages = Record<AdviceCode, string>;

const ADVICE_EN: Messages = {
  'gpu-idle': 'GPU {gpu} was idle: busy in {busy} of its samples (mean utilization {mean}). Check that the workload uses it (device placement, CUDA_VISIBLE_DEVICES), or request fewer GPUs.',
  'gpus-unused': 'Only {working} of the {allocated} allocated GPUs did any work. Request fewer GPUs, or launch the workload on all of them (torchrun, accelerate, DDP); idle GPUs are charged all the same.',
  'gpu-low-utilization': 'GPU {gpu} averaged {mean} utilization. The job is probably input-bound or too small for the GPU: raise the batch size, add data-loader workers, or use a smaller GPU.',
  'gpu-memory-near-limit': 'GPU {gpu} peaked at {peak} of its memory. A longer sequence or a larger batch will run out of memory: leave headroom or enable gradient checkpointing.',
  'low-cpu-efficiency': 'CPU efficiency was {efficiency} of {cpus} allocated CPUs. Request fewer CPUs (--cpus-per-task) or make the workload use them (data-loader workers, threads).',
  'memory-near-limit': 'Peak memory (MaxRSS) reached {efficiency} of the requested memory. Raise --mem before the job is killed for memory.',
  'memory-over-requested': 'Peak memory (MaxRSS) was only {efficiency} of the requested memory; a smaller --mem would queue faster.',
  'latency-outliers': '{count} of {n} latencies are outliers (|modified z-score| > {z}). Look for warm-up effects, garbage collection or contention; report the median next to the mean.',
  'few-samples-p99': 'Only {n} latency samples: p99 is not reliable below {min} samples. Run more requests before quoting the tail.',
  'few-samples-p95': 'Only {n} latency samples: p95 and p99 are not reliable below {min} samples. Run more requests.',
  'failed-requests': '{failed} request(s) failed (error rate {rate}); latency and throughput count only completed requests.',
  'job-not-completed': 'The job ended as {state} (exit code {exit}); its figures describe an incomplete run.',
  'rejected-lines': '{count} line(s) of {file} were rejected while profiling; see metrics.json sources[].rejected.',
  'samples-strided': 'More latency samples than metrics.json keeps: {kept} evenly strided samples drive the charts and comparisons.',
  'loss-not-decreasing': 'The training loss did not decrease (first {first}, last {last}); check the learning rate and the data.',
  'training-diverged': 'Training diverged at step {step}: the loss became NaN or infinite, and every figure after it is meaningless. Lower the learning rate, clip gradients (max_grad_norm), use bf16 instead of fp16, and resume from a checkpoint taken before step {step}.',
  'checkpoint-requeue-disabled': 'Checkpointed and stopped (checkpoint.requeue: false): resubmit the job to resume from its checkpoint, or set checkpoint.requeue: true.',
  'checkpoint-requeue-failed': 'scontrol requeue failed: the work done so far is in the checkpoint directory; resubmit the job to resume from it (its stderr says why SLURM refused).',
  'checkpoint-max-restarts': 'Stopped after {restarts} restart(s) (checkpoint.max_restarts): raise it, or give the job a longer --time.',
  'checkpoint-no-progress': 'No progress since restart {restarts}: the workload did not write a checkpoint into $HPCBENCH_CHECKPOINT_DIR during that attempt, so another requeue would only repeat it. See docs/checkpointing.md.',
  'job-restarted': 'The job was requeued {restarts} time(s); its sacct figures (elapsed time, CPU efficiency, cost) describe the last attempt only.',
  'whole-node-partial': 'The job used {used} of the node’s {total} GPUs on a partition that bills whole nodes, so it was charged for the whole node. Use {shared}, which shares nodes, or run {total} GPU tasks in one job.',
  'whole-node-partial-no-shared': 'The job used {used} of the node’s {total} GPUs on a partition that bills whole nodes, so it was charged for the whole node. Run {total} GPU tasks in one job, or use a partition that shares nodes.',
  'profile-warning': '{text}',
};

const ADVICE_PT: Messages = {
  'gpu-idle': 'A GPU {gpu} ficou ociosa: ocupada em {busy} das amostras (utilização média {mean}). Verifique se a carga de trabalho a utiliza (alocação de dispositivo, CUDA_VISIBLE_DEVICES) ou solicite menos GPUs.',
  'gpus-unused': 'Apenas {working} das {allocated} GPUs alocadas fizeram algum trabalho. Solicite menos GPUs ou execute a carga de trabalho em todas (torchrun, accelerate, DDP); GPUs ociosas são cobradas do mesmo jeito.',
  'gpu-low-utilization': 'A GPU {gpu} teve utilização média de {mean}. O job provavelmente está limitado pela entrada ou é pequeno demais para a GPU: aumente o tamanho do lote, use mais workers no carregamento de dados ou uma GPU menor.',
  'gpu-memory-near-limit': 'A GPU {gpu} atingiu {peak} da memória. Uma sequência mais longa ou um lote maior esgotará a memória: deixe folga ou ative gradient checkpointing.',
  'low-cpu-efficiency': 'A eficiência de CPU foi de {efficiency} das {cpus} CPUs alocadas. Solicite menos CPUs (--cpus-per-task) ou faça a carga de trabalho usá-las (workers, threads).',
  'memory-near-limit': 'O pico de memória (MaxRSS) chegou a {efficiency} da memória solicitada. Aumente --mem antes que o job seja encerrado por falta de memória.',
  'memory-over-requested': 'O pico de memória (MaxRSS) foi de apenas {efficiency} da memória solicitada; um --mem menor entraria na fila mais rápido.',
  'latency-outliers': '{count} de {n} latências são valores atípicos (|escore z modificado| > {z}). Procure efeitos de aquecimento, coleta de lixo ou contenção; informe a mediana junto com a média.',
  'few-samples-p99': 'Apenas {n} amostras de latência: o p99 não é confiável com menos de {min} amostras. Execute mais requisições antes de citar a cauda.',
  'few-samples-p95': 'Apenas {n} amostras de latência: p95 e p99 não são confiáveis com menos de {min} amostras. Execute mais requisições.',
  'failed-requests': '{failed} requisição(ões) falharam (taxa de erro {rate}); latência e vazão consideram apenas as requisições concluídas.',
  'job-not-completed': 'O job terminou como {state} (código de saída {exit}); os números descrevem uma execução incompleta.',
  'rejected-lines': '{count} linha(s) de {file} foram rejeitadas na análise; veja sources[].rejected em metrics.json.',
  'samples-strided': 'Há mais amostras de latência do que metrics.json guarda: {kept} amostras igualmente espaçadas alimentam os gráficos e as comparações.',
  'loss-not-decreasing': 'A perda de treinamento não diminuiu (primeira {first}, última {last}); verifique a taxa de aprendizado e os dados.',
  'training-diverged': 'O treinamento divergiu no passo {step}: a perda virou NaN ou infinita, e nenhum valor depois dele tem significado. Reduza a taxa de aprendizado, limite os gradientes (max_grad_norm), use bf16 em vez de fp16 e retome de um checkpoint anterior ao passo {step}.',
  'checkpoint-requeue-disabled': 'Salvou o checkpoint e parou (checkpoint.requeue: false): submeta o job de novo para retomar do checkpoint, ou defina checkpoint.requeue: true.',
  'checkpoint-requeue-failed': 'O scontrol requeue falhou: o trabalho feito até aqui está no diretório de checkpoints; submeta o job de novo para retomar a partir dele (o stderr do job diz por que o SLURM recusou).',
  'checkpoint-max-restarts': 'Parou após {restarts} reinício(s) (checkpoint.max_restarts): aumente o limite ou dê ao job um --time maior.',
  'checkpoint-no-progress': 'Sem progresso desde o reinício {restarts}: a carga de trabalho não gravou checkpoint em $HPCBENCH_CHECKPOINT_DIR nessa tentativa, e recolocá-la na fila só a repetiria. Veja docs/checkpointing.md.',
  'job-restarted': 'O job foi recolocado na fila {restarts} vez(es); os números do sacct (duração, eficiência de CPU, custo) descrevem apenas a última tentativa.',
  'whole-node-partial': 'O job usou {used} das {total} GPUs do nó numa fila que cobra o nó inteiro, e foi cobrado pelo nó inteiro. Use {shared}, que compartilha nós, ou rode {total} tarefas de GPU num só job.',
  'whole-node-partial-no-shared': 'O job usou {used} das {total} GPUs do nó numa fila que cobra o nó inteiro, e foi cobrado pelo nó inteiro. Rode {total} tarefas de GPU num só job, ou use uma fila que compartilhe nós.',
  'profile-warning': '{text}',
};

const FRACTION_KEYS = new Set(['busy', 'efficiency', 'rate', 'peak']);
const PERCENT_VALUE_KEYS = new Set(['mean']);
const INTEGER_KEYS = new Set(['count', 'n', 'min', 'failed', 'kept', 'cpus', 'allocated', 'working', 'restarts', 'used', 'total']);

function formatAdviceValue(key: string, value: string | number, lang: ReportLang): string {
  if (typeof value === 'string') return value;
  if (FRACTION_KEYS.has(key)) return formatPercent(value, lang);
  if (PERCENT_VALUE_KEYS.has(key)) return formatPercentValue(value, lang);
  if (INTEGER_KEYS.has(key)) return formatNumber(value, lang, 0);
  return formatNumber(value, lang);
}

/** `escape` applies to the values only (they come from logs); the wording is ours and keeps its Markdown. */
export function describeAdvice(advice: Advice, lang: ReportLang, escape: (text: string) => string = (t) => t): string {
  const template = (lang === 'pt-BR' ? ADVICE_PT : ADVICE_EN)[advice.code];
  return fillPlaceholders(template, Object.fromEntries(Object.entries(advice.values).map(([key, value]) => [key, escape(formatAdviceValue(key, value, lang))])));
}

const MISSING_PT: Record<MissingCode, string> = {
  'no-metadata': 'sem metadata.json em {where}',
  'no-gpu-log': 'sem log do nvidia-smi em {where} (um job de CPU, ou o nvidia-smi não existia no nó)',
  'no-inference-log': 'sem log de inferência em {where}',
  'no-training-log': 'sem log de treinamento em {where}',
  'no-process-samples': 'sem amostras de processos em {where} (elas são coletadas por run --local)',
  'process-job-too-short': 'sem amostras de processos em {where}: o job terminou antes da primeira amostra',
  'local-no-accounting': 'uma execução local não tem contabilidade do SLURM; a seção de processos traz o uso de CPU e memória',
  'no-sacct-record': 'sem registro do sacct para o job {job} (rode `hpcbench fetch` depois que o job terminar)',
  'no-job-id': 'sem id de job do SLURM (uma execução local, ou sem metadata.json)',
};

/** "experiment/task: reason" in the report's language; a document without codes keeps its English reason. */
export function describeMissingLine(line: MissingLine, lang: ReportLang, escape: (text: string) => string = (t) => t): string {
  const values = Object.fromEntries(Object.entries(line.values ?? {}).map(([k, v]) => [k, v === undefined ? v : escape(v)]));
  const reason = line.code === undefined ? escape(line.reason) : fillPlaceholders((lang === 'pt-BR' ? MISSING_PT : MISSING_REASONS_EN)[line.code], values);
  return `${escape(line.task)}: ${reason}`;
}

/** A checkpoint event's reason code, and a task's stop reason, in plain words. */
const CHECKPOINT_REASONS: Record<ReportLang, Record<CheckpointReasonCode, string>> = {
  en: {
    requeued: 'requeued itself to resume from its checkpoint',
    'requeue-disabled': 'checkpointed and stopped (checkpoint.requeue: false): resubmit to resume',
    'requeue-failed': 'scontrol requeue failed: the work so far is in the checkpoint directory; resubmit to resume',
    'max-restarts': 'restart limit reached (checkpoint.max_restarts): raise it, or ask for a longer --time',
    'no-progress': 'no progress: the workload wrote no checkpoint into $HPCBENCH_CHECKPOINT_DIR during the attempt (see docs/checkpointing.md)',
    terminated: 'SIGTERM: cancelled (scancel), time limit or preemption',
  },
  'pt-BR': {
    requeued: 'recolocou-se na fila para retomar do checkpoint',
    'requeue-disabled': 'salvou o checkpoint e parou (checkpoint.requeue: false): submeta de novo para retomar',
    'requeue-failed': 'o scontrol requeue falhou: o trabalho feito está no diretório de checkpoints; submeta de novo para retomar',
    'max-restarts': 'limite de reinícios atingido (checkpoint.max_restarts): aumente-o ou peça um --time maior',
    'no-progress': 'sem progresso: a carga de trabalho não gravou checkpoint em $HPCBENCH_CHECKPOINT_DIR durante a tentativa (veja docs/checkpointing.md)',
    terminated: 'SIGTERM: cancelado (scancel), limite de tempo ou preempção',
  },
};

const CHECKPOINT_ACTIONS: Record<ReportLang, Record<CheckpointAction, string>> = {
  en: { requeued: 'requeued', stopped: 'stopped', ended: 'ended' },
  'pt-BR': { requeued: 'recolocado na fila', stopped: 'parou', ended: 'encerrado' },
};

export function describeCheckpointReason(code: CheckpointReasonCode, lang: ReportLang): string {
  return CHECKPOINT_REASONS[lang][code];
}

export function describeCheckpointAction(action: CheckpointAction, lang: ReportLang): string {
  return CHECKPOINT_ACTIONS[lang][action];
}

/** Labels shared by the HTML template and by tables in both Markdown templates. */
const LABELS_EN = {
  title: 'Benchmark report',
  summary: 'Summary',
  environment: 'Environment',
  method: 'Method',
  results: 'Results',
  inference: 'Inference',
  gpu: 'GPU',
  accounting: 'Accounting and efficiency',
  training: 'Training',
  process: 'Process usage',
  sweep: 'Sweep',
  references: 'References',
  warnings: 'Warnings',
  reproducibility: 'Reproducibility',
  charts: 'Charts',
  experiment: 'Experiment',
  task: 'Task',
  metric: 'Metric',
  value: 'Value',
  missing: 'Not available',
  noWarnings: 'No warnings.',
  gpuSeries: 'GPU utilization and memory over time',
  latencyDistribution: 'Latency distribution',
  lossCurve: 'Training loss',
  sweepChart: 'Throughput and p95 latency against',
  generatedBy: 'Generated by',
  pass: 'pass',
  fail: 'FAIL',
  missingValue: 'not measured',
  unknownMetric: 'unknown metric',
  best: 'Best configuration',
  params: 'Parameters',
  requests: 'Requests',
  failed: 'Failed',
  latencyP50: 'Latency p50',
  latencyP95: 'Latency p95',
  latencyP99: 'Latency p99',
  ttftP95: 'TTFT p95',
  reqPerS: 'Requests/s',
  tokPerS: 'Output tokens/s',
  gpuUtil: 'GPU util. (mean)',
  busy: 'Busy',
  memPeak: 'Memory peak',
  powerMean: 'Power mean',
  energy: 'Energy (J)',
  jobId: 'Job id',
  node: 'Node',
  partition: 'Partition',
  driver: 'Driver',
  state: 'State',
  elapsed: 'Elapsed',
  queueWait: 'Queue wait',
  cpuEff: 'CPU efficiency',
  memEff: 'Memory efficiency',
  gpuHours: 'GPU-hours',
  cost: 'Cost',
  finalLoss: 'Final loss',
  evalLoss: 'Eval loss',
  runtime: 'Runtime',
  samplesPerS: 'Samples/s',
  reference: 'Reference',
  tolerance: 'Tolerance',
  measured: 'Measured',
  deviation: 'Deviation',
  result: 'Result',
  methodText: 'Warm-up records excluded per log: {warmup}. Percentiles: {percentile}. Standard deviation: sample (n − 1). Confidence intervals: percentile bootstrap, {iterations} resamples, seed {seed}.',
  sloNone: 'No latency SLO given: highest throughput regardless of latency.',
  sloUnmet: 'No configuration meets the p95 latency SLO of {slo} ms.',
  sloBest: 'Best configuration under the p95 latency SLO of {slo} ms: task {task} ({params}).',
  bestNoSlo: 'Highest throughput: task {task} ({params}).',
  noCharts: 'No chart: the metrics hold no GPU series, latency samples, loss curve or sweep.',
  config: 'Configuration',
  scripts: 'Job scripts',
  sacct: 'sacct record',
  notInRunDir: 'Not in the run directory',
  notEmbedded: 'Not embedded, to keep the report to the run’s own files',
  metadata: 'Job metadata',
  modules: 'Modules',
  gitCommit: 'Git commit',
  softwareEnvironment: 'Software environment (environment.json of each task)',
  time: 'Time (s)',
  utilization: 'Utilization (%)',
  memoryMiB: 'Memory used (MiB)',
  latencyMs: 'Latency (ms)',
  fraction: 'Fraction of requests',
  step: 'Step',
  loss: 'Loss',
  train: 'training',
  eval: 'evaluation',
  throughput: 'Throughput',
  p95Ms: 'p95 latency (ms)',
  template: 'Template',
  script: 'Script',
  array: 'Array',
  checkpoints: 'Restarts and checkpoints',
  restarts: 'Restarts',
  restart: 'Restart',
  signalsHandled: 'Signals handled',
  signal: 'Signal',
  at: 'At',
  waited: 'Waited',
  action: 'Action',
  why: 'Why',
  stopReason: 'Why it stopped requeueing',
  skippedLines: 'Skipped lines of checkpoints.jsonl (truncated or malformed, see the warnings)',
  gpuProcesses: 'Processes on the GPUs',
  gpuProcessesNote: 'GPU memory of each process on each GPU, from nvidia-smi --query-compute-apps logs: peak and mean over the samples that gave a value, largest first.',
  processName: 'Process',
  samples: 'Samples',
  memMean: 'Memory mean',
  moreProcesses: '{n} more processes, listed in metrics.json (gpu_processes).',
  pidsOnSeveralGpus: 'processes on more than one GPU (PID)',
};
export type Labels = typeof LABELS_EN;

const LABELS_PT: Labels = {
  title: 'Relatório de desempenho',
  summary: 'Resumo',
  environment: 'Ambiente',
  method: 'Metodologia',
  results: 'Resultados',
  inference: 'Inferência',
  gpu: 'GPU',
  accounting: 'Contabilização e eficiência',
  training: 'Treinamento',
  process: 'Uso de processos',
  sweep: 'Varredura',
  references: 'Referências',
  warnings: 'Alertas',
  reproducibility: 'Reprodutibilidade',
  charts: 'Gráficos',
  experiment: 'Experimento',
  task: 'Tarefa',
  metric: 'Métrica',
  value: 'Valor',
  missing: 'Indisponível',
  noWarnings: 'Nenhum alerta.',
  gpuSeries: 'Utilização e memória da GPU ao longo do tempo',
  latencyDistribution: 'Distribuição da latência',
  lossCurve: 'Perda de treinamento',
  sweepChart: 'Vazão e latência p95 em função de',
  generatedBy: 'Gerado por',
  pass: 'aprovado',
  fail: 'REPROVADO',
  missingValue: 'não medido',
  unknownMetric: 'métrica desconhecida',
  best: 'Melhor configuração',
  params: 'Parâmetros',
  requests: 'Requisições',
  failed: 'Falhas',
  latencyP50: 'Latência p50',
  latencyP95: 'Latência p95',
  latencyP99: 'Latência p99',
  ttftP95: 'TTFT p95',
  reqPerS: 'Requisições/s',
  tokPerS: 'Tokens de saída/s',
  gpuUtil: 'Utilização da GPU (média)',
  busy: 'Ocupada',
  memPeak: 'Pico de memória',
  powerMean: 'Potência média',
  energy: 'Energia (J)',
  jobId: 'Job',
  node: 'Nó',
  partition: 'Partição',
  driver: 'Driver',
  state: 'Estado',
  elapsed: 'Duração',
  queueWait: 'Espera na fila',
  cpuEff: 'Eficiência de CPU',
  memEff: 'Eficiência de memória',
  gpuHours: 'Horas de GPU',
  cost: 'Custo',
  finalLoss: 'Perda final',
  evalLoss: 'Perda de validação',
  runtime: 'Duração',
  samplesPerS: 'Amostras/s',
  reference: 'Referência',
  tolerance: 'Tolerância',
  measured: 'Medido',
  deviation: 'Desvio',
  result: 'Resultado',
  methodText: 'Registros de aquecimento descartados por log: {warmup}. Percentis: {percentile}. Desvio padrão: amostral (n − 1). Intervalos de confiança: bootstrap percentil, {iterations} reamostragens, semente {seed}.',
  sloNone: 'Nenhum SLO de latência informado: maior vazão independentemente da latência.',
  sloUnmet: 'Nenhuma configuração atende ao SLO de latência p95 de {slo} ms.',
  sloBest: 'Melhor configuração sob o SLO de latência p95 de {slo} ms: tarefa {task} ({params}).',
  bestNoSlo: 'Maior vazão: tarefa {task} ({params}).',
  noCharts: 'Nenhum gráfico: as métricas não têm séries de GPU, amostras de latência, curva de perda nem varredura.',
  config: 'Configuração',
  scripts: 'Scripts dos jobs',
  sacct: 'Registro do sacct',
  notInRunDir: 'Ausente do diretório da execução',
  notEmbedded: 'Não incluídos, para que o relatório mostre apenas os arquivos da própria execução',
  metadata: 'Metadados do job',
  modules: 'Módulos',
  gitCommit: 'Commit git',
  softwareEnvironment: 'Ambiente de software (environment.json de cada tarefa)',
  time: 'Tempo (s)',
  utilization: 'Utilização (%)',
  memoryMiB: 'Memória usada (MiB)',
  latencyMs: 'Latência (ms)',
  fraction: 'Fração das requisições',
  step: 'Passo',
  loss: 'Perda',
  train: 'treinamento',
  eval: 'validação',
  throughput: 'Vazão',
  p95Ms: 'Latência p95 (ms)',
  template: 'Modelo de script',
  script: 'Script',
  array: 'Array',
  checkpoints: 'Reinícios e checkpoints',
  restarts: 'Reinícios',
  restart: 'Reinício',
  signalsHandled: 'Sinais tratados',
  signal: 'Sinal',
  at: 'Quando',
  waited: 'Espera',
  action: 'Ação',
  why: 'Motivo',
  stopReason: 'Por que parou de se recolocar na fila',
  skippedLines: 'Linhas ignoradas de checkpoints.jsonl (truncadas ou malformadas, veja os alertas)',
  gpuProcesses: 'Processos nas GPUs',
  gpuProcessesNote: 'Memória de GPU de cada processo em cada GPU, dos logs de nvidia-smi --query-compute-apps: pico e média nas amostras que trouxeram um valor, do maior para o menor.',
  processName: 'Processo',
  samples: 'Amostras',
  memMean: 'Memória média',
  moreProcesses: 'mais {n} processos, listados no metrics.json (gpu_processes).',
  pidsOnSeveralGpus: 'processos em mais de uma GPU (PID)',
};

export function labelsFor(lang: ReportLang): Labels {
  return lang === 'pt-BR' ? LABELS_PT : LABELS_EN;
}

const GAPS: Record<ReportLang, Record<BundleGap, string>> = {
  en: {
    manifest: 'manifest.json (the run was not rendered by hpcbench, or the file was not copied)',
    'manifest-invalid': 'a readable manifest.json (the file is not a JSON object)',
    'run-record': 'run.json (the run was not submitted through hpcbench)',
    scripts: 'scripts/ (no rendered job scripts)',
    config: 'the hpcbench.yaml the run was rendered from',
    sacct: 'sacct.txt (run `hpcbench fetch` after the jobs end)',
  },
  'pt-BR': {
    manifest: 'manifest.json (a execução não foi gerada pelo hpcbench, ou o arquivo não foi copiado)',
    'manifest-invalid': 'um manifest.json legível (o arquivo não é um objeto JSON)',
    'run-record': 'run.json (a execução não foi submetida pelo hpcbench)',
    scripts: 'scripts/ (nenhum script de job gerado)',
    config: 'o hpcbench.yaml a partir do qual a execução foi gerada',
    sacct: 'sacct.txt (execute `hpcbench fetch` depois que os jobs terminarem)',
  },
};

export function describeBundleGap(gap: BundleGap, lang: ReportLang): string {
  return GAPS[lang][gap];
}
