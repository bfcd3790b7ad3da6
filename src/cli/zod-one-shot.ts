/**
 * A CLI call parses each schema once or a few times: zod's default compiles every object schema
 * into generated code on its first parse, which costs more than the parse itself (about 50 ms of
 * the config and run.json parses of `hpcbench status`, measured with --cpu-prof). Its interpreted
 * mode gives the same results; profile's per-record parsing measured no slower with it (200,000
 * inference records). Only the CLI sets this: a program that uses the library keeps zod's default.
 */
import { config } from 'zod';

export function useInterpretedZod(): void {
  config({ jitless: true });
}
