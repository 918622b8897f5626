'use strict';
// memjs 1.3.2 (npm; t/clients/memjs/node_modules, installed by scripts/install-client-deps.sh)
// against a running server:
//
//   node t/clients/memjs/memjs_test.js PORT [USER PASSWORD]
//
// Without USER the server runs without SASL; with USER/PASSWORD it runs with -S and that
// account (the client is created as "USER:PASSWORD@127.0.0.1:PORT") and the 'sasl' tests run
// too. Prints one "MEMJS-RESULT {json}" line per test (t/clients/test_memjs.py turns each
// into a Python test) and exits 0 only if none failed.
//
// What memjs 1.3.2 puts on the wire (lib/memjs/memjs.js, server.js): with credentials every
// new connection first sends SASL_LIST_MECHS and then, whatever the list says, SASL_AUTH
// "PLAIN" "\0user\0password"; get -> GET; set/add/replace -> SET/ADD/REPLACE (flags always 0);
// delete -> DELETE; increment/decrement -> INCR/DECR with initial value (default 0) and
// the default expiry 0, so a missing key is always created; append -> APPEND; prepend ->
// APPEND too (opcode 0x0E: a bug in 1.3.2, so "prepend" appends); touch -> TOUCH; flush ->
// FLUSH (no extras); stats -> STAT. It has no getMulti (that is only in unreleased
// sources): many get() calls in flight at once are pipelined on the one connection, told
// apart by their opaque. INCR replies are decoded as (hi << 8) + lo, wrong from 2**32 on.
// Any response with status 0x20 makes it drop the connection and fail every pending
// request with the string (not Error) 'Memcached server authentication failed!'. A request
// made right after such a drop can hang for good: the old socket's 'close' handler clears
// the new socket memjs just opened, so the request is never written and no timer runs.
// Hence the SASL failure tests use a new client for each request.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');

const memjs = require(path.join(__dirname, 'node_modules', 'memjs'));

const [portArg, USER, PASSWORD] = process.argv.slice(2);
const PORT = Number(portArg);
if (!Number.isInteger(PORT) || (USER !== undefined && PASSWORD === undefined)) {
  console.error('usage: node memjs_test.js PORT [USER PASSWORD]');
  process.exit(2);
}
for (const v of ['MEMCACHIER_USERNAME', 'MEMCACHIER_PASSWORD', 'MEMCACHE_USERNAME',
                 'MEMCACHE_PASSWORD', 'MEMCACHIER_SERVERS', 'MEMCACHE_SERVERS']) {
  delete process.env[v];    // memjs falls back on these
}
const SERVER = `127.0.0.1:${PORT}`;
const AUTH_FAILED = 'Memcached server authentication failed!';
const PAST = 1000000000;    // absolute unix time in the past: expires the item at once
const TEST_TIMEOUT_MS = 20000;

const tests = [];
function test(group, name, fn) {
  tests.push({ group, name, fn });
}

// One test's clients; all are closed after the test.
class Ctx {
  constructor() {
    this.clients = [];
    this.logged = [];
  }

  client(user = USER, password = PASSWORD) {
    return this.make(user !== undefined ? `${user}:${password}@${SERVER}` : SERVER);
  }

  anonymous() {
    return this.make(SERVER);
  }

  make(spec) {
    const logger = { log: (...args) => this.logged.push(args.join(' ')) };
    const c = memjs.Client.create(spec, { logger, timeout: 5, retries: 1, expires: 0 });
    this.clients.push(c);
    return c;
  }

  closeAll() {
    for (const c of this.clients) c.close();
  }
}

const bytes = (v) => (v === null ? null : Buffer.from(v));
const flags = (f) => (f === null ? null : f.readUInt32BE(0));

function stats(mc) {
  return new Promise((resolve, reject) => {
    mc.stats((err, server, st) => (err ? reject(err) : resolve([server, st])));
  });
}

// rejects with exactly `what` (a string: memjs rejects with Error objects or plain strings)
async function rejectsWith(promise, what) {
  let got;
  try {
    await promise;
  } catch (e) {
    got = e instanceof Error ? e.message : e;
  }
  assert.equal(got, what);
}

// ---- tests, with and without SASL ----------------------------------------------------

test('ops', 'test_set_get_miss', async (ctx, mc) => {
  assert.equal(await mc.set('k', 'v', {}), true);
  const r = await mc.get('k');
  assert.deepEqual(bytes(r.value), Buffer.from('v'));
  assert.equal(flags(r.flags), 0);
  assert.deepEqual(await mc.get('missing'), { value: null, flags: null });
  assert.equal(await mc.set('k', 'second', {}), true);
  assert.equal((await mc.get('k')).value.toString(), 'second');
});

