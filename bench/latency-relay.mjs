#!/usr/bin/env node
// A TCP relay on 127.0.0.1 that holds every chunk for a fixed delay in each direction: a link
// with a round-trip time, to time SSH clients as they behave between a laptop and a login node
// (loopback has none, which makes a client's own start-up look larger than it is anywhere else).
//
//   node bench/latency-relay.mjs --to 127.0.0.1:2222 --delay-ms 10
//
// Prints the port it listens on (one line), then relays until killed. Chunks keep their order:
// every one waits the same delay.
import { createServer, connect } from 'node:net';
import { setTimeout } from 'node:timers';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const [host, port] = String(option('--to', '127.0.0.1:2222')).split(':');
const delayMs = Number(option('--delay-ms', '10'));

/** Copies `from` to `to`, each chunk `delayMs` later; ends `to` after the last chunk. */
function pipeDelayed(from, to) {
  from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
}

const server = createServer((client) => {
  const upstream = connect({ host, port: Number(port) });
  pipeDelayed(client, upstream);
  pipeDelayed(upstream, client);
  client.on('close', () => setTimeout(() => upstream.destroy(), delayMs));
  upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
