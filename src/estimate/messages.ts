/**
 * The words of `hpcbench estimate` in English and Brazilian Portuguese. Placeholders are `{name}`;
 * numbers are formatted per language before they are filled in.
 */
import type { ReportLang } from '../report/format.js';

export type EstimateMessage =
  | 'title'
  | 'phase'
  | 'pilot'
  | 'rate'
  | 'work'
  | 'wall'
  | 'ask'
  | 'checkpoint'
  | 'gpuHours'
  | 'cpuHours'
  | 'serviceUnits'
  | 'cost'
  | 'total'
  | 'notes'
  | 'perStep'
  | 'perItem'
  | 'sameJob'
  | 'windows'
  | 'bootstrap'
  | 'steps'
  | 'items'
  | 'overhead'
  | 'overheadUnknown'
  | 'chain'
  | 'chainCheckpointOff'
  | 'chainMaxRestarts'
  | 'chainImpossible'
  | 'marginCut'
  | 'noLimit'
  | 'wholeNode'
  | 'gpuMemory'
  | 'totalSerial'
  | 'method';

type Catalogue = Record<EstimateMessage, string>;

const EN: Catalogue = {
  title: 'Estimate: {experiment} on {cluster}',
  phase: 'Phase',
  pilot: 'Pilot',
  rate: 'Rate',
  work: 'Work',
  wall: 'Wall time (95 % interval)',
  ask: '--time',
  checkpoint: 'Checkpoint every',
  gpuHours: 'GPU-h',
  cpuHours: 'CPU-h',
  serviceUnits: 'SU',
  cost: 'Cost',
  total: 'Total',
  notes: 'Notes',
  perStep: '{value} s/step',
  perItem: '{value} s/item',
  sameJob: 'same job: {value}',
  windows: '{n} windows',
  bootstrap: 'bootstrap',
  steps: '{n} steps',
  items: '{n} items',
  overhead: '{phase}: startup overhead {overhead} (sacct elapsed {elapsed} of pilot {run} minus its {work} {unit} × {rate} s), paid once per job.',
  overheadUnknown: '{phase}: pilot {run} has no sacct elapsed time, so the projection has no startup overhead; run `hpcbench fetch` after the job ends and profile again.',
  chain: '{phase}: {wanted} with the margin is over the partition limit {limit}: checkpoint and chain {jobs} jobs of {limit} ({restarts} restart(s)), each doing {perJob} of work before its checkpoint signal.',
  chainCheckpointOff: '{phase}: checkpointing is off for this experiment: add `checkpoint: {}` (and save every {every}) so that each job resumes where the last one stopped (docs/checkpointing.md).',
  chainMaxRestarts: '{phase}: raise checkpoint.max_restarts to at least {restarts} (it is {max}).',
  chainImpossible: '{phase}: the partition limit {limit} is not longer than the startup overhead plus the checkpoint signal time; pick a partition with a longer limit.',
  marginCut: '{phase}: {wanted} with the margin is over the partition limit {limit}; the limit still leaves {margin} % over the upper end, so ask for {limit} and watch the job (or enable checkpointing).',
  noLimit: '{phase}: the config gives no time limit for partition {partition}; the --time shown is not checked against one.',
  wholeNode: '{phase}: partition {partition} bills whole nodes: {gpus} GPU(s) and {cpus} CPU(s) per node are charged.',
  gpuMemory: '{phase}: the pilot peaked at {memory} of GPU memory.',
  totalSerial: 'The total adds the phases as if they ran one after another; the tasks of a sweep may run side by side, which shortens the wall time but not the hours or the cost.',
  method:
    'How: wall time = startup overhead + work × seconds per unit measured by the pilot; the interval is the 95 % Student-t interval of the mean step time over the pilot’s log windows (or the bootstrap interval of its throughput); --time = upper end × (1 + {margin} %), in whole minutes. See docs/estimate.md.',
};

const PT: Catalogue = {
  title: 'Estimativa: {experiment} em {cluster}',
  phase: 'Fase',
  pilot: 'Piloto',
  rate: 'Taxa',
  work: 'Trabalho',
  wall: 'Tempo de parede (intervalo de 95 %)',
  ask: '--time',
  checkpoint: 'Checkpoint a cada',
  gpuHours: 'GPU-h',
  cpuHours: 'CPU-h',
  serviceUnits: 'US',
  cost: 'Custo',
  total: 'Total',
  notes: 'Observações',
  perStep: '{value} s/passo',
  perItem: '{value} s/item',
  sameJob: 'mesmo job: {value}',
  windows: '{n} janelas',
  bootstrap: 'bootstrap',
  steps: '{n} passos',
  items: '{n} itens',
  overhead: '{phase}: custo fixo de início {overhead} (tempo decorrido no sacct {elapsed} do piloto {run} menos seus {work} {unit} × {rate} s), pago uma vez por job.',
  overheadUnknown: '{phase}: o piloto {run} não tem o tempo decorrido do sacct, então a projeção não inclui custo fixo de início; rode `hpcbench fetch` depois que o job terminar e analise de novo.',
  chain: '{phase}: {wanted} com a margem passa do limite da partição {limit}: salve checkpoints e encadeie {jobs} jobs de {limit} ({restarts} reinício(s)), cada um fazendo {perJob} de trabalho antes do sinal de checkpoint.',
  chainCheckpointOff: '{phase}: o checkpoint está desligado neste experimento: adicione `checkpoint: {}` (e salve a cada {every}) para que cada job continue de onde o anterior parou (docs/checkpointing.md).',
  chainMaxRestarts: '{phase}: aumente checkpoint.max_restarts para pelo menos {restarts} (hoje é {max}).',
  chainImpossible: '{phase}: o limite da partição {limit} não é maior que o custo fixo de início mais o tempo do sinal de checkpoint; escolha uma partição com limite maior.',
  marginCut: '{phase}: {wanted} com a margem passa do limite da partição {limit}; o limite ainda deixa {margin} % acima do limite superior, então peça {limit} e acompanhe o job (ou ative o checkpoint).',
  noLimit: '{phase}: a configuração não dá limite de tempo para a partição {partition}; o --time mostrado não foi comparado a nenhum limite.',
  wholeNode: '{phase}: a partição {partition} cobra nós inteiros: são cobradas {gpus} GPU(s) e {cpus} CPU(s) por nó.',
  gpuMemory: '{phase}: o piloto chegou a {memory} de memória de GPU.',
  totalSerial: 'O total soma as fases como se rodassem uma após a outra; as tarefas de uma varredura podem rodar lado a lado, o que encurta o tempo de parede, mas não as horas nem o custo.',
  method:
    'Como: tempo de parede = custo fixo de início + trabalho × segundos por unidade medidos pelo piloto; o intervalo é o intervalo t de Student de 95 % da média do tempo por passo nas janelas do log do piloto (ou o intervalo bootstrap da sua vazão); --time = limite superior × (1 + {margin} %), em minutos inteiros. Veja docs/estimate.md.',
};

const CATALOGUES: Record<ReportLang, Catalogue> = { en: EN, 'pt-BR': PT };

/** The message in the language, placeholders filled. */
export function translateEstimate(lang: ReportLang, key: EstimateMessage, values: Readonly<Record<string, string>> = {}): string {
  return CATALOGUES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Unit names inside sentences. */
export function nameUnit(lang: ReportLang, unit: 'steps' | 'items'): string {
  if (lang === 'pt-BR') return unit === 'steps' ? 'passos' : 'itens';
  return unit;
}