test('ops', 'test_binary_safe_values', async (ctx, mc) => {
  const bin = Buffer.concat([Buffer.from([...Array(256).keys()]),
                             Buffer.from('\r\nEND\r\n\0'.repeat(3), 'latin1')]);
  assert.equal(await mc.set('bin', bin, {}), true);
  assert.deepEqual(bytes((await mc.get('bin')).value), bin);
  assert.equal(await mc.set('empty', Buffer.alloc(0), {}), true);
  assert.deepEqual(bytes((await mc.get('empty')).value), Buffer.alloc(0));
});

test('ops', 'test_large_value', async (ctx, mc) => {
  const big = crypto.randomBytes(500 * 1024);
  assert.equal(await mc.set('big', big, {}), true);
  assert.deepEqual(bytes((await mc.get('big')).value), big);
  await rejectsWith(mc.set('huge', crypto.randomBytes(2 * 1024 * 1024), {}),
                    'MemJS SET: Value too large');
  assert.equal((await mc.get('huge')).value, null);
  assert.deepEqual(bytes((await mc.get('big')).value), big);
});

test('ops', 'test_pipelined_gets_1000', async (ctx, mc) => {
  // memjs 1.3.2 has no getMulti: 1000 concurrent gets share the connection
  const keys = Array.from({ length: 1000 }, (_, i) => `key:${String(i).padStart(6, '0')}`);
  const value = (i) => `value:${i}:`.repeat(1 + (i % 7));
  const sets = await Promise.all(keys.map((k, i) => mc.set(k, value(i), {})));
  assert.ok(sets.every((ok) => ok === true));
  const got = await Promise.all([...keys, 'absent1', 'absent2'].map((k) => mc.get(k)));
  const bad = keys.filter((k, i) => got[i].value === null || got[i].value.toString() !== value(i));
  assert.deepEqual(bad, []);
  assert.equal(got[1000].value, null);
  assert.equal(got[1001].value, null);
});

test('ops', 'test_add_replace', async (ctx, mc) => {
  assert.equal(await mc.add('a', '1', {}), true);
  assert.equal(await mc.add('a', '2', {}), false);       // 0x02 exists
  assert.equal((await mc.get('a')).value.toString(), '1');
  assert.equal(await mc.replace('a', 'R', {}), true);
  assert.equal((await mc.get('a')).value.toString(), 'R');
  assert.equal(await mc.replace('nope', 'x', {}), false); // 0x01 not found
  assert.equal((await mc.get('nope')).value, null);
});

test('ops', 'test_append_prepend', async (ctx, mc) => {
  await mc.set('a', 'mid', {});
  assert.equal(await mc.append('a', '>'), true);
  // memjs 1.3.2 sends prepend as APPEND (0x0E): the server appends
  assert.equal(await mc.prepend('a', '<'), true);
  assert.equal((await mc.get('a')).value.toString(), 'mid><');
  await rejectsWith(mc.append('nope', 'x'), 'MemJS APPEND: Item not stored');   // 0x05
  await rejectsWith(mc.prepend('nope', 'x'), 'MemJS PREPEND: Item not stored');
  assert.equal((await mc.get('nope')).value, null);
});

test('ops', 'test_delete', async (ctx, mc) => {
  await mc.set('d', '1', {});
  assert.equal(await mc.delete('d'), true);
  assert.equal(await mc.delete('d'), false);
  assert.equal((await mc.get('d')).value, null);
});

test('ops', 'test_increment_decrement', async (ctx, mc) => {
  // a missing key is created with the initial value (default 0), which is returned
  assert.deepEqual(await mc.increment('n', 5, {}), { success: true, value: 0 });
  assert.equal((await mc.get('n')).value.toString(), '0');
  assert.deepEqual(await mc.increment('n', 5, {}), { success: true, value: 5 });
  assert.deepEqual(await mc.decrement('n', 3, {}), { success: true, value: 2 });
  assert.deepEqual(await mc.decrement('n', 100, {}), { success: true, value: 0 });
  assert.deepEqual(await mc.increment('m', 1, { initial: 10 }), { success: true, value: 10 });
  assert.deepEqual(await mc.decrement('d', 1, { initial: 7 }), { success: true, value: 7 });
  assert.equal((await mc.get('d')).value.toString(), '7');
  await mc.set('big', '4294967290', {});
  assert.deepEqual(await mc.increment('big', 5, {}), { success: true, value: 4294967295 });
  await mc.set('s', 'abc', {});
  await rejectsWith(mc.increment('s', 1, {}), 'MemJS INCREMENT: Incr/Decr on non-numeric value');
  await rejectsWith(mc.decrement('s', 1, {}), 'MemJS DECREMENT: Incr/Decr on non-numeric value');
  assert.equal((await mc.get('s')).value.toString(), 'abc');
});

