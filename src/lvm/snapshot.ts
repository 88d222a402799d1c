import { createRequire } from "node:module";
import { type LuaState, lauxlib, lobject } from "./fengari.ts";

/*
 * Deep copy of a set-up sandbox (fengari 0.1.5 internals): the state right after a contract's
 * chunk returned its module table. Every mutable object a contract can reach (tables and their
 * entries, TValues, upvalues, closures, prototypes with their closure cache, strings with their
 * hash state) is copied with its fengari id, so the copy is indistinguishable from a state built
 * from scratch by the same steps: same `tostring({})` counters, same iteration order (dead keys
 * included), same string hash state (gas of key hashing). Only immutable things are shared:
 * string bytes, strings whose hash is already computed (nothing about them can change any more;
 * fengari compares strings by content, never by identity), decoded instructions, debug info
 * (line numbers, local and upvalue names) and JS functions (light C functions; their only state
 * is the template's context, see run.ts).
 *
 * Anything unexpected (a userdata, a light userdata, a coroutine, a weak dead-key map, an object
 * with fields this file does not know) throws `Uncloneable`: the caller then never reuses that
 * template and runs such contracts cold.
 */
const req = createRequire(import.meta.url);
const ltable = req("fengari/src/ltable.js");
const lfunc = req("fengari/src/lfunc.js");
const lstring = req("fengari/src/lstring.js");
const lstate = req("fengari/src/lstate.js");
const defs = req("fengari/src/defs.js");

const TValue = lobject.TValue;
const Table = ltable.Table;
const Proto = lfunc.Proto;
const TString = lstring.TString;
const LClosure = lobject.LClosure;
const CClosure = lobject.CClosure;
const LuaStateClass = lstate.lua_State;
/** fengari does not export global_State: take its class from a state. */
const GlobalState = lauxlib.luaL_newstate().l_G.constructor;
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

const K_STR = 0;
const K_TABLE = 1;
const K_LCL = 2;
const K_CCL = 3;
const K_PROTO = 4;
/** A TValue shared by reference (an upvalue): one copy per copied state. */
const K_UPV = 5;

/** Object index of the state's own main thread (the registry holds it). */
const MAIN = -2;

/** A TValue to rebuild: type tag, and either a primitive (`r` = -1) or an object index. */
interface TvDesc {
  readonly t: number;
  readonly v: unknown;
  readonly r: number;
}

/**
 * A template turned into flat instructions once: every object it holds gets an index; a copy
 * allocates one object per index (with fengari's own constructors, same ids) and fills fields.
 */
export interface Recipe {
  readonly kinds: number[];
  readonly data: Obj[];
  readonly registry: TvDesc;
  readonly mt: number[];
  readonly tmname: number[];
  readonly ids: Map<unknown, number>;
  readonly stackHoles: boolean[];
  readonly stackValues: TvDesc[];
  readonly top: number;
  readonly stackLast: number;
  readonly ciTop: number;
  readonly ciStatus: number;
  readonly oldpc: number;
  readonly idCounter: number;
  readonly panic: unknown;
  readonly atnativeerror: unknown;
  readonly version: unknown;
}

class Planner {
  readonly index = new Map<object, number>();
  readonly kinds: number[] = [];
  readonly data: Obj[] = [];
  readonly queue: number[] = [];
  readonly objs: Obj[] = [];
  readonly main: LuaState;

  constructor(main: LuaState) {
    this.main = main;
  }

  private add(o: Obj, kind: number): number {
    const i = this.kinds.length;
    this.index.set(o, i);
    this.kinds.push(kind);
    this.data.push(null);
    this.objs.push(o);
    this.queue.push(i);
    return i;
  }

  ref(o: Obj): number {
    const i = this.index.get(o);
    if (i !== undefined) return i;
    checkShape(o);
    if (o instanceof TString) return this.add(o, K_STR);
    if (o instanceof Table) return this.add(o, K_TABLE);
    if (o instanceof LClosure) return this.add(o, K_LCL);
    if (o instanceof CClosure) return this.add(o, K_CCL);
    if (o instanceof Proto) return this.add(o, K_PROTO);
    throw new Uncloneable(`cannot copy ${o?.constructor?.name ?? typeof o}`);
  }

