// The gateway's JSON-RPC over HTTP (same origin) and its WebSocket for new blocks.
// A call refused by the rate limit (-32005) waits the retry_after the gateway names and is
// sent again, so a page that needs more calls than a burst still renders, only later.

const RATE_LIMITED = -32005;
const MAX_RETRIES = 30;
let nextId = 1;

export class RpcError extends Error {
  constructor(error) {
    super(error.message || "error");
    this.code = error.code;
    this.data = error.data;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function waitOf(error) {
  const s = Number(error && error.data && error.data.retry_after);
  return Math.min(10000, Math.max(200, Number.isFinite(s) ? s * 1000 : 1000));
}

async function post(body) {
  const res = await fetch("/", {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  if (res.status === 204) return null;
  return res.json();
}

// One call: its result, or an RpcError.
export async function call(method, params = {}) {
  for (let attempt = 0; ; attempt++) {
    const answer = await post({jsonrpc: "2.0", id: nextId++, method, params});
    if (!answer) throw new RpcError({message: "no answer"});
    if (!answer.error) return answer.result;
    if (answer.error.code === RATE_LIMITED && attempt < MAX_RETRIES) {
      await sleep(waitOf(answer.error));
      continue;
    }
    throw new RpcError(answer.error);
  }
}

// Several calls in one request: a list of results (an RpcError in the place of a failed one);
// the rate-limited ones are sent again.
export async function batch(calls) {
  const results = new Array(calls.length);
  let todo = calls.map((c, i) => i);
  for (let attempt = 0; todo.length; attempt++) {
    const ids = new Map();
    const body = todo.map((i) => {
      const id = nextId++;
      ids.set(id, i);
      return {jsonrpc: "2.0", id, method: calls[i][0], params: calls[i][1] || {}};
    });
    const answers = await post(body);
    if (!Array.isArray(answers)) {  // the request as a whole was refused (e.g. too large)
      throw new RpcError((answers && answers.error) || {message: "no answer"});
    }
    const again = [];
    let wait = 0;
    for (const a of answers) {
      const i = ids.get(a.id);
      if (i === undefined) continue;
      if (!a.error) results[i] = a.result;
      else if (a.error.code === RATE_LIMITED && attempt < MAX_RETRIES) {
        again.push(i);
        wait = Math.max(wait, waitOf(a.error));
      } else results[i] = new RpcError(a.error);
    }
    todo = again;
    if (todo.length) await sleep(wait);
  }
  return results;
}

// The WebSocket: one connection for the whole app, subscriptions kept across reconnects.
class Live {
  constructor() {
    this.ws = null;
    this.subs = new Map();      // local key -> {kind, arg, cb, id}
    this.pending = new Map();   // request id -> local key
    this.byId = new Map();      // gateway subscription id -> local key
    this.onState = () => {};
    this.backoff = 500;
    this.key = 0;
  }

  connect() {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 500;
      this.onState(true);
      this.byId.clear();
      for (const key of this.subs.keys()) this.send(key);
    };
    ws.onmessage = (ev) => this.receive(JSON.parse(ev.data));
    ws.onclose = () => {
      this.onState(false);
      this.pending.clear();  // never answered: asked again on the next connection
      if (this.ws !== ws) return;
      setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(10000, this.backoff * 2);
    };
  }

  send(key) {
    const sub = this.subs.get(key);
    if (!sub || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const id = nextId++;
    this.pending.set(id, key);
    const params = sub.arg === undefined ? {kind: sub.kind} : {kind: sub.kind, arg: sub.arg};
    this.ws.send(JSON.stringify({jsonrpc: "2.0", id, method: "fictra_subscribe", params}));
  }

  receive(msg) {
    if (msg.method === "fictra_subscription") {
      const key = this.byId.get(msg.params.subscription);
      const sub = key !== undefined && this.subs.get(key);
      if (sub) sub.cb(msg.params.result);
      return;
    }
    const key = this.pending.get(msg.id);
    if (key === undefined) return;
    this.pending.delete(msg.id);
    const sub = this.subs.get(key);
    if (msg.error) {
      if (msg.error.code === RATE_LIMITED && sub) setTimeout(() => this.send(key), waitOf(msg.error));
      return;
    }
    if (!sub) {  // left the page before the answer came
      this.ws.send(JSON.stringify({jsonrpc: "2.0", id: nextId++, method: "fictra_unsubscribe",
                                   params: {id: msg.result}}));
      return;
    }
    sub.id = msg.result;
    this.byId.set(msg.result, key);
  }

  // Calls cb with each notification; returns the function that ends the subscription.
  subscribe(kind, arg, cb) {
    const key = this.key++;
    this.subs.set(key, {kind, arg, cb, id: null});
    this.send(key);
    return () => {
      const sub = this.subs.get(key);
      this.subs.delete(key);
      if (sub && sub.id && this.ws && this.ws.readyState === WebSocket.OPEN) {
        this.byId.delete(sub.id);
        this.ws.send(JSON.stringify({jsonrpc: "2.0", id: nextId++, method: "fictra_unsubscribe",
                                     params: {id: sub.id}}));
      }
    };
  }
}

export const live = new Live();
