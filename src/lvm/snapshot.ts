import { createRequire } from "node:module";
import { type LuaState, lauxlib, lobject } from "./fengari.ts";

/*
 * Deep copy of a set-up sandbox (fengari 0.1.5 internals): the state right after a contract's
 * chunk returned its module table. Every mutable object a contract can reach (tables and their
 * entries, TValues, upvalues, closures, prototypes with their closure cache, strings with their
 * hash state) is copied with its fengari id, so the copy is indistinguishable from a state built
 * from scratch by the same steps: same `tostring({})` counters, same iteration order (dead keys
 * included), same string hash state (gas of key hashing). Only immutable things are shared:
 * string bytes, decoded instructions, debug info (line numbers, local and upvalue names) and JS
 * functions (light C functions; their only state is the template's context, see run.ts).
 *
 * Anything unexpected (a userdata, a light userdata, a coroutine, a weak dead-key map, an object
 * with fields this file does not know) throws `Uncloneable`: the caller then never reuses that
 * template and runs such contracts cold.
 */
const req = createRequire(import.meta.url);
const ltable = req("fengari/src/ltable.js");
const lfunc = req("fengari/src/lfunc.js");
const lstate = req("fengari/src/lstate.js");
const lstring = req("fengari/src/lstring.js");
const defs = req("fengari/src/defs.js");

const TValue = lobject.TValue;
const Table = ltable.Table;
const Proto = lfunc.Proto;
const TString = lstring.TString;
const LClosure = lobject.LClosure;
const CClosure = lobject.CClosure;
const LuaStateClass = lstate.lua_State;
const LIGHTUSERDATA: number = defs.constant_types.LUA_TLIGHTUSERDATA;

export class Uncloneable extends Error {}

// biome-ignore lint/suspicious/noExplicitAny: fengari internals are untyped
type Obj = any;

/** Own fields of each fengari class this file copies (checked on the template, once). */
const SHAPES: readonly [Obj, string][] = [
  [TValue, "type,value"],
  [Table, "id,strong,dead_strong,dead_weak,f,l,metatable,flags"],
  [
    Proto,
    "id,k,p,code,cache,lineinfo,upvalues,numparams,is_vararg,maxstacksize,locvars,linedefined,lastlinedefined,source",
  ],
  [TString, "hash,realstring"],
  [LClosure, "id,p,nupvalues,upvals"],
  [CClosure, "id,f,nupvalues,upvalue"],
];
const GLOBAL_FIELDS = "id_counter,ids,mainthread,l_registry,panic,atnativeerror,version,tmname,mt";
const STATE_FIELDS =
  "id,base_ci,top,stack_last,oldpc,l_G,stack,ci,errorJmp,nCcalls,hook,hookmask,basehookcount,allowhook,hookcount,nny,status,errfunc";

function checkShape(o: Obj): void {
  for (const [cls, fields] of SHAPES) {
    if (o instanceof cls) {
      if (Object.keys(o).join(",") !== fields) throw new Uncloneable(`unexpected fields on ${cls.name}`);
      return;
    }
  }
}

/** One copy operation: a memo of template object → copy (keeps sharing and cycles). */
class Copier {
  readonly memo = new Map<object, Obj>();
  readonly check: boolean;

  constructor(check: boolean) {
    this.check = check;
  }

  /** A TValue that may be shared (upvalues): copied once per copy operation. */
  shared(tv: Obj): Obj {
    let c = this.memo.get(tv);
    if (c === undefined) {
      c = this.tv(tv);
      this.memo.set(tv, c);
    }
    return c;
  }

  tv(tv: Obj): Obj {
    if (this.check) checkShape(tv);
    if (tv.type === LIGHTUSERDATA) throw new Uncloneable("light userdata");
    return new TValue(tv.type, this.value(tv.value));
  }

  value(v: Obj): Obj {
    if (v === null || typeof v !== "object") return v; // numbers, booleans, JS functions (light C functions)
    const m = this.memo.get(v);
    if (m !== undefined) return m;
    if (this.check) checkShape(v);
    if (v instanceof TString) {
      const s = new TString(null, v.realstring);
      s.hash = v.hash;
      this.memo.set(v, s);
      return s;
    }
    if (v instanceof Table) return this.table(v);
    if (v instanceof LClosure) {
      const c = Object.create(LClosure.prototype);
      this.memo.set(v, c);
      c.id = v.id;
      c.p = this.proto(v.p);
      c.nupvalues = v.nupvalues;
      c.upvals = v.upvals.map((u: Obj) => (u === undefined ? u : this.shared(u)));
      return c;
    }
    if (v instanceof CClosure) {
      const c = Object.create(CClosure.prototype);
      this.memo.set(v, c);
      c.id = v.id;
      c.f = v.f;
      c.nupvalues = v.nupvalues;
      c.upvalue = v.upvalue.map((u: Obj) => this.tv(u));
      return c;
    }
    throw new Uncloneable(`cannot copy ${v?.constructor?.name ?? typeof v}`);
  }

