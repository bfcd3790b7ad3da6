#!/usr/bin/env node
// The least a Node.js tool built on ssh2 can spend to ask a cluster what `hpcbench status` asks:
// start node, load ssh2, connect with a key, run squeue and sacct on two channels at once, print,
// exit. No config, no run.json, no parsing, no host-key pinning. bench/cli-start.bench.mjs times it
// beside `hpcbench status`, so that what status adds over the stack it is built on is measured.
//
//   node bench/ssh2-floor.mjs --host 127.0.0.1 --port 2222 --user hpcb --key <file> --jobs 123
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  if (i === -1) throw new Error(`${name} is required`);
  return args[i + 1];
};
const jobs = option('--jobs');

/** Runs one command on its own channel and resolves with its stdout. */
function run(client, command) {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let out = '';
      stream.on('data', (chunk) => (out += chunk));
      stream.stderr.resume();
      stream.on('close', () => resolve(out));
    });
  });
}

const client = new ssh2.Client();
client.on('ready', async () => {
  const [squeue, sacct] = await Promise.all([run(client, `squeue --jobs ${jobs}`), run(client, `sacct --jobs ${jobs} --duplicates`)]);
  process.stdout.write(squeue + sacct);
  client.end();
});
client.on('error', (error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
client.connect({ host: option('--host'), port: Number(option('--port')), username: option('--user'), privateKey: readFileSync(option('--key')) });