  upv(tv: Obj): number {
    const i = this.index.get(tv);
    if (i !== undefined) return i;
    if (!(tv instanceof TValue)) throw new Uncloneable("upvalue is not a TValue");
    return this.add(tv, K_UPV);
  }

  tv(tv: Obj): TvDesc {
    if (!(tv instanceof TValue)) throw new Uncloneable("not a TValue");
    checkShape(tv);
    if (tv.type === LIGHTUSERDATA) throw new Uncloneable("light userdata");
    const v = tv.value;
    if (v === this.main) return { t: tv.type, v: null, r: MAIN };
    // a hashed string can no longer change (bytes are immutable, the hash is set once): shared
    if (v instanceof TString && v.hash !== null) {
      checkShape(v);
      return { t: tv.type, v, r: -1 };
    }
    if (v !== null && typeof v === "object") return { t: tv.type, v: null, r: this.ref(v) };
    return { t: tv.type, v, r: -1 };
  }

  /** Map key of a table entry: primitives and JS functions as is, objects by index. */
  hash(h: Obj): [unknown, number] {
    if (h !== null && typeof h === "object") return [null, this.ref(h)];
    return [h, -1];
  }

  run(): void {
    while (this.queue.length > 0) {
      const i = this.queue.pop()!;
      const o = this.objs[i];
      switch (this.kinds[i]) {
        case K_STR:
          this.data[i] = { rs: o.realstring, hash: o.hash };
          break;
        case K_UPV:
          this.data[i] = this.tv(o);
          break;
        case K_TABLE:
          this.data[i] = this.table(o);
          break;
        case K_LCL:
          this.data[i] = {
            id: o.id,
            p: this.ref(o.p),
            n: o.nupvalues,
            up: o.upvals.map((u: Obj) => (u === undefined ? -1 : this.upv(u))),
          };
          break;
        case K_CCL:
          this.data[i] = { id: o.id, f: o.f, n: o.nupvalues, up: o.upvalue.map((u: Obj) => this.tv(u)) };
          break;
        case K_PROTO:
          this.data[i] = {
            src: o,
            k: o.k.map((k: Obj) => this.tv(k)),
            p: o.p.map((q: Obj) => {
              if (!(q instanceof Proto)) throw new Uncloneable("not a prototype");
              return this.ref(q);
            }),
            cache: o.cache === null ? -1 : this.ref(o.cache),
          };
          break;
      }
    }
  }

  table(t: Obj): Obj {
    if (t.dead_weak !== undefined) throw new Uncloneable("dead weak keys");
    const ents = new Map<Obj, number>();
    const list: Obj[] = [];
    const at = (e: Obj): number => {
      if (e === undefined) return -1;
      let j = ents.get(e);
      if (j === undefined) {
        j = list.length;
        ents.set(e, j);
        list.push(e);
      }
      return j;
    };
    const strong: [unknown, number, number][] = [];
    const dead: [unknown, number, number][] = [];
    for (const [h, e] of t.strong) strong.push([...this.hash(h), at(e)] as [unknown, number, number]);
    for (const [h, e] of t.dead_strong) dead.push([...this.hash(h), at(e)] as [unknown, number, number]);
    const f = at(t.f);
    const l = at(t.l);
    // entries reachable through p/n links (dead entries keep their old `n`), as flat arrays
    const kt: number[] = [];
    const kv: unknown[] = [];
    const kr: number[] = [];
    const vt: number[] = [];
    const vv: unknown[] = [];
    const vr: number[] = [];
    const pp: number[] = [];
    const nn: number[] = [];
    for (let j = 0; j < list.length; j++) {
      const e = list[j];
      if (Object.keys(e).join(",") !== "key,value,p,n") throw new Uncloneable("unexpected table entry");
      const k = this.tv(e.key);
      kt.push(k.t);
      kv.push(k.v);
      kr.push(k.r);
      if (e.value === undefined) {
        vt.push(-1);
        vv.push(null);
        vr.push(-1);
      } else {
        const v = this.tv(e.value);
        vt.push(v.t);
        vv.push(v.v);
        vr.push(v.r);
      }
      pp.push(at(e.p));
      nn.push(at(e.n));
    }
    const flat = (rows: [unknown, number, number][]) => ({
      h: rows.map((x) => x[0]),
      r: Int32Array.from(rows, (x) => x[1]),
      j: Int32Array.from(rows, (x) => x[2]),
    });
    return {
      id: t.id,
      flags: t.flags,
      mt: t.metatable === null ? -1 : this.ref(t.metatable),
      n: list.length,
      kt,
      kv,
      kr: Int32Array.from(kr),
      vt,
      vv,
      vr: Int32Array.from(vr),
      p: Int32Array.from(pp),
      nx: Int32Array.from(nn),
      strong: flat(strong),
      dead: flat(dead),
      f,
      l,
    };
  }
}