  proto(p: Obj): Obj {
    const m = this.memo.get(p);
    if (m !== undefined) return m;
    if (!(p instanceof Proto)) throw new Uncloneable("not a prototype");
    if (this.check) checkShape(p);
    const c = Object.create(Proto.prototype);
    this.memo.set(p, c);
    c.id = p.id;
    c.k = p.k.map((k: Obj) => this.tv(k));
    c.p = p.p.map((q: Obj) => this.proto(q));
    c.code = p.code; // decoded instructions: never written after compilation
    c.cache = p.cache === null ? null : this.value(p.cache);
    c.lineinfo = p.lineinfo;
    c.upvalues = p.upvalues; // debug info (names are only read as bytes)
    c.numparams = p.numparams;
    c.is_vararg = p.is_vararg;
    c.maxstacksize = p.maxstacksize;
    c.locvars = p.locvars;
    c.linedefined = p.linedefined;
    c.lastlinedefined = p.lastlinedefined;
    c.source = p.source;
    return c;
  }

  table(t: Obj): Obj {
    if (t.dead_weak !== undefined) throw new Uncloneable("dead weak keys");
    const c = new Table({ l_G: { id_counter: t.id } });
    this.memo.set(t, c);
    c.flags = t.flags;
    c.metatable = t.metatable === null ? null : this.value(t.metatable);
    // entries (live ones in order, dead ones still reachable by `next` from a dead key)
    const entries = new Map<Obj, Obj>();
    const entry = (e: Obj): Obj => {
      if (e === undefined) return undefined;
      let n = entries.get(e);
      if (n !== undefined) return n;
      n = {
        key: this.tv(e.key),
        value: e.value === undefined ? undefined : this.tv(e.value),
        p: undefined,
        n: undefined,
      };
      entries.set(e, n);
      return n;
    };
    // iteratively: dead chains can be long
    const pending: Obj[] = [];
    for (const [hash, e] of t.strong) {
      c.strong.set(this.hashKey(hash), entry(e));
      pending.push(e);
    }
    for (const [hash, e] of t.dead_strong) {
      c.dead_strong.set(this.hashKey(hash), entry(e));
      pending.push(e);
    }
    while (pending.length > 0) {
      const e = pending.pop();
      const n = entries.get(e);
      if (e.n !== undefined && !entries.has(e.n)) pending.push(e.n);
      if (e.p !== undefined && !entries.has(e.p)) pending.push(e.p);
      n.n = entry(e.n);
      n.p = entry(e.p);
    }
    c.f = entry(t.f);
    c.l = entry(t.l);
    return c;
  }

  /** Map keys: strings and numbers/booleans as is; tables, closures as their copies. */
  hashKey(h: Obj): Obj {
    if (h === null || typeof h !== "object") return h; // JS functions (light C functions) are shared
    return this.value(h);
  }
}

/**
 * A new lua_State equal to `T` (the template's main thread, idle after its chunk returned):
 * fresh registry, globals, libraries, string metatable, module table and closures; the stack
 * holds the copied values up to `top`, and nil above it (fresh state stacks hold nothing a
 * contract can read there).
 */
export function copyState(T: LuaState, check = false): LuaState {
  const tg = T.l_G;
  if (check) {
    if (Object.keys(tg).join(",") !== GLOBAL_FIELDS) throw new Uncloneable("unexpected global_State fields");
    if (Object.keys(T).join(",") !== STATE_FIELDS) throw new Uncloneable("unexpected lua_State fields");
    if (!(tg.ids instanceof Map)) throw new Uncloneable("template ids must be a Map");
    if (T.ci !== T.base_ci || T.nCcalls !== 0 || T.status !== 0 || T.errfunc !== 0 || T.nny !== 1)
      throw new Uncloneable("template state is not idle");
    if (tg.mainthread !== T) throw new Uncloneable("not the main thread");
  }
  const L = lauxlib.luaL_newstate();
  if (!(L instanceof LuaStateClass)) throw new Uncloneable("not a lua_State");
  const g = L.l_G;
  const cp = new Copier(check);
  cp.memo.set(T, L);
  g.l_registry = cp.tv(tg.l_registry);
  g.mt = tg.mt.map((m: Obj) => (m === undefined || m === null ? m : cp.value(m)));
  g.tmname = tg.tmname.map((s: Obj) => cp.value(s));
  g.ids = new Map(tg.ids);
  g.panic = tg.panic;
  g.atnativeerror = tg.atnativeerror;
  g.version = tg.version;
  // stack: same size and shape; values up to top copied
  const n = T.stack.length;
  L.stack.length = n;
  for (let i = 0; i < n; i++) {
    const s = T.stack[i];
    if (i < T.top) L.stack[i] = cp.tv(s);
    else if (s === undefined) delete L.stack[i];
    else L.stack[i] = new TValue(0, null);
  }
  L.top = T.top;
  L.stack_last = T.stack_last;
  L.base_ci.top = T.base_ci.top;
  L.base_ci.callstatus = T.base_ci.callstatus;
  L.oldpc = T.oldpc;
  // ids handed out while copying are the template's own: continue where it stopped
  g.id_counter = tg.id_counter;
  return L;
}