test('ops', 'test_touch', async (ctx, mc) => {
  await mc.set('t', 'v', {});
  assert.equal(await mc.touch('t', 100), true);
  assert.equal((await mc.get('t')).value.toString(), 'v');
  assert.equal(await mc.touch('nope', 100), false);
  assert.equal(await mc.touch('t', PAST), true);
  assert.equal((await mc.get('t')).value, null);
});

test('ops', 'test_set_expires', async (ctx, mc) => {
  assert.equal(await mc.set('e', 'v', { expires: PAST }), true);
  assert.equal((await mc.get('e')).value, null);
  assert.equal(await mc.set('f', 'v', { expires: 1000 }), true);
  assert.equal((await mc.get('f')).value.toString(), 'v');
});

test('ops', 'test_flush', async (ctx, mc) => {
  await mc.set('x', '1', {});
  await mc.set('y', '2', {});
  assert.deepEqual(await mc.flush(), { [SERVER]: true });
  assert.equal((await mc.get('x')).value, null);
  assert.equal((await mc.get('y')).value, null);
  assert.equal(await mc.set('x', '3', {}), true);
  assert.equal((await mc.get('x')).value.toString(), '3');
});

test('ops', 'test_stats', async (ctx, mc) => {
  const [, before] = await stats(mc);
  await mc.set('s1', '1', {});
  await mc.get('s1');
  await mc.get('s2');
  const [server, st] = await stats(mc);
  assert.equal(server, SERVER);
  assert.equal(st.version, '1.6.18');
  for (const [k, d] of [['cmd_set', 1], ['get_hits', 1], ['get_misses', 1]]) {
    assert.equal(Number(st[k]) - Number(before[k]), d, k);
  }
  assert.ok('uptime' in st);
});

// ---- SASL only -------------------------------------------------------------------------

test('sasl', 'test_authenticated_clients_share_data', async (ctx, mc) => {
  assert.equal(await mc.set('k', 'v', {}), true);
  const other = ctx.client();
  assert.equal((await other.get('k')).value.toString(), 'v');
});

test('sasl', 'test_wrong_password_fails', async (ctx, mc) => {
  await mc.set('k', 'secret-value', {});
  // one request per client: see the reconnect race in the header
  await rejectsWith(ctx.client(USER, 'not-the-password').set('k', 'overwritten', {}), AUTH_FAILED);
  await rejectsWith(ctx.client(USER, 'not-the-password').get('k'), AUTH_FAILED);
  assert.equal((await mc.get('k')).value.toString(), 'secret-value');
});

test('sasl', 'test_unknown_user_fails', async (ctx, mc) => {
  await rejectsWith(ctx.client('nobody', PASSWORD).set('k', 'x', {}), AUTH_FAILED);
  assert.equal((await mc.get('k')).value, null);
});

test('sasl', 'test_no_credentials_fails', async (ctx, mc) => {
  await mc.set('k', 'secret-value', {});
  // no SASL at all: the GET / SET itself gets status 0x20
  await rejectsWith(ctx.anonymous().get('k'), AUTH_FAILED);
  await rejectsWith(ctx.anonymous().set('k', 'overwritten', {}), AUTH_FAILED);
  assert.equal((await mc.get('k')).value.toString(), 'secret-value');
});

// ---- runner ----------------------------------------------------------------------------

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

function report(t, status, message = '') {
  process.stdout.write(`MEMJS-RESULT ${JSON.stringify({ group: t.group, name: t.name, status, message })}\n`);
}

async function main() {
  const count = { pass: 0, fail: 0, skip: 0 };
  for (const t of tests) {
    if (t.group === 'sasl' && USER === undefined) {
      report(t, 'skip', 'no SASL account given (run with PORT USER PASSWORD)');
      count.skip++;
      continue;
    }
    const ctx = new Ctx();
    try {
      const mc = ctx.client();
      await withTimeout((async () => {
        assert.deepEqual(await mc.flush(), { [SERVER]: true }, 'flush before the test');
        await t.fn(ctx, mc);
      })(), TEST_TIMEOUT_MS, t.name);
      report(t, 'pass');
      count.pass++;
    } catch (e) {
      const msg = e instanceof Error ? (e.stack || e.message) : `non-Error rejection: ${String(e)}`;
      const log = ctx.logged.length ? `\nmemjs log:\n${ctx.logged.slice(-20).join('\n')}` : '';
      report(t, 'fail', msg + log);
      count.fail++;
    } finally {
      ctx.closeAll();
    }
  }
  console.log(`memjs summary: pass=${count.pass} fail=${count.fail} skip=${count.skip}`);
  process.exit(count.fail ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(3);
});