/** Plans the copies of `T` (the template's main thread, idle after its chunk returned). */
export function planState(T: LuaState): Recipe {
  const tg = T.l_G;
  if (Object.keys(tg).join(",") !== GLOBAL_FIELDS) throw new Uncloneable("unexpected global_State fields");
  if (Object.keys(T).join(",") !== STATE_FIELDS) throw new Uncloneable("unexpected lua_State fields");
  if (!(tg.ids instanceof Map)) throw new Uncloneable("template ids must be a Map");
  if (T.ci !== T.base_ci || T.nCcalls !== 0 || T.status !== 0 || T.errfunc !== 0 || T.nny !== 1)
    throw new Uncloneable("template state is not idle");
  if (tg.mainthread !== T) throw new Uncloneable("not the main thread");
  const pl = new Planner(T);
  const registry = pl.tv(tg.l_registry);
  const mt = Array.from(tg.mt as Obj[], (m) => (m === undefined || m === null ? -1 : pl.ref(m)));
  const tmname = Array.from(tg.tmname as Obj[], (s) => pl.ref(s));
  const stackHoles: boolean[] = [];
  const stackValues: TvDesc[] = [];
  for (let i = 0; i < T.stack.length; i++) {
    stackHoles.push(!(i in T.stack));
    if (i < T.top) stackValues.push(pl.tv(T.stack[i]));
  }
  for (const k of tg.ids.keys()) if (typeof k !== "function") throw new Uncloneable("id of a non-function");
  pl.run();
  return {
    kinds: pl.kinds,
    data: pl.data,
    registry,
    mt,
    tmname,
    ids: new Map(tg.ids),
    stackHoles,
    stackValues,
    top: T.top,
    stackLast: T.stack_last,
    ciTop: T.base_ci.top,
    ciStatus: T.base_ci.callstatus,
    oldpc: T.oldpc,
    idCounter: tg.id_counter,
    panic: tg.panic,
    atnativeerror: tg.atnativeerror,
    version: tg.version,
  };
}

/** Stand-in lua_State for fengari's constructors: they only read `l_G.id_counter`. */
const idSource = { l_G: { id_counter: 0 } };
const withId = (id: number) => {
  idSource.l_G.id_counter = id;
  return idSource;
};

/**
 * A new lua_State equal to the template: fresh registry, globals, libraries, string metatable,
 * module table and closures; the stack holds copies up to `top` and nil above it (a fresh
 * state's stack holds nothing a contract can read there).
 */
export function copyState(R: Recipe): LuaState {
  // lua_newstate without its set-up (registry, metamethod names, stack): all come from the recipe
  const g0 = new GlobalState();
  const L = new LuaStateClass(g0);
  g0.mainthread = L;
  const ci = L.base_ci;
  ci.next = ci.previous = null;
  ci.funcOff = 0;
  ci.func = undefined;
  L.ci = ci;
  L.stack = new Array(R.stackHoles.length);
  const n = R.kinds.length;
  const objs: Obj[] = new Array(n);
  const { kinds, data } = R;
  const tv = (d: TvDesc): Obj => new TValue(d.t, d.r >= 0 ? objs[d.r] : d.r === MAIN ? L : d.v);
  for (let i = 0; i < n; i++) {
    const d = data[i];
    switch (kinds[i]) {
      case K_STR: {
        const s = new TString(null, d.rs);
        s.hash = d.hash;
        objs[i] = s;
        break;
      }
      case K_TABLE:
        objs[i] = new Table(withId(d.id));
        break;
      case K_LCL:
        objs[i] = new LClosure(withId(d.id), d.n);
        break;
      case K_CCL:
        objs[i] = new CClosure(withId(d.id), d.f, d.n);
        break;
      case K_PROTO:
        objs[i] = new Proto(withId(d.src.id));
        break;
      case K_UPV:
        objs[i] = new TValue(d.t, null);
        break;
    }
  }
  for (let i = 0; i < n; i++) {
    const d = data[i];
    const o = objs[i];
    switch (kinds[i]) {
      case K_UPV:
        o.value = d.r >= 0 ? objs[d.r] : d.r === MAIN ? L : d.v;
        break;
      case K_TABLE: {
        o.flags = d.flags;
        if (d.mt >= 0) o.metatable = objs[d.mt];
        const n = d.n;
        const ents: Obj[] = new Array(n);
        const { kt, kv, kr, vt, vv, vr } = d;
        for (let j = 0; j < n; j++) {
          const r = kr[j];
          const key = new TValue(kt[j], r >= 0 ? objs[r] : r === MAIN ? L : kv[j]);
          let value: Obj;
          if (vt[j] >= 0) {
            const q = vr[j];
            value = new TValue(vt[j], q >= 0 ? objs[q] : q === MAIN ? L : vv[j]);
          }
          ents[j] = { key, value, p: undefined, n: undefined };
        }
        const { p, nx } = d;
        for (let j = 0; j < n; j++) {
          if (p[j] >= 0) ents[j].p = ents[p[j]];
          if (nx[j] >= 0) ents[j].n = ents[nx[j]];
        }
        const st = d.strong;
        for (let j = 0; j < st.h.length; j++)
          o.strong.set(st.r[j] < 0 ? st.h[j] : objs[st.r[j]], ents[st.j[j]]);
        const dd = d.dead;
        for (let j = 0; j < dd.h.length; j++)
          o.dead_strong.set(dd.r[j] < 0 ? dd.h[j] : objs[dd.r[j]], ents[dd.j[j]]);
        if (d.f >= 0) o.f = ents[d.f];
        if (d.l >= 0) o.l = ents[d.l];
        break;
      }
      case K_LCL:
        o.p = objs[d.p];
        for (let j = 0; j < d.up.length; j++) if (d.up[j] >= 0) o.upvals[j] = objs[d.up[j]];
        break;
      case K_CCL:
        for (let j = 0; j < d.up.length; j++) o.upvalue[j] = tv(d.up[j]);
        break;
      case K_PROTO: {
        const p = d.src;
        o.k = d.k.map(tv);
        o.p = d.p.map((j: number) => objs[j]);
        o.code = p.code; // decoded instructions: never written after compilation
        o.cache = d.cache < 0 ? null : objs[d.cache];
        o.lineinfo = p.lineinfo;
        o.upvalues = p.upvalues; // debug info (names are only read as bytes)
        o.numparams = p.numparams;
        o.is_vararg = p.is_vararg;
        o.maxstacksize = p.maxstacksize;
        o.locvars = p.locvars;
        o.linedefined = p.linedefined;
        o.lastlinedefined = p.lastlinedefined;
        o.source = p.source;
        break;
      }
    }
  }
  const g = L.l_G;
  g.l_registry = tv(R.registry);
  for (let i = 0; i < R.mt.length; i++) if (R.mt[i]! >= 0) g.mt[i] = objs[R.mt[i]!];
  for (let i = 0; i < R.tmname.length; i++) g.tmname[i] = objs[R.tmname[i]!];
  g.ids = new Map(R.ids);
  g.panic = R.panic;
  g.atnativeerror = R.atnativeerror;
  g.version = R.version;
  const stack = L.stack;

  for (let i = 0; i < R.stackHoles.length; i++) {
    if (i < R.top) stack[i] = tv(R.stackValues[i]!);
    else if (R.stackHoles[i]) delete stack[i];
    else stack[i] = new TValue(0, null);
  }
  L.top = R.top;
  L.stack_last = R.stackLast;
  L.base_ci.top = R.ciTop;
  L.base_ci.callstatus = R.ciStatus;
  L.oldpc = R.oldpc;
  // ids handed out while copying are the template's own: continue where it stopped
  g.id_counter = R.idCounter;
  return L;
}
